// qcsr_framing.h -- input framing, malformed-stream handling and the status word
// (docs/ARCHITECTURE.md section 2, "Malformed input and status").
//
//  * IDLE (waiting for SOF): a beat without TUSER, or any beat before the first valid
//    configuration, is dropped and sets bit 16; one event per run of such drops.
//  * RUN: TLAST before column W-1 -> bit 17 (early EOL); no TLAST on column W-1 -> bit 18 (late
//    EOL). The frame is abandoned and beats are dropped silently (RESYNC) until the next TUSER
//    beat. A TUSER beat inside a frame -> bit 18, the frame is abandoned and the beat starts the
//    next frame at once. A TUSER beat with TLAST (W >= 2) is an early EOL.
//  * FLUSH: after the last pixel the pipeline runs on (no input read) until the last block.
//  * status[15:0] counts events (early, late, start of a drop run); a rejected configuration
//    packet sets bit 19 only. Bit 20 is high while a frame is in RUN or FLUSH.
#ifndef QCSR_FRAMING_H_
#define QCSR_FRAMING_H_

#include "qcsr_params.h"

namespace qcsr {

enum frame_mode { MODE_IDLE = 0, MODE_RESYNC = 1, MODE_RUN = 2, MODE_FLUSH = 3 };

struct framing_state {
    ap_uint<2> mode;
    xdim_t x;        // column of the next input pixel
    hdim_t y;        // row of the next input pixel
    bool dropping;   // inside a run of dropped beats in IDLE
    void reset() {
        mode = MODE_IDLE;
        x = 0;
        y = 0;
        dropping = false;
    }
};

struct status_state {
    ap_uint<16> count;
    bool nosof, early, late, reject;
    void reset() {
        count = 0;
        nosof = early = late = reject = false;
    }
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

struct frame_action {
    bool advance;     // run the pipeline one step
    bool is_virtual;  // ... with a flush sample (no input)
    bool start;       // a new frame starts with this step
    bool abort;       // the frame in progress was abandoned
    ap_uint<24> rgb;  // input pixel (UG934)
};

// `space`: the pipeline may advance this call. `have_cfg`: a configuration is active or pending.
// (W, H): size of the frame in progress.
inline frame_action framing_step(hls::stream<video_in_t>& in, framing_state& fs, status_state& st, const bool space,
                                 const bool have_cfg, const xdim_t W, const hdim_t H) {
#pragma HLS INLINE
    frame_action act;
    act.advance = false;
    act.is_virtual = false;
    act.start = false;
    act.abort = false;
    act.rgb = 0;
    if (!space) return act;
    if (fs.mode == MODE_FLUSH) {
        act.advance = true;
        act.is_virtual = true;
        return act;
    }
    video_in_t beat;
    if (!in.read_nb(beat)) return act;
    const bool sof = beat.user[0] == 1;
    const bool eol = beat.last == 1;
    act.rgb = beat.data;
    if (fs.mode == MODE_RUN && sof) {  // SOF inside a frame: abandon, the beat starts the next one
        st.late = true;
        st.count = st.count + 1;
        act.abort = true;
        fs.mode = MODE_IDLE;
        fs.dropping = false;
    }
    if (fs.mode == MODE_RUN) {
        const bool at_end = (fs.x == W - 1);
        if (eol && !at_end) {
            st.early = true;
            st.count = st.count + 1;
            act.abort = true;
            fs.mode = MODE_RESYNC;
        } else if (!eol && at_end) {
            st.late = true;
            st.count = st.count + 1;
            act.abort = true;
            fs.mode = MODE_RESYNC;
        } else {
            act.advance = true;
            if (at_end) {
                fs.x = 0;
                fs.y = fs.y + 1;
                if (fs.y == H) fs.mode = MODE_FLUSH;
            } else {
                fs.x = fs.x + 1;
            }
        }
    } else if (sof && have_cfg) {  // IDLE or RESYNC: a frame starts
        fs.dropping = false;
        if (eol) {
            st.early = true;
            st.count = st.count + 1;
            fs.mode = MODE_RESYNC;
        } else {
            act.start = true;
            act.advance = true;
            fs.mode = MODE_RUN;
            fs.x = 1;
            fs.y = 0;
        }
    } else if (fs.mode == MODE_IDLE) {  // dropped while waiting for SOF
        st.nosof = true;
        if (!fs.dropping) st.count = st.count + 1;
        fs.dropping = true;
    }
    return act;
}

}  // namespace qcsr

#endif  // QCSR_FRAMING_H_
