// qcsr_requant.h -- SPEC section 3 requantization: q = sat((acc + 2^(s-1)) >> s), exact acc << -s
// for s <= 0. The rounding is AP_RND (half toward +inf) and the clamp AP_SAT; the run-time shift
// rules out a fixed ap_fixed format, so the C++ spells the two steps out on ap_int. The testbench
// checks this function against ap_fixed<..., AP_RND, AP_SAT> conversions for every shift.
#ifndef QCSR_REQUANT_H_
#define QCSR_REQUANT_H_

#include "qcsr_params.h"

namespace qcsr {

static const int MAX_LSHIFT = -arch::SHIFT_MIN;  // 16

// Returns the requantized code in OUT_BITS + 1 signed bits (holds either signedness).
template <int OUT_BITS, bool OUT_SIGNED, int ACC_W>
inline ap_int<OUT_BITS + 1> requantize(const ap_int<ACC_W> acc, const shift_t s) {
#pragma HLS INLINE
    const long long QMAX = OUT_SIGNED ? (1LL << (OUT_BITS - 1)) - 1 : (1LL << OUT_BITS) - 1;
    const long long QMIN = OUT_SIGNED ? -(1LL << (OUT_BITS - 1)) : 0;
    ap_int<ACC_W + MAX_LSHIFT + 1> v;
    if (s > 0) {
        // Shifts >= ACC_W all give 0 (|acc| < 2^(ACC_W-1)), so the shifter only needs ACC_W steps.
        const ap_uint<bits_for(ACC_W)> sh = (s > ACC_W) ? ap_uint<bits_for(ACC_W)>(ACC_W)
                                                        : ap_uint<bits_for(ACC_W)>(s);
        ap_int<ACC_W + 1> half = 1;
        half <<= (sh - 1);
        const ap_int<ACC_W + 1> sum = ap_int<ACC_W + 1>(acc) + half;  // no overflow in ACC_W + 1 bits
        v = sum >> sh;                                               // arithmetic shift
    } else {
        v = acc;
        v <<= ap_uint<5>(-s);  // exact: ACC_W + 16 + 1 bits hold every value
    }
    ap_int<OUT_BITS + 1> q;
    if (v > QMAX) {
        q = QMAX;
    } else if (v < QMIN) {
        q = QMIN;
    } else {
        q = v;
    }
    return q;
}

}  // namespace qcsr

#endif  // QCSR_REQUANT_H_
