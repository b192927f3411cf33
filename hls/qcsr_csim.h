// qcsr_csim.h -- C-simulation-only hooks (absent from synthesis):
//  * out_ready models m_axis_video_TREADY (hls::stream in csim is never full);
//  * reset() models ap_rst_n: control state returns to its reset values (memories keep their
//    contents, as block RAM does), internal FIFOs are emptied;
//  * trace records every named tensor of one frame for comparison with the golden intermediates;
//  * fifo_full() gives an internal stream its synthesized depth (csim streams are unbounded).
#ifndef QCSR_CSIM_H_
#define QCSR_CSIM_H_

#include <hls_stream.h>

#include "qcsr_params.h"

#ifndef __SYNTHESIS__
#include <vector>

namespace qcsr_csim {

extern bool out_ready;
extern unsigned reset_generation;
inline void reset() { ++reset_generation; }

struct Trace {
    bool armed = false;
    int W = 0, H = 0;
    std::vector<int> layer[qcsr::arch::NL];  // (C, H, W) requantized codes
    std::vector<int> ycbcr_lr;               // (H, W, 3)
    std::vector<int> bicubic;                // (1, 2H, 2W) Y_N, 14 fraction bits
    std::vector<int> residual_hr;            // (1, 2H, 2W) pixel-shuffled tail
    std::vector<int> y_hr;                   // (1, 2H, 2W)
    std::vector<int> ycbcr_hr;               // (2H, 2W, 3)
    void arm(int w, int h) {
        armed = true;
        W = w;
        H = h;
        for (int l = 0; l < qcsr::arch::NL; l++) {
            const int ch = (l == qcsr::arch::NL - 1) ? qcsr::arch::OUT_CH : qcsr::arch::C;
            layer[l].assign(ch * w * h, -99999);
        }
        ycbcr_lr.assign(w * h * 3, -1);
        bicubic.assign(4 * w * h, -99999);
        residual_hr.assign(4 * w * h, -99999);
        y_hr.assign(4 * w * h, -1);
        ycbcr_hr.assign(12 * w * h, -1);
    }
};
extern Trace trace;

}  // namespace qcsr_csim
#endif

namespace qcsr {

template <class T>
inline bool fifo_full(hls::stream<T>& s, const unsigned depth) {
#pragma HLS INLINE
#ifdef __SYNTHESIS__
    (void)depth;
    return s.full();
#else
    return s.size() >= depth;
#endif
}

}  // namespace qcsr

#endif  // QCSR_CSIM_H_
