// qcsr_framer.h -- input framing, malformed-stream handling and the status word (RTL qcsr_framer;
// docs/ARCHITECTURE.md section 2, "Malformed input and status"), in the style of Vitis Vision's
// AXIvideo2xfMat (wait for TUSER, then W beats per line checked against TLAST).
//
// framer_wait_sof() runs first in every call of qcsr_top, outside the dataflow region:
//  * IDLE (waiting for SOF): a beat without TUSER, or any beat before the first valid
//    configuration, is dropped and sets bit 16; one event per run of such drops.
//  * RESYNC (after an error): beats are dropped silently until the next TUSER beat.
//  * A TUSER beat: the packets waiting on s_axis_cfg are loaded (cfg_loader, which may make a new
//    configuration active); with a configuration the frame starts, unless the beat also carries
//    TLAST (an early EOL, W >= 2: RESYNC).
// The function returns at the SOF beat (one per call of qcsr_top): true when the frame starts (the
// SOF beat's pixel is handed to framer()), false when it was refused.
//
// framer() is the dataflow process that reads the rest of the frame: TLAST before column W-1 ->
// bit 17 (early EOL); no TLAST on column W-1 -> bit 18 (late EOL); a TUSER beat inside the frame ->
// bit 18 and the beat starts the next frame (it is held for the next call). After an error the
// frame is abandoned: framer() reads no more beats and completes the frame's H * W positions with
// `dead` zero samples, so every process runs its fixed trip count; the output reorder stops at the
// first dead block. framer_end() folds the frame's outcome into the state after the region.
//
// status[15:0] counts events (early, late, start of a drop run); a rejected configuration packet
// sets bit 19 only; bit 20 is high while a frame is being processed (informational).
#ifndef QCSR_FRAMER_H_
#define QCSR_FRAMER_H_

#include "qcsr_cfg_loader.h"
#include "qcsr_csim.h"
#include "qcsr_params.h"

