// qcsr_rgb2ycbcr.h -- RGB -> YCbCr (RTL qcsr_rgb2ycbcr; the integer BT.601 of qcsr_colour.h).
// Luma goes to the head, the packed YCbCr (with the abandoned-frame flag) to the late bicubic.
#ifndef QCSR_RGB2YCBCR_H_
#define QCSR_RGB2YCBCR_H_

#include "qcsr_colour.h"
#include "qcsr_csim.h"

namespace qcsr {

template <class A>
void rgb2ycbcr(hls::stream<pix_tok_t>& in, const xdim_t W, const step_t n, hls::stream<luma_tok_t>& luma,
               hls::stream<ycc_tok_t>& ycc) {
#pragma HLS INLINE off
    xdim_t x = 0;
    hdim_t y = 0;
Rgb2YcbcrPixels:
    for (step_t i = 0; i < n; i++) {
#pragma HLS PIPELINE II = A::FOLD
#pragma HLS LOOP_TRIPCOUNT min = A::TRIP_PIX max = A::TRIP_PIX
        const pix_tok_t t = in.read();
        const ycc_t c = t.dead ? ycc_t(0) : rgb_to_ycbcr(t.rgb);
        luma_tok_t l;
        l.v[0] = c(7, 0);
        luma.write(l);
        ycc_tok_t o;
        o.ycc = c;
        o.dead = t.dead;
        ycc.write(o);
#ifndef __SYNTHESIS__
        qcsr_csim::Trace& tr = qcsr_csim::trace;
        if (tr.armed && int(y) < tr.H && int(x) < tr.W) {
            const int k = (int(y) * tr.W + int(x)) * 3;
            tr.ycbcr_lr[k] = c(7, 0);
            tr.ycbcr_lr[k + 1] = c(15, 8);
            tr.ycbcr_lr[k + 2] = c(23, 16);
        }
#endif
        raster_next(x, y, W);
    }
    count_trips("rgb2ycbcr", (unsigned long long)n);
}

}  // namespace qcsr

#endif  // QCSR_RGB2YCBCR_H_
