// qcsr_shuffle.h -- pixel shuffle (tail channel c = 2*dy + dx is HR pixel (2i + dy, 2j + dx)) and
// the residual add (ARCHITECTURE.md 1): Y_f = clip(((Y_N << yn_lshift) + (Y_c << res_lshift)
// + 2^(out_shift-1)) >> out_shift, 0, 255).
#ifndef QCSR_SHUFFLE_H_
#define QCSR_SHUFFLE_H_

#include "qcsr_params.h"

namespace qcsr {

// |Y_N| < 2^23 shifted by <= 18, |Y_c| <= 2^13 shifted by <= 30: the sum fits 46 signed bits.
typedef ap_int<48> resid_acc_t;

struct resid_shifts_t {
    ap_uint<5> yn_lshift;   // [0, 18]
    ap_uint<5> res_lshift;  // [0, 30]
    ap_uint<6> out_shift;   // [14, 32]
};

inline void shuffle_residual(const sact_t tail[4], const yn_t yn[2][2], const resid_shifts_t rs, u8_t yf[2][2]) {
#pragma HLS INLINE
ShufDy:
    for (int dy = 0; dy < 2; dy++) {
#pragma HLS UNROLL
    ShufDx:
        for (int dx = 0; dx < 2; dx++) {
#pragma HLS UNROLL
            resid_acc_t a = yn[dy][dx];
            a <<= rs.yn_lshift;
            resid_acc_t b = tail[2 * dy + dx];
            b <<= rs.res_lshift;
            resid_acc_t half = 1;
            half <<= (rs.out_shift - 1);
            const resid_acc_t v = (a + b + half) >> rs.out_shift;
            yf[dy][dx] = v < 0 ? u8_t(0) : (v > 255 ? u8_t(255) : u8_t(v));
        }
    }
}

}  // namespace qcsr

#endif  // QCSR_SHUFFLE_H_
