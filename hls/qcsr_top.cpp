// qcsr_top.cpp -- top function and the front process of the qcsr core.
//
// Structure (docs/ARCHITECTURE.md section 5):
//   qcsr_top (DATAFLOW, ap_ctrl_none)
//     qcsr_front      config loader, framing, RGB -> YCbCr, shared input line buffer, head conv,
//                     N x (depthwise stage, pointwise stage), grouped tail, bicubic (vertical ->
//                     alignment delay -> horizontal), pixel shuffle + residual, YCbCr -> RGB
//                     -> one 2x2 HR block per LR position
//     output_reorder  ping-pong of two LR rows -> raster HR lines, 4 pixels per beat
//
// The front is one II=1 pipeline that advances one raster step per call: the input pixel of step
// t (or a flush sample after the last pixel) enters, and every stage produces the output of its
// own position, which lags the input by a fixed raster delay rows * W + cols. Position counters
// (x, y) per delay point give each stage its output coordinates for zero padding / replication.
#include "qcsr_top.h"

#include "qcsr_bicubic.h"
#include "qcsr_colour.h"
#include "qcsr_config.h"
#include "qcsr_conv_head.h"
#include "qcsr_csim.h"
#include "qcsr_depthwise.h"
#include "qcsr_framing.h"
#include "qcsr_linebuffer.h"
#include "qcsr_output.h"
#include "qcsr_pointwise.h"
#include "qcsr_shuffle.h"

using namespace qcsr;

#ifndef __SYNTHESIS__
namespace qcsr_csim {
bool out_ready = true;
unsigned reset_generation = 0;
Trace trace;
}  // namespace qcsr_csim
#endif

