// qcsr_residual.h -- pixel shuffle and residual add (RTL qcsr_residual; the arithmetic of
// qcsr_shuffle.h): tail channel 2*dy + dx of position (r, c) is the residual of HR pixel
// (2r + dy, 2c + dx), the bicubic path brings Y_N, Cb and Cr of the same 4 pixels.
#ifndef QCSR_RESIDUAL_H_
#define QCSR_RESIDUAL_H_

#include "qcsr_csim.h"
#include "qcsr_shuffle.h"

namespace qcsr {

template <class A>
void residual(hls::stream<tail_tok_t>& tail, hls::stream<bic_tok_t>& bic, const xdim_t W, const step_t n,
              const resid_shifts_t rs, hls::stream<ycc4_tok_t>& out) {
#pragma HLS INLINE off
    xdim_t x = 0;
    hdim_t y = 0;
ResidualPixels:
    for (step_t i = 0; i < n; i++) {
#pragma HLS PIPELINE II = A::FOLD
#pragma HLS LOOP_TRIPCOUNT min = A::TRIP_PIX max = A::TRIP_PIX
        const tail_tok_t t = tail.read();
        const bic_tok_t b = bic.read();
        yn_t yn[2][2];
        u8_t yf[2][2];
        for (int k = 0; k < 4; k++) yn[k / 2][k % 2] = b.yn[k];
        shuffle_residual(t.v, yn, rs, yf);
        ycc4_tok_t o;
        for (int k = 0; k < 4; k++) {
            ycc_t p;
            p(7, 0) = yf[k / 2][k % 2];
            p(15, 8) = b.cb[k];
            p(23, 16) = b.cr[k];
            o.p[k] = p;
#ifndef __SYNTHESIS__
            qcsr_csim::Trace& tr = qcsr_csim::trace;
            if (tr.armed && int(y) < tr.H && int(x) < tr.W) {
                const int hr = (2 * int(y) + k / 2) * 2 * tr.W + 2 * int(x) + k % 2;
                tr.residual_hr[hr] = t.v[k];
                tr.y_hr[hr] = yf[k / 2][k % 2];
                tr.ycbcr_hr[3 * hr] = yf[k / 2][k % 2];
                tr.ycbcr_hr[3 * hr + 1] = b.cb[k];
                tr.ycbcr_hr[3 * hr + 2] = b.cr[k];
            }
#endif
        }
        o.dead = b.dead;
        out.write(o);
        raster_next(x, y, W);
    }
    count_trips("residual", (unsigned long long)n);
}

}  // namespace qcsr

#endif  // QCSR_RESIDUAL_H_
