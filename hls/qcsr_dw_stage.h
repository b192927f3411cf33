// qcsr_dw_stage.h -- a KH x KW window layer (RTL qcsr_dw_stage): the head (F x F, 1 -> C, ReLU,
// unsigned 14-bit out) and each depthwise layer (KH x KW per channel, signed 14-bit out).
//
// One dataflow process per layer, hls4ml io_stream / Vitis Vision filter2D style: its line buffer
// and window are local to it. The stream is raster-linear (line ends wrap), so the window centred on
// position o is complete when input o + LAG arrives, LAG = (KH/2)*W + KW/2; the loop runs H*W + LAG
// iterations (the last LAG with zero inputs: the flush) and writes output o in iteration o + LAG.
// Taps outside the frame (rows above the first or below the last, wrapped columns) are zero
// padding: the product is left out from the output position, so the line buffer never needs
// clearing (its contents before the frame's first rows are never used).
//
// Line buffer: one word per column holding the KH-1 previous lines (ARRAY_RESHAPE), one read and
// one write of the same word per iteration; the word written for column x is read again W
// iterations later, so its dependence distance is at least MIN_W (declared, ARCHITECTURE.md 5.2).
// FOLD: PIPELINE II = FOLD and ALLOCATION limit the multipliers to CO * KH * KW / FOLD.
#ifndef QCSR_DW_STAGE_H_
#define QCSR_DW_STAGE_H_

#include "qcsr_cfg_loader.h"
#include "qcsr_csim.h"
#include "qcsr_requant.h"

namespace qcsr {

// CIN = 1 (head): every output channel reads input channel 0; CIN = CO (depthwise): channel co.
template <class IN_T, int CIN_, class OUT_T, int CO_, int KH_, int KW_, bool OUT_SIGNED_, int ACC_W_, int LAYER_>
struct window_config {
    typedef IN_T in_t;
    typedef OUT_T out_t;
    static const int CIN = CIN_, CO = CO_, KH = KH_, KW = KW_, K = KH_ * KW_;
    static const bool OUT_SIGNED = OUT_SIGNED_;
    static const int ACC_W = ACC_W_;
    static const int LAYER = LAYER_;           // index in head, dw1, pw1, ..., tail (trace)
    static const int LBR = KH_ > 1 ? KH_ - 1 : 1;
    static const int MULS = CO_ * KH_ * KW_ / arch::FOLD;
    static const int TRIP = arch::TRIP_PIX + (KH_ / 2) * arch::MAX_W + KW_ / 2;  // LOOP_TRIPCOUNT (report only)
};

typedef window_config<u8_t, 1, uact_t, arch::C, arch::F, arch::F, false, arch::ACC_HEAD, 0> head_config;
template <int B>
struct dw_config : window_config<uact_t, arch::C, sact_t, arch::C, arch::KH, arch::KW, true, arch::ACC_DW, 2 * B + 1> {};

template <class CFG>
void dw_stage(hls::stream<vec_t<typename CFG::in_t, CFG::CIN> >& in, hls::stream<cfg_word_t>& cfg, const xdim_t W,
              const hdim_t H, const step_t n, hls::stream<vec_t<typename CFG::out_t, CFG::CO> >& out) {
#pragma HLS INLINE off
    typedef typename CFG::in_t in_t;
    const int CIN = CFG::CIN, CO = CFG::CO, KH = CFG::KH, KW = CFG::KW, K = CFG::K;

    // this frame's shift and weights (registers)
    weight_t w[CO][K];
#pragma HLS ARRAY_PARTITION variable = w complete dim = 0
    const requant_shift<CFG::ACC_W> rq = decode_shift<CFG::ACC_W>(load_layer<CO, K>(cfg, w));  // one decode per layer

    in_t lb[arch::MAX_W][CFG::LBR][CIN];  // lb[x][r]: the sample r + 1 lines above, column x
#pragma HLS ARRAY_RESHAPE variable = lb complete dim = 2
#pragma HLS ARRAY_RESHAPE variable = lb complete dim = 3
#pragma HLS BIND_STORAGE variable = lb type = ram_s2p impl = bram
#pragma HLS DEPENDENCE variable = lb type = inter direction = RAW dependent = true distance = arch::MIN_W
    in_t win[KH][KW][CIN];  // win[dy][dx]: row offset dy - KH/2, column offset dx - KW/2
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0

    const step_t lag = step_t(KH / 2) * W + KW / 2;
    xdim_t xi = 0, xo = 0;
    row_t yo = 0;
DwPixels:
    for (step_t i = 0; i < n + lag; i++) {
#pragma HLS PIPELINE II = arch::FOLD
#pragma HLS LOOP_TRIPCOUNT min = CFG::TRIP max = CFG::TRIP
#pragma HLS ALLOCATION operation instances = mul limit = CFG::MULS
        vec_t<in_t, CIN> t;
        if (i < n) {
            t = in.read();
        } else {
            for (int c = 0; c < CIN; c++) t.v[c] = 0;  // flush
        }
        // the column entering the window: KH-1 lines from the line buffer, then the new sample
        in_t col[KH][CIN];
    DwColumn:
        for (int c = 0; c < CIN; c++) {
#pragma HLS UNROLL
            in_t old[CFG::LBR];
            for (int r = 0; r < KH - 1; r++) old[r] = lb[xi][r][c];
            for (int dy = 0; dy < KH - 1; dy++) col[dy][c] = old[KH - 2 - dy];
            col[KH - 1][c] = t.v[c];
            if (KH > 1) {
                for (int r = KH - 2; r > 0; r--) lb[xi][r][c] = old[r - 1];
                lb[xi][0][c] = t.v[c];
            }
        }
    DwShift:
        for (int dy = 0; dy < KH; dy++) {
#pragma HLS UNROLL
            for (int c = 0; c < CIN; c++) {
#pragma HLS UNROLL
                for (int dx = 0; dx < KW - 1; dx++) win[dy][dx][c] = win[dy][dx + 1][c];
                win[dy][KW - 1][c] = col[dy][c];
            }
        }
        xi = (xi == W - 1) ? xdim_t(0) : xdim_t(xi + 1);
        if (i >= lag) {
            bool rok[KH], cok[KW];
            for (int dy = 0; dy < KH; dy++) {
                const int r = int(yo) + dy - KH / 2;
                rok[dy] = r >= 0 && r < int(H);
            }
            for (int dx = 0; dx < KW; dx++) {
                const int c = int(xo) + dx - KW / 2;
                cok[dx] = c >= 0 && c < int(W);
            }
            vec_t<typename CFG::out_t, CO> o;
        DwChannels:
            for (int co = 0; co < CO; co++) {
#pragma HLS UNROLL
                const int ci = (CIN == 1) ? 0 : co;
                ap_int<CFG::ACC_W> acc = 0;
            DwTaps:
                for (int k = 0; k < K; k++) {
#pragma HLS UNROLL
                    const int dy = k / KW, dx = k % KW;
                    if (rok[dy] && cok[dx]) acc += w[co][k] * win[dy][dx][ci];
                }
                o.v[co] = requantize<arch::ABITS, CFG::OUT_SIGNED>(acc, rq);
                trace_layer(CFG::LAYER, co, int(yo), int(xo), int(o.v[co]));
            }
            out.write(o);
            raster_next(xo, yo, W);
        }
    }
    count_trips(CFG::LAYER == 0 ? "head" : "dw", (unsigned long long)(n + lag));
}

}  // namespace qcsr

#endif  // QCSR_DW_STAGE_H_
