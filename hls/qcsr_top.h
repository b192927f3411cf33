// qcsr_top.h -- the qcsr x2 super-resolution core (docs/ARCHITECTURE.md sections 2 and 5).
//
// One call of qcsr_top is one frame (ap_ctrl_chain; run with auto-restart, so the core starts the
// next call as soon as one returns): it waits for a start of frame, loads the configuration packets
// that have arrived, and runs the frame through the dataflow region of section 5.2.
#ifndef QCSR_TOP_H_
#define QCSR_TOP_H_

#include <hls_stream.h>

#include "qcsr_params.h"

void qcsr_top(hls::stream<qcsr::video_in_t>& s_axis_video, hls::stream<qcsr::video_out_t>& m_axis_video,
              hls::stream<qcsr::cfg_t>& s_axis_cfg, ap_uint<32>& status);

#ifndef __SYNTHESIS__
namespace qcsr_csim {
// Models ap_rst_n for the C simulation: the control state returns to the values it is declared
// with, which is what config_rtl -reset state gives the RTL; the weight store (RESET off) keeps its
// contents, as block RAM does.
void reset_state();
}  // namespace qcsr_csim
#endif

#endif  // QCSR_TOP_H_