namespace {

// Raster delay of position counter j (0: input, 1: head output, 1 + k: output of block k).
constexpr int point_rows(int j) {
    return j == 0 ? 0 : (j == 1 ? arch::HEAD_ROW_OFF + arch::F / 2 : point_rows(j - 1) + arch::KH / 2);
}
constexpr int point_cols(int j) {
    return j == 0 ? 0 : (j == 1 ? arch::HEAD_COL_DELAY + arch::F / 2 : point_cols(j - 1) + arch::KW / 2);
}
static_assert(point_rows(arch::NP - 1) == arch::R_OUT && point_cols(arch::NP - 1) == arch::C_OUT,
              "CNN and bicubic paths must end at the same raster position");

struct point_t {
    xdim_t x;
    row_t y;
};

inline void trace_layer(int l, int c, int y, int x, int v) {
#ifndef __SYNTHESIS__
    qcsr_csim::Trace& t = qcsr_csim::trace;
    if (t.armed && y < t.H && x < t.W) t.layer[l][(c * t.H + y) * t.W + x] = v;
#else
    (void)l; (void)c; (void)y; (void)x; (void)v;
#endif
}

void qcsr_front(hls::stream<video_in_t>& s_axis_video, hls::stream<cfg_t>& s_axis_cfg,
                hls::stream<block_t>& blocks, hls::stream<tag_t>& aborts, ap_uint<32>& status) {
#pragma HLS INLINE off
#pragma HLS PIPELINE II = 1
    const int C = arch::C, N = arch::N, NP = arch::NP;

    // ---- configuration: shadow (written by the loader) and active (used by the datapath) ----
    static cfg_loader_state ld;
    static bool pending = false, active_valid = false;
    static weight_t sh_w[arch::NW], act_w[arch::NW];
    static shift_t sh_s[arch::NL], act_s[arch::NL];
    static xdim_t sh_W, act_W;
    static hdim_t sh_H, act_H;
    static resid_shifts_t sh_res, act_res;
#pragma HLS ARRAY_PARTITION variable = act_w complete
#pragma HLS ARRAY_PARTITION variable = act_s complete
#pragma HLS ARRAY_PARTITION variable = sh_s complete
#pragma HLS ARRAY_PARTITION variable = sh_w complete
    // (the weights shift into the shadow chain one word per clock; the whole shadow is copied into
    //  the active registers in the start-of-frame slot)

    // ---- framing / status ----
    static framing_state fs;
    static status_state st;
    static tag_t tag = 0;
    static bool emitted = false;  // the frame in progress has produced a block

    // ---- datapath state ----
    static step_t t = 0;
    static step_t pdelay[NP];
    static point_t pt[NP];
#pragma HLS ARRAY_PARTITION variable = pdelay complete
#pragma HLS ARRAY_PARTITION variable = pt complete

    static ycc_t in_lb[arch::NLB_IN][arch::MAX_W];
#pragma HLS ARRAY_RESHAPE variable = in_lb complete dim = 1
#pragma HLS BIND_STORAGE variable = in_lb type = ram_s2p impl = bram
#pragma HLS DEPENDENCE variable = in_lb type = inter direction = RAW dependent = true distance = 2

    static u8_t head_win[arch::F][head_config::L];
#pragma HLS ARRAY_PARTITION variable = head_win complete dim = 0

    static uact_t dw_lb[N][dw_config::LBR][arch::MAX_W][C];
#pragma HLS ARRAY_PARTITION variable = dw_lb complete dim = 1
#pragma HLS ARRAY_RESHAPE variable = dw_lb complete dim = 2
#pragma HLS ARRAY_RESHAPE variable = dw_lb complete dim = 4
#pragma HLS BIND_STORAGE variable = dw_lb type = ram_s2p impl = uram
#pragma HLS DEPENDENCE variable = dw_lb type = inter direction = RAW dependent = true distance = 2
    static uact_t dw_win[N][arch::KH][arch::KW][C];
#pragma HLS ARRAY_PARTITION variable = dw_win complete dim = 0

    static bic_col_t bic_win[bicubic_config::L];
#pragma HLS ARRAY_PARTITION variable = bic_win complete dim = 0

#ifndef __SYNTHESIS__
    static unsigned seen_reset = 0;
    if (seen_reset != qcsr_csim::reset_generation) {  // ap_rst_n: control state only
        seen_reset = qcsr_csim::reset_generation;
        ld.reset();
        pending = false;
        active_valid = false;
        fs.reset();
        st.reset();
        tag = 0;
        emitted = false;
        t = 0;
    }
    static bool first_call = true;
    if (first_call) {
        first_call = false;
        ld.reset();
        fs.reset();
        st.reset();
    }
#endif

    // 1. configuration word
    if (config_loader<arch>(s_axis_cfg, ld, pending, sh_w, sh_s, sh_W, sh_H, sh_res)) st.reject = true;

    // 2. framing
    const bool space = !fifo_full(blocks, QCSR_BLOCK_FIFO_DEPTH);
    const frame_action act = framing_step(s_axis_video, fs, st, space, active_valid || pending, act_W, act_H);

    if (act.abort) {
        if (emitted) aborts.write(tag);
        emitted = false;
    }
    if (act.start) {
        if (pending) {  // the new configuration takes effect with this frame
        CfgCommitW:
            for (int i = 0; i < arch::NW; i++) {
#pragma HLS UNROLL
                act_w[i] = sh_w[i];
            }
        CfgCommitS:
            for (int l = 0; l < arch::NL; l++) {
#pragma HLS UNROLL
                act_s[l] = sh_s[l];
            }
            act_W = sh_W;
            act_H = sh_H;
            act_res = sh_res;
            pending = false;
            active_valid = true;
        }
        tag = tag ^ 1;
        emitted = false;
        t = 0;
    PointInit:
        for (int j = 0; j < NP; j++) {
#pragma HLS UNROLL
            pt[j].x = 0;
            pt[j].y = 0;
            pdelay[j] = step_t(point_rows(j)) * act_W + point_cols(j);
        }
    }

    if (act.advance) {
        const xdim_t W = act_W;
        const hdim_t H = act_H;
        bool started[NP], valid[NP];
    PointState:
        for (int j = 0; j < NP; j++) {
#pragma HLS UNROLL
            started[j] = t >= pdelay[j];
            valid[j] = started[j] && pt[j].y < H;
        }

        // input pixel -> YCbCr -> shared input line buffer (rows 1..NLB_IN above)
        const ycc_t ycc = act.is_virtual ? ycc_t(0) : rgb_to_ycbcr(act.rgb);
        ycc_t in_col[arch::NLB_IN + 1];  // [k]: NLB_IN - k rows above the input position
        linebuffer_shift<ycc_t, arch::NLB_IN, arch::MAX_W>(in_lb, pt[0].x, ycc, in_col);
#ifndef __SYNTHESIS__
        {
            qcsr_csim::Trace& tr = qcsr_csim::trace;
            if (tr.armed && !act.is_virtual && int(pt[0].y) < tr.H && int(pt[0].x) < tr.W) {
                const int i = (int(pt[0].y) * tr.W + int(pt[0].x)) * 3;
                tr.ycbcr_lr[i] = ycc(7, 0);
                tr.ycbcr_lr[i + 1] = ycc(15, 8);
                tr.ycbcr_lr[i + 2] = ycc(23, 16);
            }
        }
#endif

        // head: luma column HEAD_ROW_OFF .. HEAD_ROW_OFF + F - 1 rows up
        u8_t hcol[arch::F];
        for (int dy = 0; dy < arch::F; dy++) {
#pragma HLS UNROLL
            hcol[dy] = in_col[arch::NLB_IN - arch::HEAD_ROW_OFF - (arch::F - 1 - dy)](7, 0);
        }
        uact_t feat[C];
        conv_head<head_config>(hcol, head_win, pt[1].x, pt[1].y, valid[1], W, H, act_w, act_s[0], feat);
        if (valid[1]) {
            for (int c = 0; c < C; c++) trace_layer(0, c, pt[1].y, pt[1].x, feat[c]);
        }

        // N x (depthwise KH x KW, pointwise 1x1)
    Blocks:
        for (int k = 0; k < N; k++) {
#pragma HLS UNROLL
            sact_t dw_out[C];
            depthwise_stage<dw_config>(dw_lb[k], dw_win[k], feat, pt[k + 1].x, started[k + 1], pt[k + 2].x,
                                       pt[k + 2].y, valid[k + 2], W, H, act_w, arch::off_dw(k), act_s[2 * k + 1],
                                       dw_out);
            if (valid[k + 2]) {
                pointwise_stage<pw_config>(dw_out, act_w, arch::off_pw(k), act_s[2 * k + 2], feat);
                for (int c = 0; c < C; c++) {
                    trace_layer(2 * k + 1, c, pt[k + 2].y, pt[k + 2].x, dw_out[c]);
                    trace_layer(2 * k + 2, c, pt[k + 2].y, pt[k + 2].x, feat[c]);
                }
            }
        }
        const point_t out_pt = pt[NP - 1];
        const bool out_valid = valid[NP - 1];
        sact_t tail[4];
        pointwise_tail<tail_config>(feat, act_w, arch::OFF_TAIL, act_s[arch::NL - 1], tail);

        // bicubic: rows R_OUT-2 .. R_OUT+2 up (LR rows yc-2 .. yc+2), vertical filter, delay, horizontal
        const srow_t yc = srow_t(pt[0].y) - arch::R_OUT;
        const bic_col_t vcol = bicubic_vertical(in_col, yc, H);
        window_shift1:
        for (int i = 0; i < bicubic_config::L - 1; i++) {
#pragma HLS UNROLL
            bic_win[i] = bic_win[i + 1];
        }
        bic_win[bicubic_config::L - 1] = vcol;

        if (out_valid) {
            yn_t yn[2][2];
            u8_t cb[2][2], cr[2][2], yf[2][2];
            bicubic_horizontal<bicubic_config::L>(bic_win, out_pt.x, W, yn, cb, cr);
            shuffle_residual(tail, yn, act_res, yf);
            block_t blk;
            for (int dy = 0; dy < 2; dy++) {
#pragma HLS UNROLL
                for (int dx = 0; dx < 2; dx++) {
#pragma HLS UNROLL
                    const int i = 2 * dy + dx;
                    blk.px(24 * i + 23, 24 * i) = ycbcr_to_rgb(yf[dy][dx], cb[dy][dx], cr[dy][dx]);
                }
            }
            blk.sof = (out_pt.x == 0 && out_pt.y == 0) ? 1 : 0;
            blk.eol = (out_pt.x == W - 1) ? 1 : 0;
            blk.tag = tag;
            blocks.write(blk);
            emitted = true;
#ifndef __SYNTHESIS__
            {
                qcsr_csim::Trace& tr = qcsr_csim::trace;
                if (tr.armed) {
                    for (int c = 0; c < 4; c++) trace_layer(arch::NL - 1, c, out_pt.y, out_pt.x, tail[c]);
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            const int hy = 2 * int(out_pt.y) + dy, hx = 2 * int(out_pt.x) + dx;
                            if (hy < 2 * tr.H && hx < 2 * tr.W) {
                                const int i = hy * 2 * tr.W + hx;
                                tr.bicubic[i] = yn[dy][dx];
                                tr.residual_hr[i] = tail[2 * dy + dx];
                                tr.y_hr[i] = yf[dy][dx];
                                tr.ycbcr_hr[3 * i] = yf[dy][dx];
                                tr.ycbcr_hr[3 * i + 1] = cb[dy][dx];
                                tr.ycbcr_hr[3 * i + 2] = cr[dy][dx];
                            }
                        }
                    }
                }
            }
#endif
            if (out_pt.x == W - 1 && out_pt.y == H - 1) {  // last block: the frame is complete
                fs.mode = MODE_IDLE;
                fs.dropping = false;
                emitted = false;
            }
        }

