// qcsr_depthwise.h -- one streaming KH x KW depthwise stage (C channels, zero padding, no ReLU:
// signed 14-bit output) with its own KH-1 feature line buffers of C x 14-bit activations.
#ifndef QCSR_DEPTHWISE_H_
#define QCSR_DEPTHWISE_H_

#include "qcsr_linebuffer.h"
#include "qcsr_requant.h"

namespace qcsr {

struct dw_config {
    static const int C = arch::C;
    static const int KH = arch::KH;
    static const int KW = arch::KW;
    static const int ROWS = arch::DW_LB_ROWS;
    static const int LBR = ROWS > 0 ? ROWS : 1;
    static const int MAX_W = arch::MAX_W;
    typedef ap_int<arch::ACC_DW> accum_t;
};

// lb/win: this stage's state. in/x_in/en: the incoming sample, its column, and whether the stage's
// input position has started (the stage holds still until then). (xo, yo, valid): output position.
template <class CONFIG_T>
void depthwise_stage(uact_t lb[CONFIG_T::LBR][CONFIG_T::MAX_W][CONFIG_T::C],
                     uact_t win[CONFIG_T::KH][CONFIG_T::KW][CONFIG_T::C], const uact_t in[CONFIG_T::C],
                     const xdim_t x_in, const bool en, const xdim_t xo, const row_t yo, const bool valid,
                     const xdim_t W, const hdim_t H, const weight_t w[arch::NW], const int w_off, const shift_t s,
                     sact_t out[CONFIG_T::C]) {
#pragma HLS INLINE
    const int C = CONFIG_T::C, KH = CONFIG_T::KH, KW = CONFIG_T::KW;
    if (en) {
        uact_t col[KH][C];
        linebuffer_shift_vec<uact_t, CONFIG_T::ROWS, CONFIG_T::LBR, CONFIG_T::MAX_W, C>(lb, x_in, in, col);
        window_shift_vec<uact_t, KH, KW, C>(win, col);
    }
    if (!valid) {
        for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
            out[c] = 0;
        }
        return;
    }
    bool rok[KH], cok[KW];
    tap_mask<KH>(yo, H, rok);
    tap_mask<KW>(xo, W, cok);
DwChan:
    for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
        typename CONFIG_T::accum_t acc = 0;
    DwTap:
        for (int k = 0; k < KH * KW; k++) {
#pragma HLS UNROLL
            const int dy = k / KW, dx = k % KW;
            if (rok[dy] && cok[dx]) {
                acc += w[w_off + c * KH * KW + k] * win[dy][dx][c];
            }
        }
        out[c] = requantize<arch::ABITS, true>(acc, s);
    }
}

}  // namespace qcsr

#endif  // QCSR_DEPTHWISE_H_
