// qcsr_slot_delay.h -- CNN row / slot alignment (RTL qcsr_row_delay + qcsr_slot_delay): only for
// networks that look fewer than 2 lines ahead (1-row kernels), whose CNN output must wait
// D = (ROWS - R_CNN) * W + (COLS - C_CNN) positions for the bicubic path (ARCHITECTURE.md 4.3).
// A circular buffer of D tokens; H * W + D iterations, output j in iteration j + D. Streams align the
// two paths by token order, so this is buffering: without it the tail's FIFO would fill while the
// bicubic still needs D more inputs, and the region would deadlock (invisible to C simulation).
#ifndef QCSR_SLOT_DELAY_H_
#define QCSR_SLOT_DELAY_H_

#include "qcsr_csim.h"
#include "qcsr_params.h"

namespace qcsr {

template <class T, int MAX_D>
void slot_delay(hls::stream<T>& in, const xdim_t W, const step_t n, const int rows, const int cols,
                hls::stream<T>& out) {
#pragma HLS INLINE off
    T buf[MAX_D];
#pragma HLS BIND_STORAGE variable = buf type = ram_s2p impl = bram
#pragma HLS DEPENDENCE variable = buf type = inter direction = RAW dependent = true distance = arch::MIN_W
    const step_t d = step_t(rows) * W + cols;
    ap_uint<bits_for(MAX_D)> p = 0;  // the slot written this iteration; it is read D iterations later
SlotDelay:
    for (step_t i = 0; i < n + d; i++) {
#pragma HLS PIPELINE II = arch::FOLD
#pragma HLS LOOP_TRIPCOUNT min = arch::TRIP_LAG max = arch::TRIP_LAG
        const T old = buf[p];
        if (i >= d) out.write(old);
        if (i < n) buf[p] = in.read();
        p = (p == d - 1) ? decltype(p)(0) : decltype(p)(p + 1);
    }
    count_trips("slot_delay", (unsigned long long)(n + d));
}

}  // namespace qcsr

#endif  // QCSR_SLOT_DELAY_H_
