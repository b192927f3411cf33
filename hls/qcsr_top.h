// qcsr_top.h -- the qcsr x2 super-resolution core (docs/ARCHITECTURE.md sections 2 and 5).
//
// Free-running (ap_ctrl_none) dataflow of two per-beat processes; one call of qcsr_top is one
// clock of the core: at most one input beat, one configuration word and one output beat move.
// A C testbench calls it in a loop (see hls/tb/qcsr_tb.cpp).
#ifndef QCSR_TOP_H_
#define QCSR_TOP_H_

#include <hls_stream.h>

#include "qcsr_params.h"

void qcsr_top(hls::stream<qcsr::video_in_t>& s_axis_video, hls::stream<qcsr::video_out_t>& m_axis_video,
              hls::stream<qcsr::cfg_t>& s_axis_cfg, ap_uint<32>& status);

#endif  // QCSR_TOP_H_
