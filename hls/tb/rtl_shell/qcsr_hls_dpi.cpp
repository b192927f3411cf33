// qcsr_hls_dpi.cpp -- DPI-C side of the HLS shell (hls/tb/rtl_shell/qcsr_top.sv): the HLS top
// function hls/qcsr_top.cpp, run as a coroutine (hls/tb/sim/qcsr_sim_runner.h) over the streams of
// the AXI boundary. Test scaffolding only.
#include <svdpi.h>

#include <cstdint>

#include "qcsr_sim_runner.h"
#include "qcsr_top.h"

namespace {

const size_t IN_DEPTH = 4;      // s_axis_video input FIFO
const size_t CFG_DEPTH = 8192;  // s_axis_cfg FIFO: three packets (the core reads packets at a start of frame)
const size_t OUT_DEPTH = 2;     // m_axis_video register slice

struct Shell {
    hls::stream<qcsr::video_in_t> vin{"s_axis_video"};
    hls::stream<qcsr::video_out_t> vout{"m_axis_video"};
    hls::stream<qcsr::cfg_t> cfg{"s_axis_cfg"};
    ap_uint<32> status = 0;
    bool cfg_pending = false;  // the core's cfg_pending input: TVALID of the s_axis_cfg FIFO
    qcsr_sim::Runner core{[this] { qcsr_top(vin, vout, cfg, &cfg_pending, status); }};
    Shell() {
        vout.set_capacity(OUT_DEPTH);
        cfg.set_observer([this] { cfg_pending = !cfg.empty(); });
    }
    void reset() {
        core.restart();
        qcsr_csim::reset_state();
        vin.clear();
        vout.clear();
        cfg.clear();
        status = 0;
    }
};

Shell& shell() {
    static Shell s;
    return s;
}

}  // namespace

extern "C" void qcsr_hls_reset() { shell().reset(); }

extern "C" void qcsr_hls_clock(svBit in_take, int in_data, svBit in_user, svBit in_last, svBit cfg_take, int cfg_data,
                               svBit cfg_last, svBit out_taken, svBit* in_ready, svBit* cfg_ready, svBit* out_valid,
                               svBitVecVal* out_data, svBit* out_user, svBit* out_last, int* status_word) {
    Shell& s = shell();
    if (out_taken && !s.vout.empty()) {
        qcsr::video_out_t o;
        s.vout.read_nb(o);
    }
    if (in_take) {
        qcsr::video_in_t v;
        v.data = static_cast<unsigned>(in_data) & 0xFFFFFFu;
        v.keep = -1;
        v.strb = -1;
        v.user = in_user ? 1 : 0;
        v.last = in_last ? 1 : 0;
        s.vin.write_nb(v);
    }
    if (cfg_take) {
        qcsr::cfg_t c;
        c.data = static_cast<unsigned>(cfg_data);
        c.keep = -1;
        c.strb = -1;
        c.last = cfg_last ? 1 : 0;
        s.cfg.write_nb(c);
    }
    s.core.step();
    *in_ready = s.vin.size() < IN_DEPTH;
    *cfg_ready = s.cfg.size() < CFG_DEPTH;
    *out_valid = !s.vout.empty();
    *out_user = 0;
    *out_last = 0;
    for (int i = 0; i < 3; i++) out_data[i] = 0;
    if (!s.vout.empty()) {
        const qcsr::video_out_t& o = s.vout.front();  // presented until the sink takes it
        for (int i = 0; i < 3; i++) out_data[i] = o.data(32 * i + 31, 32 * i).to_uint();
        *out_user = o.user[0];
        *out_last = o.last[0];
    }
    *status_word = static_cast<int>(s.status.to_uint());
}
