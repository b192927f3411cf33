// qcsr_bicubic.h -- fixed-point x2 bicubic (Keys a = -0.5, fixedpoint/bicubic.py; RTL
// qcsr_bicubic), separable: a vertical 5-tap filter on the column entering the window (both output
// phases, all three of Y, Cb, Cr), a register of vertical results, then a horizontal 5-tap filter.
// Late computation (ARCHITECTURE.md 4.3): the process's own line buffer keeps ROWS + 2 lines, so
// its output for position o appears in iteration o + LAG (LAG = ROWS * W + COLS), exactly where the
// CNN's does; the register of vertical results is COLS + 3 long (the last 5 are the window).
// Borders replicate the edge sample: the taps that fall outside the frame select the edge tap.
// Luma keeps the exact 14-fraction-bit Y_N for the residual add; chroma is rounded half up
// (+2^13 >> 14) and clipped to [0, 255].
#ifndef QCSR_BICUBIC_H_
#define QCSR_BICUBIC_H_

#include "qcsr_csim.h"
#include "qcsr_params.h"

namespace qcsr {

// Phase filters over LR offsets -2..+2, 7 fraction bits: [0] even HR sample, [1] odd.
static const int BIC_TAPS[2][5] = {{-3, 29, 111, -9, 0}, {0, -9, 111, 29, -3}};

struct bicubic_config {
    static const int NB = arch::BIC_ROWS;   // lines held above the entering sample
    static const int L = arch::COLS + 3;    // register of vertical results (window: the oldest 5)
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
                    acc += fabric_mul<bicv_t>(BIC_TAPS[p][d], smp[d]);  // a constant tap: shifts and adds
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
                        acc[ch] += fabric_mul<yn_t>(BIC_TAPS[px][d], c[d].v[ch][py]);
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

// Dataflow process: H * W + LAG iterations; `dead` of an output is set once any input up to the
// newest one it depends on was dead (an abandoned frame).
template <class A>
void bicubic(hls::stream<ycc_tok_t>& in, const xdim_t W, const hdim_t H, const step_t n, hls::stream<bic_tok_t>& out) {
#pragma HLS INLINE off
    const int NB = bicubic_config::NB, L = bicubic_config::L;
    ycc_t lb[arch::MAX_W][NB];  // lb[x][r]: the sample r + 1 lines above, column x
#pragma HLS ARRAY_RESHAPE variable = lb complete dim = 2
#pragma HLS BIND_STORAGE variable = lb type = ram_s2p impl = bram
#pragma HLS DEPENDENCE variable = lb type = inter direction = RAW dependent = true distance = arch::MIN_W
    bic_col_t hwin[L];
#pragma HLS ARRAY_PARTITION variable = hwin complete dim = 0
    const step_t lag = step_t(arch::ROWS) * W + arch::COLS;
    xdim_t xi = 0, xo = 0;
    row_t yi = 0, yo = 0;
    bool dead = false;
BicPixels:
    for (step_t i = 0; i < n + lag; i++) {
#pragma HLS PIPELINE II = arch::FOLD
#pragma HLS LOOP_TRIPCOUNT min = arch::TRIP_LAG max = arch::TRIP_LAG
        ycc_t cur = 0;
        if (i < n) {
            const ycc_tok_t t = in.read();
            cur = t.ycc;
            dead = dead || t.dead;
        }
        ycc_t old[NB];
        for (int r = 0; r < NB; r++) old[r] = lb[xi][r];
        // vertical taps of the entering column (centre row yi - ROWS): LR rows d - 2, i.e. ROWS + 2 - d
        // lines above the entering sample
        ycc_t rows[5];
        for (int d = 0; d < 5; d++) {
            const int up = arch::ROWS + 2 - d;
            rows[d] = (up == 0) ? cur : old[up - 1];
        }
        const bic_col_t vcol = bicubic_vertical(rows, srow_t(yi) - arch::ROWS, H);
        for (int r = NB - 1; r > 0; r--) lb[xi][r] = old[r - 1];
        lb[xi][0] = cur;
        for (int k = 0; k < L - 1; k++) hwin[k] = hwin[k + 1];
        hwin[L - 1] = vcol;
        raster_next(xi, yi, W);
        if (i >= lag) {
            yn_t yn[2][2];
            u8_t cb[2][2], cr[2][2];
            bicubic_horizontal<L>(hwin, xo, W, yn, cb, cr);
            bic_tok_t o;
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    o.yn[2 * dy + dx] = yn[dy][dx];
                    o.cb[2 * dy + dx] = cb[dy][dx];
                    o.cr[2 * dy + dx] = cr[dy][dx];
#ifndef __SYNTHESIS__
                    qcsr_csim::Trace& tr = qcsr_csim::trace;
                    if (tr.armed && int(yo) < tr.H && int(xo) < tr.W)
                        tr.bicubic[(2 * int(yo) + dy) * 2 * tr.W + 2 * int(xo) + dx] = yn[dy][dx];
#endif
                }
            }
            o.dead = dead;
            out.write(o);
            raster_next(xo, yo, W);
        }
    }
    count_trips("bicubic", (unsigned long long)(n + lag));
}

}  // namespace qcsr

#endif  // QCSR_BICUBIC_H_
