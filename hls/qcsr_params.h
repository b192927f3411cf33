// qcsr_params.h -- compile-time configuration of the qcsr HLS core (hls4ml-style config structs).
//
// The architecture (F, C, N, KH, KW, G), the number formats (10-bit weights, 14-bit activations)
// and the frame limits (MAX_W x MAX_H) are fixed at synthesis; the weights, shifts and the frame
// size are loaded at run time through s_axis_cfg (docs/ARCHITECTURE.md section 2). Every value can
// be overridden with -DQCSR_<NAME>=... when compiling (csim) or in the Tcl script (synthesis).
#ifndef QCSR_PARAMS_H_
#define QCSR_PARAMS_H_

#include <ap_int.h>

#include "qcsr_axis.h"

#ifndef QCSR_F
#define QCSR_F 3
#endif
#ifndef QCSR_C
#define QCSR_C 16
#endif
#ifndef QCSR_N
#define QCSR_N 6
#endif
#ifndef QCSR_KH
#define QCSR_KH 3
#endif
#ifndef QCSR_KW
#define QCSR_KW 3
#endif
#ifndef QCSR_G
#define QCSR_G 4
#endif
#ifndef QCSR_WBITS
#define QCSR_WBITS 10
#endif
#ifndef QCSR_ABITS
#define QCSR_ABITS 14
#endif
#ifndef QCSR_MAX_W
#define QCSR_MAX_W 1920
#endif
#ifndef QCSR_MAX_H
#define QCSR_MAX_H 1080
#endif
#ifndef QCSR_FOLD
#define QCSR_FOLD 1
#endif
#ifndef QCSR_MIN_W
#define QCSR_MIN_W 2
#endif

namespace qcsr {

// Bits needed to hold the unsigned value v (v >= 1 -> bit_length(v)).
constexpr int bits_for(unsigned long long v) { return v <= 1 ? 1 : 1 + bits_for(v >> 1); }
constexpr int cmax(int a, int b) { return a > b ? a : b; }

struct arch {
    // network (SPEC section 2)
    static const int F = QCSR_F;     // first conv kernel (F x F, 1 -> C)
    static const int C = QCSR_C;     // feature channels
    static const int N = QCSR_N;     // depthwise-separable blocks
    static const int KH = QCSR_KH;   // depthwise kernel height
    static const int KW = QCSR_KW;   // depthwise kernel width
    static const int G = QCSR_G;     // groups of the final 1x1 layer
    static const int OUT_CH = 4;     // scale^2 channels before the pixel shuffle
    static const int WBITS = QCSR_WBITS;
    static const int ABITS = QCSR_ABITS;
    static const int MAX_W = QCSR_MAX_W;
    static const int MAX_H = QCSR_MAX_H;
    static const int MIN_W = QCSR_MIN_W;  // also the line buffers' declared dependence distance (ARCHITECTURE.md 5.2)
    static const int FOLD = QCSR_FOLD;    // cycles per LR position: every multiplier does FOLD MACs per pixel
    static const int MIN_H = 2;

    // layers: head, dw1, pw1, ..., dwN, pwN, tail
    static const int NL = 2 * N + 2;
    static const int HEAD_NW = C * F * F;
    static const int DW_NW = C * KH * KW;
    static const int PW_NW = C * C;
    static const int TAIL_CIN = C / G;          // inputs per output of the grouped tail
    static const int TAIL_COUT = OUT_CH / G;    // outputs per group
    static const int TAIL_NW = OUT_CH * TAIL_CIN;
    static const int NW = HEAD_NW + N * (DW_NW + PW_NW) + TAIL_NW;
    static constexpr int off_dw(int k) { return HEAD_NW + k * (DW_NW + PW_NW); }
    static constexpr int off_pw(int k) { return HEAD_NW + k * (DW_NW + PW_NW) + DW_NW; }
    static const int OFF_TAIL = HEAD_NW + N * (DW_NW + PW_NW);
    static constexpr int layer_nw(int l) {
        return l == 0 ? HEAD_NW : (l == NL - 1 ? TAIL_NW : (l % 2 == 1 ? DW_NW : PW_NW));
    }
    static constexpr int layer_off(int l) {  // first weight of layer l in the packet's weight order
        return l == 0 ? 0 : (l == NL - 1 ? OFF_TAIL : (l % 2 == 1 ? off_dw((l - 1) / 2) : off_pw((l - 1) / 2)));
    }

