// qcsr_csim.h -- C-simulation-only observation hooks (absent from synthesis; they change nothing
// the core computes):
//  * trace records every named tensor of one frame for comparison with the golden intermediates;
//  * trips counts the iterations of each process's pipelined loop in the last frame, for the cycle
//    model of ARCHITECTURE.md 5.4 (a process at II = FOLD takes FOLD cycles per iteration).
// Reset is not here: it is a property of the state (qcsr_top.cpp, core_state), see reset_state().
#ifndef QCSR_CSIM_H_
#define QCSR_CSIM_H_

#include "qcsr_params.h"

#ifndef __SYNTHESIS__
#include <map>
#include <string>
#include <vector>

namespace qcsr_csim {

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

// iterations of each process's main loop in the most recent frame, by process name
extern std::map<std::string, unsigned long long> trips;

}  // namespace qcsr_csim
#endif

namespace qcsr {

inline void trace_layer(int l, int c, int y, int x, int v) {
#ifndef __SYNTHESIS__
    qcsr_csim::Trace& t = qcsr_csim::trace;
    if (t.armed && y >= 0 && x >= 0 && y < t.H && x < t.W) t.layer[l][(c * t.H + y) * t.W + x] = v;
#else
    (void)l;
    (void)c;
    (void)y;
    (void)x;
    (void)v;
#endif
}

inline void count_trips(const char* process, unsigned long long n) {
#ifndef __SYNTHESIS__
    qcsr_csim::trips[process] = n;
#else
    (void)process;
    (void)n;
#endif
}

}  // namespace qcsr

#endif  // QCSR_CSIM_H_