namespace qcsr {

enum framer_mode { MODE_IDLE = 0, MODE_RESYNC = 1 };

struct framer_state {
    ap_uint<1> mode;
    bool dropping;       // inside a run of dropped beats in IDLE
    bool held;           // a TUSER beat that ended the previous frame starts the next one
    ap_uint<24> held_rgb;
    bool held_eol;
    framer_state() : mode(MODE_IDLE), dropping(false), held(false), held_rgb(0), held_eol(false) {}
};

struct status_state {
    ap_uint<16> count;
    bool nosof, early, late, reject;
    status_state() : count(0), nosof(false), early(false), late(false), reject(false) {}
    ap_uint<32> word(const bool busy) const {
        ap_uint<32> s = 0;
        s(15, 0) = count;
        s[16] = nosof;
        s[17] = early;
        s[18] = late;
        s[19] = reject;
        s[20] = busy;
        return s;
    }
};

enum frame_error { ERR_NONE = 0, ERR_EARLY = 1, ERR_LATE = 2, ERR_SOF = 3 };

struct frame_end_t {
    ap_uint<2> err;
    ap_uint<24> sof_rgb;  // ERR_SOF: the beat that starts the next frame
    bool sof_eol;
};

// Reads beats until a start of frame and decides on it: returns true when a frame starts (its first
// pixel in `first`), false when the SOF beat is refused -- no configuration (dropped, bit 16) or
// TLAST on the SOF beat (early EOL, bit 17, RESYNC). Either way the call of qcsr_top ends with that
// SOF beat, so every call handles exactly one SOF beat (and a one-call-per-frame testbench knows
// how many calls its stream needs). Every status change is written to `status`.
template <class A>
bool framer_wait_sof(hls::stream<video_in_t>& in, hls::stream<cfg_t>& cfg_in, volatile const bool* cfg_pending,
                     weight_t store[2][A::NW], cfg_state& cs, framer_state& fs, status_state& st,
                     ap_uint<32>& status, ap_uint<24>& first) {
#pragma HLS INLINE off
FramerWaitSof:
    for (;;) {
        ap_uint<24> rgb;
        bool sof, eol;
        if (fs.held) {
            rgb = fs.held_rgb;
            eol = fs.held_eol;
            sof = true;
            fs.held = false;
        } else {
            const video_in_t beat = in.read();
            rgb = beat.data;
            sof = beat.user[0] == 1;
            eol = beat.last == 1;
        }
        if (sof) {
            if (cfg_loader<A>(cfg_in, cfg_pending, store, cs)) st.reject = true;
            bool start = false;
            if (!cs.valid) {  // no configuration yet (IDLE): dropped, part of the current drop run
                st.nosof = true;
                if (!fs.dropping) st.count = st.count + 1;
                fs.dropping = true;
            } else if (eol) {  // TUSER with TLAST: an early EOL, no frame starts
                st.early = true;
                st.count = st.count + 1;
                fs.dropping = false;
                fs.mode = MODE_RESYNC;
            } else {
                fs.dropping = false;
                fs.mode = MODE_IDLE;
                first = rgb;
                start = true;
            }
            status = st.word(start);
            return start;
        }
        if (fs.mode == MODE_IDLE) {  // dropped while waiting for SOF
            st.nosof = true;
            if (!fs.dropping) st.count = st.count + 1;
            fs.dropping = true;
        }
        status = st.word(false);
    }
}

// Dataflow process: the frame's H * W positions (the first from the SOF beat), raster order.
template <class A>
void framer(hls::stream<video_in_t>& in, const ap_uint<24> first_rgb, const xdim_t W, const step_t n,
            hls::stream<pix_tok_t>& out, frame_end_t& end) {
#pragma HLS INLINE off
    xdim_t x = 1;
    bool dead = false;
    ap_uint<2> err = ERR_NONE;
    ap_uint<24> sof_rgb = 0;
    bool sof_eol = false;
    pix_tok_t t0;
    t0.rgb = first_rgb;
    t0.dead = false;
    out.write(t0);
FramerPixels:
    for (step_t i = 1; i < n; i++) {
#pragma HLS PIPELINE II = A::FOLD
#pragma HLS LOOP_TRIPCOUNT min = A::TRIP_PIX max = A::TRIP_PIX
        pix_tok_t t;
        t.rgb = 0;
        if (!dead) {
            const video_in_t beat = in.read();
            const bool sof = beat.user[0] == 1, eol = beat.last == 1, at_end = (x == W - 1);
            if (sof) {
                err = ERR_SOF;
                sof_rgb = beat.data;
                sof_eol = eol;
                dead = true;
            } else if (eol != at_end) {
                err = eol ? ERR_EARLY : ERR_LATE;
                dead = true;
            } else {
                t.rgb = beat.data;
            }
        }
        t.dead = dead;
        out.write(t);
        x = (x == W - 1) ? xdim_t(0) : xdim_t(x + 1);
    }
    count_trips("framer", (unsigned long long)n);
    end.err = err;
    end.sof_rgb = sof_rgb;
    end.sof_eol = sof_eol;
}

// After the region: the frame's outcome into the framing state and the status word.
inline void framer_end(const frame_end_t& end, framer_state& fs, status_state& st, ap_uint<32>& status) {
#pragma HLS INLINE
    if (end.err != ERR_NONE) {
        st.count = st.count + 1;
        if (end.err == ERR_EARLY) st.early = true;
        else st.late = true;
        fs.mode = (end.err == ERR_SOF) ? MODE_IDLE : MODE_RESYNC;
        fs.dropping = false;
        if (end.err == ERR_SOF) {
            fs.held = true;
            fs.held_rgb = end.sof_rgb;
            fs.held_eol = end.sof_eol;
        }
    }
    status = st.word(false);
}

}  // namespace qcsr

#endif  // QCSR_FRAMER_H_