    // configuration packet (golden/config_packet.py)
    static const unsigned CFG_MAGIC = 0x51435352u;  // "QCSR"
    static const int CFG_VERSION = 1;
    static const int CFG_HDR = 12;
    static const int CFG_LEN = CFG_HDR + NL + NW + 3;
    static const int SHIFT_MIN = -16;   // requantization shift s accepted by the loader
    static const int SHIFT_MAX = 48;
    static const int YN_LSHIFT_MAX = 18;
    static const int RES_LSHIFT_MAX = 30;
    static const int OUT_SHIFT_MIN = 14;
    static const int OUT_SHIFT_MAX = 32;

    // slot lags (docs/ARCHITECTURE.md 4.3): the CNN looks R_CNN lines and C_CNN samples ahead, the
    // bicubic 2 and 2; the total lag LAG = ROWS * W + COLS. The bicubic computes late (its own line
    // buffer keeps ROWS + 2 lines); a CNN that looks fewer than 2 lines ahead is delayed instead.
    static const int R_CNN = F / 2 + N * (KH / 2);
    static const int C_CNN = F / 2 + N * (KW / 2);
    static const int ROWS = cmax(R_CNN, 2);
    static const int COLS = cmax(C_CNN, 2);
    static const int CNN_DELAY_ROWS = ROWS - R_CNN;   // qcsr_slot_delay after the tail (0 by default)
    static const int CNN_DELAY_COLS = COLS - C_CNN;
    static const int BIC_ROWS = ROWS + 2;             // lines held by the bicubic line buffer

    // accumulator widths: signed bits for fan_in * max|input| * max|weight| (ARCHITECTURE.md 1)
    static const long long WMAX = 1LL << (WBITS - 1);
    static const long long UMAX = (1LL << ABITS) - 1;
    static const long long SMAX = 1LL << (ABITS - 1);
    static const int ACC_HEAD = bits_for((unsigned long long)(F * F) * 255ULL * WMAX) + 1;
    static const int ACC_DW = bits_for((unsigned long long)(KH * KW) * UMAX * WMAX) + 1;
    static const int ACC_PW = bits_for((unsigned long long)C * SMAX * WMAX) + 1;
    static const int ACC_TAIL = bits_for((unsigned long long)TAIL_CIN * UMAX * WMAX) + 1;

    // counters
    static const int XBITS = bits_for(MAX_W);                         // column / width
    static const int HBITS = bits_for(MAX_H);                         // height
    static const int YBITS = bits_for(MAX_H + ROWS + 3);              // row, runs past H in the flush
    static const int TBITS = bits_for((unsigned long long)MAX_W * MAX_H + ROWS * MAX_W + COLS + 1);

