// qcsr_top.cpp -- top function of the qcsr core (docs/ARCHITECTURE.md section 5).
//
//   qcsr_top (ap_ctrl_chain, one call per SOF beat: a frame, or a refused SOF)
//     framer_wait_sof   wait for TUSER (dropping beats), cfg_loader at the SOF beat
//     qcsr_frame        DATAFLOW: cfg_distribute, framer, rgb2ycbcr, head (dw_stage), N x (dw_stage,
//                       pw_stage), tail (pw_stage), [slot_delay], bicubic, residual, ycbcr2rgb,
//                       out_reorder -- one process per block of section 4.2, connected by
//                       hls::stream, each a loop over the frame at II = FOLD with blocking I/O
//     framer_end        the frame's outcome into the framing state and status
//
// State carried from one call to the next: the configuration (cfg_state and the weight store),
// the framing state (drop run, a TUSER beat that ended the previous frame) and the status word.
// Everything but the store is reset by ap_rst_n (RESET pragma on g_state: UG1399 notes that
// config_rtl -reset state may not cover class members); the store is block RAM (RESET off).
#include "qcsr_top.h"

#include "qcsr_bicubic.h"
#include "qcsr_cfg_loader.h"
#include "qcsr_csim.h"
#include "qcsr_dw_stage.h"
#include "qcsr_framer.h"
#include "qcsr_out_reorder.h"
#include "qcsr_pw_stage.h"
#include "qcsr_residual.h"
#include "qcsr_rgb2ycbcr.h"
#include "qcsr_slot_delay.h"
#include "qcsr_ycbcr2rgb.h"

using namespace qcsr;

#ifndef __SYNTHESIS__
namespace qcsr_csim {
Trace trace;
std::map<std::string, unsigned long long> trips;
}  // namespace qcsr_csim
#endif

namespace {

// Control state, reset by ap_rst_n (RESET pragma in qcsr_top); the weight store is block RAM.
struct core_state {
    cfg_state cfg;
    framer_state fr;
    status_state st;
};
core_state g_state;
weight_t g_store[2][arch::NW];

// N x (depthwise, pointwise), expanded at compile time into processes of the caller's region.
template <int B, bool LAST = (B == arch::N - 1)>
struct cnn_blocks {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t> cfg[arch::NL], const xdim_t W, const hdim_t H,
                    const step_t n, hls::stream<uvec_t>& out) {
#pragma HLS INLINE
        hls::stream<svec_t> d("dw_out");
        hls::stream<uvec_t> p("pw_out");
        dw_stage<dw_config<B> >(in, cfg[2 * B + 1], W, H, n, d);
        pw_stage<pw_config<B> >(d, cfg[2 * B + 2], W, n, p);
        cnn_blocks<B + 1>::run(p, cfg, W, H, n, out);
    }
};
template <int B>
struct cnn_blocks<B, true> {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t> cfg[arch::NL], const xdim_t W, const hdim_t H,
                    const step_t n, hls::stream<uvec_t>& out) {
#pragma HLS INLINE
        hls::stream<svec_t> d("dw_out");
        dw_stage<dw_config<B> >(in, cfg[2 * B + 1], W, H, n, d);
        pw_stage<pw_config<B> >(d, cfg[2 * B + 2], W, n, out);
    }
};

// The tail, and for networks that look fewer than 2 lines ahead the slot delay after it that makes
// the CNN output wait for the bicubic path (R x W + C positions).
template <int R, int C>
struct tail_path {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t>& cfg, const xdim_t W, const step_t n,
                    hls::stream<tail_tok_t>& out) {
#pragma HLS INLINE
        hls::stream<tail_tok_t> t("tail_undelayed");
        pw_stage<tail_config>(in, cfg, W, n, t);
        slot_delay<tail_tok_t, R * arch::MAX_W + C>(t, W, n, R, C, out);
    }
};
template <>
struct tail_path<0, 0> {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t>& cfg, const xdim_t W, const step_t n,
                    hls::stream<tail_tok_t>& out) {
#pragma HLS INLINE
        pw_stage<tail_config>(in, cfg, W, n, out);
    }
};

