// qcsr_config.h -- configuration packet loader (s_axis_cfg, golden/config_packet.py).
//
// One word per call. Every word is checked as it arrives: header values against the compile-time
// parameters and the frame limits, shifts in [-16, 48], weights in the signed WBITS range,
// yn_lshift in [0, 18], res_lshift in [0, 30], out_shift in [14, 32]. Words go to the shadow
// registers (weights through a shift chain, as in the RTL); a packet that is bad or has TLAST on
// the wrong word is consumed up to its TLAST and rejected there (status bit 19); the active set
// is never touched by the loader. A good packet
// sets `pending`; while a packet is pending the loader reads nothing (TREADY low), so a later
// packet waits instead of overwriting it. The front copies shadow -> active at the next start of
// frame and clears `pending`.
#ifndef QCSR_CONFIG_H_
#define QCSR_CONFIG_H_

#include "qcsr_params.h"
#include "qcsr_shuffle.h"

namespace qcsr {

struct cfg_loader_state {
    ap_uint<bits_for(arch::CFG_LEN)> idx;  // word index, saturates at CFG_LEN (TLAST missing)
    bool bad;                              // a word of this packet was rejected
    ap_uint<bits_for(arch::NL)> layer;
    ap_uint<bits_for(arch::CFG_LEN)> remain;  // weights left in this layer
    bool in_weights;
    void reset() {
        idx = 0;
        bad = false;
        layer = 0;
        remain = 0;
        in_weights = false;
    }
};

// Returns true in the call that rejects a packet.
template <class A>
bool config_loader(hls::stream<cfg_t>& in, cfg_loader_state& st, bool& pending, weight_t sw[A::NW],
                   shift_t ss[A::NL], xdim_t& sW, hdim_t& sH, resid_shifts_t& sres) {
#pragma HLS INLINE
    if (pending) return false;
    cfg_t word;
    if (!in.read_nb(word)) return false;
    const ap_int<32> v = word.data;
    const int idx = st.idx;
    bool ok = true;
    if (idx < A::CFG_HDR) {
        switch (idx) {
            case 0: ok = word.data == ap_uint<32>(A::CFG_MAGIC); break;
            case 1: ok = v == A::CFG_VERSION; break;
            case 2: ok = v >= A::MIN_W && v <= A::MAX_W; sW = v; break;
            case 3: ok = v >= A::MIN_H && v <= A::MAX_H; sH = v; break;
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
        if (!st.in_weights) {
            ok = v >= A::SHIFT_MIN && v <= A::SHIFT_MAX;
            ss[st.layer] = v;
            st.remain = A::layer_nw(st.layer);
            st.in_weights = true;
        } else {
            ok = v >= -(1 << (A::WBITS - 1)) && v < (1 << (A::WBITS - 1));
            // shift chain (as the RTL): after the whole packet, weight k sits in sw[k]
        CfgShift:
            for (int i = 0; i < A::NW - 1; i++) {
#pragma HLS UNROLL
                sw[i] = sw[i + 1];
            }
            sw[A::NW - 1] = v;
            st.remain = st.remain - 1;
            if (st.remain == 0) {
                st.layer = st.layer + 1;
                st.in_weights = false;
            }
        }
    } else if (idx == A::CFG_LEN - 3) {
        ok = v >= 0 && v <= A::YN_LSHIFT_MAX;
        sres.yn_lshift = v;
    } else if (idx == A::CFG_LEN - 2) {
        ok = v >= 0 && v <= A::RES_LSHIFT_MAX;
        sres.res_lshift = v;
    } else if (idx == A::CFG_LEN - 1) {
        ok = v >= A::OUT_SHIFT_MIN && v <= A::OUT_SHIFT_MAX;
        sres.out_shift = v;
    } else {
        ok = false;  // beyond the last word: TLAST missing
    }
    if (word.last) {
        const bool good = !st.bad && ok && idx == A::CFG_LEN - 1;
        st.reset();
        if (good) {
            pending = true;
            return false;
        }
        return true;
    }
    if (idx < A::CFG_LEN) st.idx = st.idx + 1;
    if (!ok || idx == A::CFG_LEN - 1) st.bad = true;
    return false;
}

}  // namespace qcsr

#endif  // QCSR_CONFIG_H_