        // advance the position counters
    PointStep:
        for (int j = 0; j < NP; j++) {
#pragma HLS UNROLL
            if (started[j]) {
                if (pt[j].x == W - 1) {
                    pt[j].x = 0;
                    pt[j].y = pt[j].y + 1;
                } else {
                    pt[j].x = pt[j].x + 1;
                }
            }
        }
        t = t + 1;
    }

    const bool busy = fs.mode == MODE_RUN || fs.mode == MODE_FLUSH;
    status = st.word(busy);
}

}  // namespace

void qcsr_top(hls::stream<video_in_t>& s_axis_video, hls::stream<video_out_t>& m_axis_video,
              hls::stream<cfg_t>& s_axis_cfg, ap_uint<32>& status) {
#pragma HLS INTERFACE mode = axis port = s_axis_video register_mode = both
#pragma HLS INTERFACE mode = axis port = m_axis_video register_mode = both
#pragma HLS INTERFACE mode = axis port = s_axis_cfg register_mode = both
#pragma HLS INTERFACE mode = ap_none port = status register
#pragma HLS INTERFACE mode = ap_ctrl_none port = return
#pragma HLS DATAFLOW disable_start_propagation
    static hls::stream<block_t> blocks("blocks");
#pragma HLS STREAM variable = blocks depth = QCSR_BLOCK_FIFO_DEPTH
    static hls::stream<tag_t> aborts("aborts");
#pragma HLS STREAM variable = aborts depth = 2
#ifndef __SYNTHESIS__
    static unsigned seen_reset = 0;
    if (seen_reset != qcsr_csim::reset_generation) {  // reset empties the internal FIFOs
        seen_reset = qcsr_csim::reset_generation;
        block_t b;
        while (blocks.read_nb(b)) {
        }
        tag_t a;
        while (aborts.read_nb(a)) {
        }
    }
#endif
    qcsr_front(s_axis_video, s_axis_cfg, blocks, aborts, status);
    output_reorder<reorder_config>(blocks, aborts, m_axis_video);
}
