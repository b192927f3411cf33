// qcsr_cfg_loader.h -- configuration (RTL qcsr_cfg_loader): the packet parser and the per-frame
// distribution of the active weights to the layers.
//
// cfg_loader() runs at a start of frame (called by framer_wait_sof, outside the dataflow region):
// while the `cfg_pending` input says a packet is waiting on s_axis_cfg, packets are parsed word by
// word with the checks of ARCHITECTURE.md 2 (header against the compile-time parameters and the
// limits, shifts in [-16, 48], weights in the signed WBITS range, yn_lshift in [0, 18], res_lshift
// in [0, 30], out_shift in [14, 32]) into the *inactive* half of the weight store; a packet that is
// bad or has TLAST on the wrong word is consumed up to its TLAST and rejected (status bit 19), a
// good one flips the active half and is used from this frame on; a second packet stays in the
// stream for a later frame. The frame in progress is never affected: the dataflow region of a frame
// reads only the half that was active when it started (cfg_distribute).
//
// No non-blocking access on the AXI4-Stream port: whether a packet waits is the `cfg_pending` input
// (ap_none, read through a volatile pointer at each decision), which the integrator ties to the
// configuration stream's TVALID (a packet-mode AXI4-Stream FIFO in front makes it "a whole packet
// waits"). Older UG1399 versions allow empty()/read_nb only on ap_fifo ports (docs/hls.md).
//
// The store is the only state carried from frame to frame: a static array (block RAM, RESET off,
// its contents are not control state) and the small cfg_state (registers, reset by ap_rst_n:
// RESET pragma in qcsr_top.cpp).
#ifndef QCSR_CFG_LOADER_H_
#define QCSR_CFG_LOADER_H_

#include "qcsr_params.h"
#include "qcsr_shuffle.h"

