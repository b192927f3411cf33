// qcsr_requant.h -- SPEC section 3 requantization: q = sat((acc + 2^(s-1)) >> s), exact acc << -s
// for s <= 0. The rounding is AP_RND (half toward +inf) and the clamp AP_SAT; the run-time shift
// rules out a fixed ap_fixed format, so the C++ spells the two steps out on ap_int. The testbench
// checks this function against ap_fixed<..., AP_RND, AP_SAT> conversions for every shift.
//
// The shift is decoded once per layer (requant_shift, in the layer's prologue, constant for the
// frame) and shared by all of the layer's output channels, as the RTL's qcsr_requant LANES share
// one decode: each channel keeps only its adder and shifter.
#ifndef QCSR_REQUANT_H_
#define QCSR_REQUANT_H_

#include "qcsr_params.h"

namespace qcsr {

static const int MAX_LSHIFT = -arch::SHIFT_MIN;  // 16

// A layer's decoded shift.
template <int ACC_W>
struct requant_shift {
    bool right;                   // s > 0: round and shift right
    ap_uint<bits_for(ACC_W)> sh;  // right shift, min(s, ACC_W): larger shifts all give 0 (|acc| < 2^(ACC_W-1))
    ap_int<ACC_W + 1> half;       // 2^(sh - 1), the rounding constant
    ap_uint<5> lsh;               // left shift -s (s <= 0): exact
};

template <int ACC_W>
inline requant_shift<ACC_W> decode_shift(const shift_t s) {
#pragma HLS INLINE
    requant_shift<ACC_W> d;
    d.right = s > 0;
    d.sh = (s > ACC_W) ? ap_uint<bits_for(ACC_W)>(ACC_W) : ap_uint<bits_for(ACC_W)>(d.right ? int(s) : 1);
    d.half = 1;
    d.half <<= (d.sh - 1);
    d.lsh = d.right ? ap_uint<5>(0) : ap_uint<5>(-s);
    return d;
}

// Returns the requantized code in OUT_BITS + 1 signed bits (holds either signedness).
template <int OUT_BITS, bool OUT_SIGNED, int ACC_W>
inline ap_int<OUT_BITS + 1> requantize(const ap_int<ACC_W> acc, const requant_shift<ACC_W>& d) {
#pragma HLS INLINE
    const long long QMAX = OUT_SIGNED ? (1LL << (OUT_BITS - 1)) - 1 : (1LL << OUT_BITS) - 1;
    const long long QMIN = OUT_SIGNED ? -(1LL << (OUT_BITS - 1)) : 0;
    ap_int<ACC_W + MAX_LSHIFT + 1> v;
    if (d.right) {
        const ap_int<ACC_W + 1> sum = ap_int<ACC_W + 1>(acc) + d.half;  // no overflow in ACC_W + 1 bits
        v = sum >> d.sh;                                                 // arithmetic shift
    } else {
        v = acc;
        v <<= d.lsh;  // exact: ACC_W + 16 + 1 bits hold every value
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

// The same with the shift decoded on the spot (testbench).
template <int OUT_BITS, bool OUT_SIGNED, int ACC_W>
inline ap_int<OUT_BITS + 1> requantize(const ap_int<ACC_W> acc, const shift_t s) {
#pragma HLS INLINE
    return requantize<OUT_BITS, OUT_SIGNED, ACC_W>(acc, decode_shift<ACC_W>(s));
}

}  // namespace qcsr

#endif  // QCSR_REQUANT_H_
