// qcsr_axis.h -- AXI4-Stream side-channel structs (ap_axiu) for the qcsr_top ports.
//
// With Vitis HLS (XILINX_HLS include folder) the real <ap_axi_sdata.h> is used. The open-source
// ap_types headers (hls4ml) lack it, so for plain g++ C simulation a minimal stand-in with the same
// field names and widths is defined here. Only data, keep, strb, user and last are used.
#ifndef QCSR_AXIS_H_
#define QCSR_AXIS_H_

#include <ap_int.h>

#if defined(__has_include)
#if __has_include(<ap_axi_sdata.h>)
#include <ap_axi_sdata.h>
#define QCSR_HAVE_AP_AXI_SDATA 1
#endif
#endif

#ifndef QCSR_HAVE_AP_AXI_SDATA
template <int D, int U, int TI, int TD>
struct ap_axiu {
    ap_uint<D> data;
    ap_uint<(D + 7) / 8> keep;
    ap_uint<(D + 7) / 8> strb;
    ap_uint<(U > 0 ? U : 1)> user;
    ap_uint<1> last;
    ap_uint<(TI > 0 ? TI : 1)> id;
    ap_uint<(TD > 0 ? TD : 1)> dest;
};
#endif

#endif  // QCSR_AXIS_H_