void qcsr_frame(hls::stream<video_in_t>& s_axis_video, hls::stream<video_out_t>& m_axis_video,
                const ap_uint<24> first_rgb, const xdim_t W, const hdim_t H, const step_t n, const resid_shifts_t rs,
                const weight_t store[2][arch::NW], const shifts_t sp, const ap_uint<1> half, frame_end_t& end) {
#pragma HLS INLINE off
#pragma HLS DATAFLOW
    hls::stream<cfg_word_t> layer_cfg[arch::NL];
    hls::stream<pix_tok_t> pix("pix");
    hls::stream<luma_tok_t> luma("luma");
    hls::stream<ycc_tok_t> ycc("ycc");
    hls::stream<uvec_t> head_out("head_out");
    hls::stream<uvec_t> cnn_out("cnn_out");
    hls::stream<tail_tok_t> tail_out("tail_out");
    hls::stream<bic_tok_t> bic("bic");
    hls::stream<ycc4_tok_t> ycc4("ycc4");
    hls::stream<blk_tok_t> blk("blk");
    // The bicubic path runs ahead of the CNN by the CNN's pipeline depth (ARCHITECTURE.md 5.2): the
    // room for it is on the narrow side, before the bicubic (25-bit ycc tokens: one RAMB36 at 576),
    // not after it (161-bit bic tokens); the bicubic then waits on the residual instead of
    // running ahead.
#pragma HLS STREAM variable = ycc depth = 576
#pragma HLS STREAM variable = bic depth = 4

    cfg_distribute<arch>(store, sp, half, layer_cfg);
    framer<arch>(s_axis_video, first_rgb, W, n, pix, end);
    rgb2ycbcr<arch>(pix, W, n, luma, ycc);
    dw_stage<head_config>(luma, layer_cfg[0], W, H, n, head_out);
    cnn_blocks<0>::run(head_out, layer_cfg, W, H, n, cnn_out);
    tail_path<arch::CNN_DELAY_ROWS, arch::CNN_DELAY_COLS>::run(cnn_out, layer_cfg[arch::NL - 1], W, n, tail_out);
    bicubic<arch>(ycc, W, H, n, bic);
    residual<arch>(tail_out, bic, W, n, rs, ycc4);
    ycbcr2rgb<arch>(ycc4, n, blk);
    out_reorder<arch>(blk, W, H, m_axis_video);
}

}  // namespace

void qcsr_top(hls::stream<video_in_t>& s_axis_video, hls::stream<video_out_t>& m_axis_video,
              hls::stream<cfg_t>& s_axis_cfg, volatile const bool* cfg_pending, ap_uint<32>& status) {
#pragma HLS INTERFACE mode = axis port = s_axis_video register_mode = both
#pragma HLS INTERFACE mode = axis port = m_axis_video register_mode = both
#pragma HLS INTERFACE mode = axis port = s_axis_cfg register_mode = both
#pragma HLS INTERFACE mode = ap_none port = cfg_pending
// block-level control and status on AXI4-Lite (bundle `control`, UG1399 "S_AXILITE Control Register Map"):
// CTRL/GIE/IER/ISR at 0x00..0x0C as on the RTL IP (qcsr_ip), status at 0x10 (ap_vld at 0x14) as UG1399's
// rules place a scalar output; rtl/regs/qcsr_hls_regs.rdl records that prediction for the driver
#pragma HLS INTERFACE mode = s_axilite port = status bundle = control
#pragma HLS INTERFACE mode = s_axilite port = return bundle = control
#pragma HLS INTERFACE mode = ap_ctrl_chain port = return bundle = control
#pragma HLS RESET variable = g_state
#pragma HLS RESET variable = g_store off
    ap_uint<24> first;
    if (!framer_wait_sof<arch>(s_axis_video, s_axis_cfg, cfg_pending, g_store, g_state.cfg, g_state.fr, g_state.st,
                               status, first))
        return;  // a refused SOF beat: no frame in this call
    // the active half's frame size and shifts as scalars (no run-time index into the state across the region)
    const ap_uint<1> h = g_state.cfg.act;
    const xdim_t W = h ? g_state.cfg.W[1] : g_state.cfg.W[0];
    const hdim_t H = h ? g_state.cfg.H[1] : g_state.cfg.H[0];
    const resid_shifts_t rs = h ? g_state.cfg.rs[1] : g_state.cfg.rs[0];
    const step_t n = fabric_mul<step_t>(W, H);  // once per frame, in LUTs
    frame_end_t end;
    qcsr_frame(s_axis_video, m_axis_video, first, W, H, n, rs, g_store, pack_shifts<arch>(g_state.cfg, h), h, end);
    framer_end(end, g_state.fr, g_state.st, status);
}

#ifndef __SYNTHESIS__
void qcsr_csim::reset_state() { g_state = core_state(); }
#endif
