// qcsr_out_reorder.h -- output reorder (RTL qcsr_out_reorder): 2x2 HR blocks (one per LR position,
// raster order) -> raster HR lines at 4 pixels per 96-bit beat (docs/ARCHITECTURE.md 2 and 4.4).
//
// A ping-pong buffer of two LR rows (bank = LR row parity); each bank is two RAMs by column parity,
// so beat k of an HR line (blocks 2k and 2k+1) is one read of each. Row r of blocks is written while
// row r - 1 is read as HR line 2(r-1) (top pixel pairs) then 2(r-1) + 1 (bottom pairs), B = ceil(W/2)
// beats each: (H + 1) * 2B iterations at II = 1. For odd W the last beat of a line carries 2 pixels
// in its low 48 bits and zeros above; 2B = W + 1 iterations per W blocks then (W/(W+1) pixels per
// clock at FOLD = 1, as the RTL). An abandoned frame's output stops at its first dead block.
#ifndef QCSR_OUT_REORDER_H_
#define QCSR_OUT_REORDER_H_

#include "qcsr_csim.h"
#include "qcsr_params.h"

namespace qcsr {

template <class A>
void out_reorder(hls::stream<blk_tok_t>& in, const xdim_t W, const hdim_t H, hls::stream<video_out_t>& out) {
#pragma HLS INLINE off
    const int HALF = (A::MAX_W + 1) / 2;
    pix4_t even0[HALF], odd0[HALF], even1[HALF], odd1[HALF];  // bank 0/1, even/odd LR columns
#pragma HLS BIND_STORAGE variable = even0 type = ram_s2p impl = bram
#pragma HLS BIND_STORAGE variable = odd0 type = ram_s2p impl = bram
#pragma HLS BIND_STORAGE variable = even1 type = ram_s2p impl = bram
#pragma HLS BIND_STORAGE variable = odd1 type = ram_s2p impl = bram
    // Independence under the run-time bank select (UG1399 "pragma HLS dependence"):
    //  * intra: an iteration writes bank `wbank` (r & 1) and reads bank !wbank -- never the same RAM;
    //  * inter: block c of bank b is written in row r and read in row r + 1, at least
    //    min(W even: B, W odd: B + 1) >= MIN_W / 2 iterations later (B = ceil(W / 2), W >= MIN_W);
    //    a true dependence, declared with that distance (as the line buffers declare theirs).
#pragma HLS DEPENDENCE variable = even0 type = intra false
#pragma HLS DEPENDENCE variable = odd0 type = intra false
#pragma HLS DEPENDENCE variable = even1 type = intra false
#pragma HLS DEPENDENCE variable = odd1 type = intra false
#pragma HLS DEPENDENCE variable = even0 type = inter direction = RAW dependent = true distance = A::OUT_RD_DIST
#pragma HLS DEPENDENCE variable = odd0 type = inter direction = RAW dependent = true distance = A::OUT_RD_DIST
#pragma HLS DEPENDENCE variable = even1 type = inter direction = RAW dependent = true distance = A::OUT_RD_DIST
#pragma HLS DEPENDENCE variable = odd1 type = inter direction = RAW dependent = true distance = A::OUT_RD_DIST
    const xdim_t B = (W + 1) / 2;
    bool dead = false;
ReorderRows:
    for (int r = 0; r <= int(H); r++) {
#pragma HLS LOOP_TRIPCOUNT min = A::TRIP_OUT_ROWS max = A::TRIP_OUT_ROWS
    ReorderBeats:
        for (int j = 0; j < 2 * int(B); j++) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = A::TRIP_OUT_BEATS max = A::TRIP_OUT_BEATS
            const bool wbank = r & 1;
            if (r < int(H) && j < int(W)) {
                const blk_tok_t b = in.read();
                dead = dead || b.dead;
                const int c = j >> 1;
                if (!wbank && !(j & 1)) even0[c] = b.px;
                if (!wbank && (j & 1)) odd0[c] = b.px;
                if (wbank && !(j & 1)) even1[c] = b.px;
                if (wbank && (j & 1)) odd1[c] = b.px;
            }
            if (r >= 1 && !dead) {
                const bool bottom = j >= int(B);
                const int k = bottom ? j - int(B) : j;
                const pix4_t a = wbank ? even0[k] : even1[k];  // the bank read is the other one
                const pix4_t o = (2 * k + 1 < int(W)) ? (wbank ? odd0[k] : odd1[k]) : pix4_t(0);
                video_out_t beat;
                beat.data(47, 0) = bottom ? a(95, 48) : a(47, 0);
                beat.data(95, 48) = bottom ? o(95, 48) : o(47, 0);
                beat.keep = -1;
                beat.strb = -1;
                beat.user = (r == 1 && j == 0) ? 1 : 0;
                beat.last = (k == int(B) - 1) ? 1 : 0;
                out.write(beat);
            }
        }
    }
    count_trips("out_reorder", (unsigned long long)(int(H) + 1) * 2 * int(B));
}

}  // namespace qcsr

#endif  // QCSR_OUT_REORDER_H_