    // trip counts of the frame loops at the largest frame, for csynth's latency report only
    // (LOOP_TRIPCOUNT; the loops are bounded by the run-time W * H)
    static const int TRIP_PIX = MAX_W * MAX_H;
    static const int TRIP_LAG = TRIP_PIX + ROWS * MAX_W + COLS;  // a process with the whole lag
    static const int TRIP_OUT_ROWS = MAX_H + 1;                  // output reorder: rows, beats per row
    static const int TRIP_OUT_BEATS = 2 * ((MAX_W + 1) / 2);
    static const int OUT_RD_DIST = MIN_W / 2;  // output reorder: least write -> read distance (qcsr_out_reorder.h)
};

static_assert(arch::F % 2 == 1 && arch::KH % 2 == 1 && arch::KW % 2 == 1, "kernels must be odd");
static_assert(arch::C % arch::G == 0 && arch::OUT_CH % arch::G == 0, "G must divide C and 4");
static_assert(arch::WBITS >= 2 && arch::WBITS <= 16 && arch::ABITS >= 2 && arch::ABITS <= 24, "formats");
static_assert(arch::ACC_DW <= 48 && arch::ACC_PW <= 48, "accumulators must stay narrow");
static_assert(arch::CFG_LEN < 65536, "packet length counter");
static_assert(arch::FOLD >= 1 && arch::C % arch::FOLD == 0 && arch::OUT_CH % arch::FOLD == 0, "FOLD must divide C and 4");
static_assert(arch::MIN_W >= 2, "the line buffers need W >= 2 (dependence distance)");

// ---------------------------------------------------------------------------------------------
// data types
typedef ap_uint<8> u8_t;                  // 8-bit sample (R, G, B, Y, Cb, Cr)
typedef ap_uint<24> ycc_t;                // packed Y [7:0], Cb [15:8], Cr [23:16]
typedef ap_uint<arch::ABITS> uact_t;      // activation after ReLU (head, pw): [0, 2^14 - 1]
typedef ap_int<arch::ABITS> sact_t;       // activation without ReLU (dw, tail): [-2^13, 2^13 - 1]
typedef ap_int<arch::WBITS> weight_t;     // signed 10-bit weight
typedef ap_int<8> shift_t;                // requantization shift s in [-16, 48]
typedef ap_uint<arch::XBITS> xdim_t;      // column / width
typedef ap_uint<arch::HBITS> hdim_t;      // height
typedef ap_uint<arch::YBITS> row_t;       // row counter (runs past H during the flush)
typedef ap_int<arch::YBITS + 2> srow_t;   // signed row arithmetic
typedef ap_int<arch::XBITS + 2> scol_t;   // signed column arithmetic
typedef ap_uint<arch::TBITS> step_t;      // loop step within a frame (H * W + lag)
typedef ap_int<17> bicv_t;                // vertically filtered sample: 8 bits x 7 fraction bits
typedef ap_int<24> yn_t;                  // Y_N: 2-D bicubic, 14 fraction bits
typedef ap_uint<96> pix4_t;               // four UG934 pixels
typedef ap_uint<8 * arch::NL> shifts_t;   // every layer's shift, layer l in bits [8l + 7, 8l]

typedef ap_axiu<24, 1, 0, 0> video_in_t;
typedef ap_axiu<96, 1, 0, 0> video_out_t;
typedef ap_axiu<32, 0, 0, 0> cfg_t;

// A product built in fabric (LUTs), not a DSP: constant products (colour matrices, bicubic taps),
// whose constants the tool turns into shifts and adds, and the once-per-frame W * H. Without
// BIND_OP the tool may give each a DSP (UG1399 "pragma HLS bind_op", op = mul, impl = fabric).
template <class P, class A_T, class B_T>
inline P fabric_mul(const A_T a, const B_T b) {
#pragma HLS INLINE
    const P p = P(a) * P(b);
#pragma HLS BIND_OP variable = p op = mul impl = fabric
    return p;
}

// The next raster position: (x, y) -> (x + 1, y), or (0, y + 1) at the end of a line of width W.
template <class X, class Y>
inline void raster_next(X& x, Y& y, const xdim_t W) {
#pragma HLS INLINE
    if (x == W - 1) {
        x = 0;
        y = y + 1;
    } else {
        x = x + 1;
    }
}

// ---------------------------------------------------------------------------------------------
// stream tokens between the processes (one per LR position, raster order, H * W per frame)

// A channel vector.
template <class T, int CH>
struct vec_t {
    T v[CH];
};

typedef vec_t<u8_t, 1> luma_tok_t;                 // rgb2ycbcr -> head
typedef vec_t<uact_t, arch::C> uvec_t;              // head, pointwise outputs (after ReLU)
typedef vec_t<sact_t, arch::C> svec_t;              // depthwise outputs
typedef vec_t<sact_t, arch::OUT_CH> tail_tok_t;     // tail output: Y_c of the 4 HR pixels

// The bicubic / chroma path carries `dead`: set from the first position of an abandoned frame that
// the output depends on, so the output reorder stops there (ARCHITECTURE.md 5.3).
struct pix_tok_t {
    ap_uint<24> rgb;  // UG934
    bool dead;
};
struct ycc_tok_t {
    ycc_t ycc;
    bool dead;
};
struct bic_tok_t {
    yn_t yn[4];  // index 2*dy + dx
    u8_t cb[4], cr[4];
    bool dead;
};
struct ycc4_tok_t {
    ycc_t p[4];
    bool dead;
};
struct blk_tok_t {  // 2x2 HR pixels of one LR position: [23:0] (2r, 2c), [47:24] (2r, 2c+1), [71:48], [95:72] row 2r+1
    pix4_t px;
    bool dead;
};

}  // namespace qcsr

#endif  // QCSR_PARAMS_H_