namespace qcsr {

typedef ap_int<16> cfg_word_t;  // a layer's shift, then its weights (cfg_distribute -> layer)

struct cfg_state {
    bool valid;      // a configuration is active (no frame is processed before the first)
    ap_uint<1> act;  // active half of the store
    xdim_t W[2];
    hdim_t H[2];
    shift_t s[2][arch::NL];
    resid_shifts_t rs[2];
    cfg_state() : valid(false), act(0) {
        for (int h = 0; h < 2; h++) {
            W[h] = 0;
            H[h] = 0;
            rs[h].yn_lshift = 0;
            rs[h].res_lshift = 0;
            rs[h].out_shift = 0;
            for (int l = 0; l < arch::NL; l++) s[h][l] = 0;
        }
    }
};

// One packet from `in` (blocking until its TLAST) into half `h` of the store. Returns true when good.
template <class A>
bool cfg_parse_packet(hls::stream<cfg_t>& in, weight_t store[2][A::NW], cfg_state& cs, const ap_uint<1> h) {
#pragma HLS INLINE off
    ap_uint<bits_for(A::CFG_LEN)> idx = 0;  // word index, saturates at CFG_LEN (TLAST missing)
    ap_uint<bits_for(A::NL)> layer = 0;
    ap_uint<bits_for(A::CFG_LEN)> remain = 0;  // weights left in this layer
    ap_uint<bits_for(A::NW)> k = 0;             // weight index
    bool in_weights = false, bad = false;
CfgWords:
    for (;;) {
#pragma HLS PIPELINE II = 1
        const cfg_t word = in.read();
        const ap_int<32> v = word.data;
        bool ok = true;
        if (idx < A::CFG_HDR) {
            switch (int(idx)) {
                case 0: ok = word.data == ap_uint<32>(A::CFG_MAGIC); break;
                case 1: ok = v == A::CFG_VERSION; break;
                case 2: ok = v >= A::MIN_W && v <= A::MAX_W; cs.W[h] = v; break;
                case 3: ok = v >= A::MIN_H && v <= A::MAX_H; cs.H[h] = v; break;
                case 4: ok = v == A::F; break;
                case 5: ok = v == A::C; break;
                case 6: ok = v == A::N; break;
                case 7: ok = v == A::KH; break;
                case 8: ok = v == A::KW; break;
                case 9: ok = v == A::G; break;
                case 10: ok = v == A::WBITS; break;
                default: ok = v == A::ABITS; break;
            }
        } else if (idx < A::CFG_LEN - 3) {
            if (!in_weights) {
                ok = v >= A::SHIFT_MIN && v <= A::SHIFT_MAX;
                cs.s[h][layer] = v;
                remain = A::layer_nw(layer);
                in_weights = true;
            } else {
                ok = v >= -(1 << (A::WBITS - 1)) && v < (1 << (A::WBITS - 1));
                store[h][k] = v;
                k = k + 1;
                remain = remain - 1;
                if (remain == 0) {
                    layer = layer + 1;
                    in_weights = false;
                }
            }
        } else if (idx == A::CFG_LEN - 3) {
            ok = v >= 0 && v <= A::YN_LSHIFT_MAX;
            cs.rs[h].yn_lshift = v;
        } else if (idx == A::CFG_LEN - 2) {
            ok = v >= 0 && v <= A::RES_LSHIFT_MAX;
            cs.rs[h].res_lshift = v;
        } else if (idx == A::CFG_LEN - 1) {
            ok = v >= A::OUT_SHIFT_MIN && v <= A::OUT_SHIFT_MAX;
            cs.rs[h].out_shift = v;
        } else {
            ok = false;  // beyond the last word: TLAST missing
        }
        if (word.last) return !bad && ok && idx == A::CFG_LEN - 1;
        if (!ok || idx == A::CFG_LEN - 1) bad = true;
        if (idx < A::CFG_LEN) idx = idx + 1;
    }
}

// At a start of frame: parse the packets that wait (cfg_pending) until one is good (it becomes
// active). Returns true if a packet was rejected. `pending` is read before each packet: it is the
// port's live level (volatile), the decision whether to read, never a read of the stream itself.
template <class A>
bool cfg_loader(hls::stream<cfg_t>& in, volatile const bool* pending, weight_t store[2][A::NW], cfg_state& cs) {
#pragma HLS INLINE off
    bool rejected = false;
CfgPackets:
    while (*pending) {
#pragma HLS LOOP_TRIPCOUNT min = 0 max = 2
        const ap_uint<1> h = ~cs.act;
        if (cfg_parse_packet<A>(in, store, cs, h)) {
            cs.act = h;
            cs.valid = true;
            break;
        }
        rejected = true;
    }
    return rejected;
}

// The active half's shifts as one word (passed into the dataflow region as a scalar).
template <class A>
shifts_t pack_shifts(const cfg_state& cs, const ap_uint<1> h) {
#pragma HLS INLINE
    shifts_t sp = 0;
    for (int l = 0; l < A::NL; l++) {
#pragma HLS UNROLL
        sp(8 * l + 7, 8 * l) = ap_uint<8>(h ? cs.s[1][l] : cs.s[0][l]);
    }
    return sp;
}

// Dataflow process: the active half's shifts and weights, layer by layer, to each layer's stream
// (shift first). The layer loop is unrolled: each layer's stream and store offset are constants, one
// pipelined loop per layer (no run-time index into the stream array). The layers read them into
// registers before their pixel loop.
template <class A>
void cfg_distribute(const weight_t store[2][A::NW], const shifts_t sp, const ap_uint<1> h,
                    hls::stream<cfg_word_t> layer_cfg[A::NL]) {
#pragma HLS INLINE off
CfgLayers:
    for (int l = 0; l < A::NL; l++) {
#pragma HLS UNROLL
        const int k = A::layer_off(l);
        layer_cfg[l].write(cfg_word_t(shift_t(sp(8 * l + 7, 8 * l))));
    CfgWeights:
        for (int i = 0; i < A::layer_nw(l); i++) {
#pragma HLS PIPELINE II = 1
            layer_cfg[l].write(cfg_word_t(store[h][k + i]));
        }
    }
}

// A layer's prologue: its shift, then its CO x K weights from its configuration stream into
// registers (row and column counters, no divider).
template <int CO, int K>
shift_t load_layer(hls::stream<cfg_word_t>& cfg, weight_t w[CO][K]) {
#pragma HLS INLINE
    const shift_t s = cfg.read();
    ap_uint<bits_for(CO)> r = 0;
    ap_uint<bits_for(K)> c = 0;
LayerWeights:
    for (int i = 0; i < CO * K; i++) {
#pragma HLS PIPELINE II = 1
        w[r][c] = cfg.read();
        if (c == K - 1) {
            c = 0;
            r = r + 1;
        } else {
            c = c + 1;
        }
    }
    return s;
}

}  // namespace qcsr

#endif  // QCSR_CFG_LOADER_H_
