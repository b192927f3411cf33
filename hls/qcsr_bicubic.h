// qcsr_bicubic.h -- fixed-point x2 bicubic (Keys a = -0.5, fixedpoint/bicubic.py), separable:
// a vertical 5-tap filter on a column of the shared input line buffer (both output phases, all
// three of Y, Cb, Cr), a column delay that aligns it with the CNN, then a horizontal 5-tap filter.
// Borders replicate the edge sample: the taps that fall outside the frame select the edge tap.
// Luma keeps the exact 14-fraction-bit Y_N for the residual add; chroma is rounded half up
// (+2^13 >> 14) and clipped to [0, 255].
#ifndef QCSR_BICUBIC_H_
#define QCSR_BICUBIC_H_

#include "qcsr_params.h"

namespace qcsr {

// Phase filters over LR offsets -2..+2, 7 fraction bits: [0] even HR sample, [1] odd.
static const int BIC_TAPS[2][5] = {{-3, 29, 111, -9, 0}, {0, -9, 111, 29, -3}};

struct bicubic_config {
    static const int L = arch::BIC_COL_DELAY + 5;  // horizontal window incl. the alignment delay
};

struct bic_col_t {
    bicv_t v[3][2];  // [Y, Cb, Cr][phase]
};

// Edge replication as a tap selection: tap d of a 5-tap window centred on o reads position
// clamp(o + d - 2, 0, len - 1), i.e. window tap sel[d]. Only meaningful for 0 <= o < len; other
// centres (warm-up and flush positions nobody consumes) get an in-range dummy.
template <class COORD_T, class LEN_T>
inline void replicate_select(const COORD_T o, const LEN_T len, ap_uint<3> sel[5]) {
#pragma HLS INLINE
    const int oi = int(o), n = int(len);
    for (int d = 0; d < 5; d++) {
#pragma HLS UNROLL
        int p = oi + d - 2;
        p = p < 0 ? 0 : (p > n - 1 ? n - 1 : p);
        int t = p - oi + 2;
        t = t < 0 ? 0 : (t > 4 ? 4 : t);
        sel[d] = t;
    }
}

// rows[d]: packed YCbCr of LR row yc + d - 2 (raw, before replication); yc: the column's row.
inline bic_col_t bicubic_vertical(const ycc_t rows[5], const srow_t yc, const hdim_t H) {
#pragma HLS INLINE
    ap_uint<3> sel[5];
    replicate_select(yc, H, sel);
    bic_col_t out;
BicVch:
    for (int ch = 0; ch < 3; ch++) {
#pragma HLS UNROLL
        u8_t smp[5];
        for (int d = 0; d < 5; d++) {
#pragma HLS UNROLL
            smp[d] = rows[sel[d]](8 * ch + 7, 8 * ch);
        }
    BicVphase:
        for (int p = 0; p < 2; p++) {
#pragma HLS UNROLL
            bicv_t acc = 0;
            for (int d = 0; d < 5; d++) {
#pragma HLS UNROLL
                if (BIC_TAPS[p][d] != 0) {
                    acc += bicv_t(BIC_TAPS[p][d]) * smp[d];
                }
            }
            out.v[ch][p] = acc;
        }
    }
    return out;
}

// win[0..4]: vertically filtered columns xo-2..xo+2 (raw). yn[py][px] is HR (2yo+py, 2xo+px).
template <int L>
inline void bicubic_horizontal(const bic_col_t win[L], const xdim_t xo, const xdim_t W, yn_t yn[2][2],
                               u8_t cb[2][2], u8_t cr[2][2]) {
#pragma HLS INLINE
    ap_uint<3> sel[5];
    replicate_select(xo, W, sel);
    bic_col_t c[5];
    for (int d = 0; d < 5; d++) {
#pragma HLS UNROLL
        c[d] = win[sel[d]];
    }
BicHpy:
    for (int py = 0; py < 2; py++) {
#pragma HLS UNROLL
    BicHpx:
        for (int px = 0; px < 2; px++) {
#pragma HLS UNROLL
            yn_t acc[3] = {0, 0, 0};
            for (int ch = 0; ch < 3; ch++) {
#pragma HLS UNROLL
                for (int d = 0; d < 5; d++) {
#pragma HLS UNROLL
                    if (BIC_TAPS[px][d] != 0) {
                        acc[ch] += yn_t(BIC_TAPS[px][d]) * c[d].v[ch][py];
                    }
                }
            }
            yn[py][px] = acc[0];
            const yn_t rb = (acc[1] + yn_t(1 << 13)) >> 14;
            const yn_t rr = (acc[2] + yn_t(1 << 13)) >> 14;
            cb[py][px] = rb < 0 ? u8_t(0) : (rb > 255 ? u8_t(255) : u8_t(rb));
            cr[py][px] = rr < 0 ? u8_t(0) : (rr > 255 ? u8_t(255) : u8_t(rr));
        }
    }
}

}  // namespace qcsr

#endif  // QCSR_BICUBIC_H_
