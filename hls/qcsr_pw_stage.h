// qcsr_pw_stage.h -- a 1x1 layer (RTL qcsr_pw_stage): each pointwise layer (C -> C, ReLU, unsigned
// 14-bit out) and the grouped tail (C -> 4 in G groups, signed 14-bit out). No window, no lag.
// FOLD: PIPELINE II = FOLD and ALLOCATION limit the multipliers to CO * CIN_G / FOLD.
#ifndef QCSR_PW_STAGE_H_
#define QCSR_PW_STAGE_H_

#include "qcsr_cfg_loader.h"
#include "qcsr_csim.h"
#include "qcsr_requant.h"

namespace qcsr {

// Output channel p belongs to group p / COUT_G and reads that group's CIN_G input channels.
template <class IN_T, int CIN_, class OUT_T, int CO_, int G_, bool OUT_SIGNED_, int ACC_W_, int LAYER_>
struct pointwise_config {
    typedef IN_T in_t;
    typedef OUT_T out_t;
    static const int CIN = CIN_, CO = CO_, G = G_, CIN_G = CIN_ / G_, COUT_G = CO_ / G_;
    static const bool OUT_SIGNED = OUT_SIGNED_;
    static const int ACC_W = ACC_W_;
    static const int LAYER = LAYER_;
    static const int MULS = CO_ * (CIN_ / G_) / arch::FOLD;
};

template <int B>
struct pw_config : pointwise_config<sact_t, arch::C, uact_t, arch::C, 1, false, arch::ACC_PW, 2 * B + 2> {};
typedef pointwise_config<uact_t, arch::C, sact_t, arch::OUT_CH, arch::G, true, arch::ACC_TAIL, arch::NL - 1> tail_config;

template <class CFG>
void pw_stage(hls::stream<vec_t<typename CFG::in_t, CFG::CIN> >& in, hls::stream<cfg_word_t>& cfg, const xdim_t W,
              const step_t n, hls::stream<vec_t<typename CFG::out_t, CFG::CO> >& out) {
#pragma HLS INLINE off
    const int CO = CFG::CO, CIN_G = CFG::CIN_G;
    weight_t w[CO][CIN_G];
#pragma HLS ARRAY_PARTITION variable = w complete dim = 0
    const requant_shift<CFG::ACC_W> rq = decode_shift<CFG::ACC_W>(load_layer<CO, CIN_G>(cfg, w));  // one decode per layer
    xdim_t x = 0;
    hdim_t y = 0;
PwPixels:
    for (step_t i = 0; i < n; i++) {
#pragma HLS PIPELINE II = arch::FOLD
#pragma HLS LOOP_TRIPCOUNT min = arch::TRIP_PIX max = arch::TRIP_PIX
#pragma HLS ALLOCATION operation instances = mul limit = CFG::MULS
        const vec_t<typename CFG::in_t, CFG::CIN> t = in.read();
        vec_t<typename CFG::out_t, CO> o;
    PwOut:
        for (int p = 0; p < CO; p++) {
#pragma HLS UNROLL
            const int base = (p / CFG::COUT_G) * CIN_G;
            ap_int<CFG::ACC_W> acc = 0;
        PwIn:
            for (int j = 0; j < CIN_G; j++) {
#pragma HLS UNROLL
                acc += w[p][j] * t.v[base + j];
            }
            o.v[p] = requantize<arch::ABITS, CFG::OUT_SIGNED>(acc, rq);
            trace_layer(CFG::LAYER, p, int(y), int(x), int(o.v[p]));
        }
        out.write(o);
        raster_next(x, y, W);
    }
    count_trips(CFG::LAYER == arch::NL - 1 ? "tail" : "pw", (unsigned long long)n);
}

}  // namespace qcsr

#endif  // QCSR_PW_STAGE_H_
