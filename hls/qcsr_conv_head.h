// qcsr_conv_head.h -- first layer: F x F conv, 1 -> C channels, zero padding, ReLU (unsigned 14-bit).
//
// The head has no line buffer of its own: its column of F luma samples comes from the shared input
// line buffer (qcsr_top.cpp), which also feeds the bicubic's vertical window. When the bicubic needs
// more look-ahead than the CNN (small networks), the head taps rows further up (HEAD_ROW_OFF) and
// its window is HEAD_COL_DELAY columns longer; the oldest F columns are the kernel window.
#ifndef QCSR_CONV_HEAD_H_
#define QCSR_CONV_HEAD_H_

#include "qcsr_linebuffer.h"
#include "qcsr_requant.h"

namespace qcsr {

struct head_config {
    static const int F = arch::F;
    static const int C = arch::C;
    static const int L = arch::F + arch::HEAD_COL_DELAY;  // window length incl. the alignment delay
    typedef ap_int<arch::ACC_HEAD> accum_t;
};

// col: luma column (oldest row first); win: F x L shift register; (xo, yo): output position.
template <class CONFIG_T>
void conv_head(const u8_t col[CONFIG_T::F], u8_t win[CONFIG_T::F][CONFIG_T::L], const xdim_t xo, const row_t yo,
               const bool valid, const xdim_t W, const hdim_t H, const weight_t w[arch::NW], const shift_t s,
               uact_t out[CONFIG_T::C]) {
#pragma HLS INLINE
    const int F = CONFIG_T::F;
    window_shift<u8_t, F, CONFIG_T::L>(win, col);
    if (!valid) {
        for (int c = 0; c < CONFIG_T::C; c++) {
#pragma HLS UNROLL
            out[c] = 0;
        }
        return;
    }
    bool rok[F], cok[F];
    tap_mask<F>(yo, H, rok);
    tap_mask<F>(xo, W, cok);
    u8_t px[F][F];
    for (int dy = 0; dy < F; dy++) {
#pragma HLS UNROLL
        for (int dx = 0; dx < F; dx++) {
#pragma HLS UNROLL
            px[dy][dx] = (rok[dy] && cok[dx]) ? win[dy][dx] : u8_t(0);
        }
    }
HeadChan:
    for (int c = 0; c < CONFIG_T::C; c++) {
#pragma HLS UNROLL
        typename CONFIG_T::accum_t acc = 0;
    HeadTap:
        for (int k = 0; k < F * F; k++) {
#pragma HLS UNROLL
            acc += w[c * F * F + k] * px[k / F][k % F];
        }
        out[c] = requantize<arch::ABITS, false>(acc, s);
    }
}

}  // namespace qcsr

#endif  // QCSR_CONV_HEAD_H_
