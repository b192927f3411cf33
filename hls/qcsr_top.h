// qcsr_top.h -- the qcsr x2 super-resolution core (docs/ARCHITECTURE.md sections 2 and 5).
//
// One call of qcsr_top handles one start-of-frame beat (ap_ctrl_chain; run with auto-restart, so the
// core starts the next call as soon as one returns): it waits for a start of frame, loads the
// configuration packets that wait (cfg_pending: the integrator ties it to s_axis_cfg's TVALID), and
// runs the frame through the dataflow region of section 5.2 (or ends the call when the SOF beat is
// refused: no configuration, or TLAST on it).
#ifndef QCSR_TOP_H_
#define QCSR_TOP_H_

#include <hls_stream.h>

#include "qcsr_params.h"

void qcsr_top(hls::stream<qcsr::video_in_t>& s_axis_video, hls::stream<qcsr::video_out_t>& m_axis_video,
              hls::stream<qcsr::cfg_t>& s_axis_cfg, volatile const bool* cfg_pending, ap_uint<32>& status);

#ifndef __SYNTHESIS__
namespace qcsr_csim {
// Models ap_rst_n for the C simulation: the control state returns to the values it is declared
// with, which is what config_rtl -reset state gives the RTL; the weight store (RESET off) keeps its
// contents, as block RAM does.
void reset_state();
}  // namespace qcsr_csim
#endif

#endif  // QCSR_TOP_H_
