// qcsr_top.cpp -- top function of the qcsr core (docs/ARCHITECTURE.md section 5).
//
//   qcsr_top (ap_ctrl_chain, one call per frame)
//     framer_wait_sof   wait for TUSER (dropping beats), cfg_loader at each SOF beat
//     qcsr_frame        DATAFLOW: cfg_distribute, framer, rgb2ycbcr, head (dw_stage), N x (dw_stage,
//                       pw_stage), tail (pw_stage), [slot_delay], bicubic, residual, ycbcr2rgb,
//                       out_reorder -- one process per block of section 4.2, connected by
//                       hls::stream, each a loop over the frame at II = FOLD with blocking I/O
//     framer_end        the frame's outcome into the framing state and status
//
// State carried from one call to the next: the configuration (cfg_state and the weight store),
// the framing state (drop run, a TUSER beat that ended the previous frame) and the status word.
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

// Control state, reset by ap_rst_n (config_rtl -reset state); the weight store is block RAM.
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
                    hls::stream<uvec_t>& out) {
#pragma HLS INLINE
        hls::stream<svec_t> d("dw_out");
        hls::stream<uvec_t> p("pw_out");
        dw_stage<dw_config<B> >(in, cfg[2 * B + 1], W, H, d);
        pw_stage<pw_config<B> >(d, cfg[2 * B + 2], W, H, p);
        cnn_blocks<B + 1>::run(p, cfg, W, H, out);
    }
};
template <int B>
struct cnn_blocks<B, true> {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t> cfg[arch::NL], const xdim_t W, const hdim_t H,
                    hls::stream<uvec_t>& out) {
#pragma HLS INLINE
        hls::stream<svec_t> d("dw_out");
        dw_stage<dw_config<B> >(in, cfg[2 * B + 1], W, H, d);
        pw_stage<pw_config<B> >(d, cfg[2 * B + 2], W, H, out);
    }
};

// The tail, and for networks that look fewer than 2 lines ahead the slot delay after it that makes
// the CNN output wait for the bicubic path (R x W + C positions).
template <int R, int C>
struct tail_path {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t>& cfg, const xdim_t W, const hdim_t H,
                    hls::stream<tail_tok_t>& out) {
#pragma HLS INLINE
        hls::stream<tail_tok_t> t("tail_undelayed");
        pw_stage<tail_config>(in, cfg, W, H, t);
        slot_delay<tail_tok_t, R * arch::MAX_W + C>(t, W, H, R, C, out);
    }
};
template <>
struct tail_path<0, 0> {
    static void run(hls::stream<uvec_t>& in, hls::stream<cfg_word_t>& cfg, const xdim_t W, const hdim_t H,
                    hls::stream<tail_tok_t>& out) {
#pragma HLS INLINE
        pw_stage<tail_config>(in, cfg, W, H, out);
    }
};

void qcsr_frame(hls::stream<video_in_t>& s_axis_video, hls::stream<video_out_t>& m_axis_video,
                const ap_uint<24> first_rgb, const xdim_t W, const hdim_t H, const resid_shifts_t rs,
                const weight_t store[2][arch::NW], const shift_t shifts[arch::NL], const ap_uint<1> half,
                frame_end_t& end) {
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
    // the bicubic path runs ahead of the CNN by the CNN's pipeline depth: room for it (ARCHITECTURE.md 5.2)
#pragma HLS STREAM variable = ycc depth = 64
#pragma HLS STREAM variable = bic depth = 512

    cfg_distribute<arch>(store, shifts, half, layer_cfg);
    framer<arch>(s_axis_video, first_rgb, W, H, pix, end);
    rgb2ycbcr<arch>(pix, W, H, luma, ycc);
    dw_stage<head_config>(luma, layer_cfg[0], W, H, head_out);
    cnn_blocks<0>::run(head_out, layer_cfg, W, H, cnn_out);
    tail_path<arch::CNN_DELAY_ROWS, arch::CNN_DELAY_COLS>::run(cnn_out, layer_cfg[arch::NL - 1], W, H, tail_out);
    bicubic<arch>(ycc, W, H, bic);
    residual<arch>(tail_out, bic, W, H, rs, ycc4);
    ycbcr2rgb<arch>(ycc4, W, H, blk);
    out_reorder<arch>(blk, W, H, m_axis_video);
}

}  // namespace

void qcsr_top(hls::stream<video_in_t>& s_axis_video, hls::stream<video_out_t>& m_axis_video,
              hls::stream<cfg_t>& s_axis_cfg, ap_uint<32>& status) {
#pragma HLS INTERFACE mode = axis port = s_axis_video register_mode = both
#pragma HLS INTERFACE mode = axis port = m_axis_video register_mode = both
#pragma HLS INTERFACE mode = axis port = s_axis_cfg register_mode = both
#pragma HLS INTERFACE mode = ap_none port = status register
#pragma HLS INTERFACE mode = ap_ctrl_chain port = return
#pragma HLS RESET variable = g_store off
    const ap_uint<24> first =
        framer_wait_sof<arch>(s_axis_video, s_axis_cfg, g_store, g_state.cfg, g_state.fr, g_state.st, status);
    const ap_uint<1> h = g_state.cfg.act;
    frame_end_t end;
    qcsr_frame(s_axis_video, m_axis_video, first, g_state.cfg.W[h], g_state.cfg.H[h], g_state.cfg.rs[h], g_store,
               g_state.cfg.s[h], h, end);
    framer_end(end, g_state.fr, g_state.st, status);
}

#ifndef __SYNTHESIS__
void qcsr_csim::reset_state() { g_state = core_state(); }
#endif
