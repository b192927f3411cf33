// qcsr_pointwise.h -- 1x1 layers: the pointwise stage (C -> C, ReLU, unsigned 14-bit) and the
// grouped tail (C -> 4, G groups, no ReLU, signed 14-bit). No padding, no line buffer.
#ifndef QCSR_POINTWISE_H_
#define QCSR_POINTWISE_H_

#include "qcsr_requant.h"

namespace qcsr {

struct pw_config {
    static const int C = arch::C;
    typedef ap_int<arch::ACC_PW> accum_t;
};

struct tail_config {
    static const int C = arch::C;
    static const int OUT = arch::OUT_CH;
    static const int CIN_G = arch::TAIL_CIN;
    static const int COUT_G = arch::TAIL_COUT;
    typedef ap_int<arch::ACC_TAIL> accum_t;
};

template <class CONFIG_T>
void pointwise_stage(const sact_t in[CONFIG_T::C], const weight_t w[arch::NW], const int w_off, const shift_t s,
                     uact_t out[CONFIG_T::C]) {
#pragma HLS INLINE
PwOut:
    for (int o = 0; o < CONFIG_T::C; o++) {
#pragma HLS UNROLL
        typename CONFIG_T::accum_t acc = 0;
    PwIn:
        for (int i = 0; i < CONFIG_T::C; i++) {
#pragma HLS UNROLL
            acc += w[w_off + o * CONFIG_T::C + i] * in[i];
        }
        out[o] = requantize<arch::ABITS, false>(acc, s);
    }
}

// Output channel p belongs to group p / COUT_G and reads that group's CIN_G input channels.
template <class CONFIG_T>
void pointwise_tail(const uact_t in[CONFIG_T::C], const weight_t w[arch::NW], const int w_off, const shift_t s,
                    sact_t out[CONFIG_T::OUT]) {
#pragma HLS INLINE
TailOut:
    for (int p = 0; p < CONFIG_T::OUT; p++) {
#pragma HLS UNROLL
        const int base = (p / CONFIG_T::COUT_G) * CONFIG_T::CIN_G;
        typename CONFIG_T::accum_t acc = 0;
    TailIn:
        for (int j = 0; j < CONFIG_T::CIN_G; j++) {
#pragma HLS UNROLL
            acc += w[w_off + p * CONFIG_T::CIN_G + j] * in[base + j];
        }
        out[p] = requantize<arch::ABITS, true>(acc, s);
    }
}

}  // namespace qcsr

#endif  // QCSR_POINTWISE_H_
