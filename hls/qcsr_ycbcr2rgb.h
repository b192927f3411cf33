// qcsr_ycbcr2rgb.h -- YCbCr -> RGB of the 4 HR pixels of a position (RTL qcsr_ycbcr2rgb x 4).
#ifndef QCSR_YCBCR2RGB_H_
#define QCSR_YCBCR2RGB_H_

#include "qcsr_colour.h"
#include "qcsr_csim.h"

namespace qcsr {

template <class A>
void ycbcr2rgb(hls::stream<ycc4_tok_t>& in, const step_t n, hls::stream<blk_tok_t>& out) {
#pragma HLS INLINE off
Ycbcr2RgbPixels:
    for (step_t i = 0; i < n; i++) {
#pragma HLS PIPELINE II = A::FOLD
#pragma HLS LOOP_TRIPCOUNT min = A::TRIP_PIX max = A::TRIP_PIX
        const ycc4_tok_t t = in.read();
        blk_tok_t o;
        for (int k = 0; k < 4; k++) {
#pragma HLS UNROLL
            o.px(24 * k + 23, 24 * k) = ycbcr_to_rgb(t.p[k](7, 0), t.p[k](15, 8), t.p[k](23, 16));
        }
        o.dead = t.dead;
        out.write(o);
    }
    count_trips("ycbcr2rgb", (unsigned long long)n);
}

}  // namespace qcsr

#endif  // QCSR_YCBCR2RGB_H_
