// qcsr_colour.h -- integer BT.601 colour conversion (fixedpoint/colour.py, ARCHITECTURE.md 1):
// 16 fraction bits, round half up (+2^15, arithmetic >> 16), clip to [0, 255]. The constant
// products are built in fabric (fabric_mul): shifts and adds, no DSP.
#ifndef QCSR_COLOUR_H_
#define QCSR_COLOUR_H_

#include "qcsr_params.h"

namespace qcsr {

typedef ap_int<28> colour_acc_t;  // |acc| < 2^26 for every row of both matrices

// A constant coefficient times a sample, in fabric (fabric_mul: BIND_OP impl=fabric).
inline colour_acc_t cmul(const int k, const ap_int<10> x) {
#pragma HLS INLINE
    return fabric_mul<colour_acc_t>(k, x);
}

inline u8_t colour_round_clip(const colour_acc_t acc) {
#pragma HLS INLINE
    const colour_acc_t v = (acc + colour_acc_t(1 << 15)) >> 16;
    return v < 0 ? u8_t(0) : (v > 255 ? u8_t(255) : u8_t(v));
}

// UG934 pixel (G [7:0], B [15:8], R [23:16]) -> packed Y [7:0], Cb [15:8], Cr [23:16].
inline ycc_t rgb_to_ycbcr(const ap_uint<24> pix) {
#pragma HLS INLINE
    const ap_int<10> g = ap_uint<8>(pix(7, 0));
    const ap_int<10> b = ap_uint<8>(pix(15, 8));
    const ap_int<10> r = ap_uint<8>(pix(23, 16));
    const colour_acc_t y = cmul(16829, r) + cmul(33039, g) + cmul(6416, b) +
                           colour_acc_t(16 << 16);
    const colour_acc_t cb = cmul(-9714, r) + cmul(-19070, g) + cmul(28784, b) +
                            colour_acc_t(128 << 16);
    const colour_acc_t cr = cmul(28784, r) + cmul(-24103, g) + cmul(-4681, b) +
                            colour_acc_t(128 << 16);
    ycc_t out;
    out(7, 0) = colour_round_clip(y);
    out(15, 8) = colour_round_clip(cb);
    out(23, 16) = colour_round_clip(cr);
    return out;
}

// (Y, Cb, Cr) -> UG934 pixel, on (Y - 16, Cb - 128, Cr - 128).
inline ap_uint<24> ycbcr_to_rgb(const u8_t y8, const u8_t cb8, const u8_t cr8) {
#pragma HLS INLINE
    const ap_int<10> y = ap_int<10>(y8) - 16;
    const ap_int<10> cb = ap_int<10>(cb8) - 128;
    const ap_int<10> cr = ap_int<10>(cr8) - 128;
    const colour_acc_t r = cmul(76309, y) + cmul(104597, cr);
    const colour_acc_t g = cmul(76309, y) + cmul(-25675, cb) + cmul(-53279, cr);
    const colour_acc_t b = cmul(76309, y) + cmul(132201, cb);
    ap_uint<24> out;
    out(7, 0) = colour_round_clip(g);
    out(15, 8) = colour_round_clip(b);
    out(23, 16) = colour_round_clip(r);
    return out;
}

}  // namespace qcsr

#endif  // QCSR_COLOUR_H_
