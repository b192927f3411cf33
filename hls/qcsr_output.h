// qcsr_output.h -- output reorder: 2x2 HR blocks (one per LR position, raster order) -> raster HR
// lines at 4 pixels per 96-bit beat (docs/ARCHITECTURE.md section 2).
//
// A ping-pong buffer of two LR rows (bank = LR row parity) holds both HR rows of each. Blocks are
// stored by column parity so that one beat (blocks 2k and 2k+1) is a single read of each half:
// obuf[parity][bank * HALF_W + c / 2], two simple-dual-port RAMs of 96-bit words. A finished bank is
// sent as HR row 2r (top pixel pairs) then 2r + 1 (bottom pairs), ceil(W/2) beats each; for odd W
// the last beat carries 2 pixels in its low 48 bits and zeros above. With an even W the reader
// frees a bank exactly when the writer needs it, so the front never waits; with an odd W (W + 1
// beats per LR row) the block FIFO absorbs one block per row and the front stalls when it fills.
//
// Abandoned frames: the front sends the frame's tag on `aborts`; banks and a partial row holding
// that frame are dropped, a bank being read is cut short, and its blocks still in the FIFO are
// discarded. Rows of the previous (complete) frame are unaffected.
#ifndef QCSR_OUTPUT_H_
#define QCSR_OUTPUT_H_

#include "qcsr_csim.h"
#include "qcsr_params.h"

namespace qcsr {

struct reorder_config {
    static const int MAX_W = arch::MAX_W;
    static const int HALF_W = (arch::MAX_W + 1) / 2;
};

template <class CONFIG_T>
void output_reorder(hls::stream<block_t>& blocks, hls::stream<tag_t>& aborts, hls::stream<video_out_t>& out) {
#pragma HLS INLINE off
#pragma HLS PIPELINE II = 1
    const int HALF_W = CONFIG_T::HALF_W;
    static pix4_t obuf[2][2 * HALF_W];
#pragma HLS ARRAY_PARTITION variable = obuf complete dim = 1
#pragma HLS BIND_STORAGE variable = obuf type = ram_s2p impl = bram
#pragma HLS DEPENDENCE variable = obuf inter false
    static bool full[2] = {false, false};
    static xdim_t bank_w[2];
    static bool bank_sof[2];
    static tag_t bank_tag[2];
    static ap_uint<1> wb = 0, rb = 0;   // bank being written / read
    static xdim_t wcol = 0;             // next LR column of the bank being written
    static tag_t wtag = 0;              // frame of the partial row
    static ap_uint<1> rrow = 0;         // 0: top HR row of the bank, 1: bottom
    static xdim_t rbeat = 0;
    static bool dead = false;           // blocks of frame dead_tag may still be in the FIFO: drop them
    static tag_t dead_tag = 0;
#pragma HLS ARRAY_PARTITION variable = full complete
#pragma HLS ARRAY_PARTITION variable = bank_w complete
#pragma HLS ARRAY_PARTITION variable = bank_sof complete
#pragma HLS ARRAY_PARTITION variable = bank_tag complete

#ifndef __SYNTHESIS__
    static unsigned seen_reset = 0;
    if (seen_reset != qcsr_csim::reset_generation) {
        seen_reset = qcsr_csim::reset_generation;
        full[0] = full[1] = false;
        wb = rb = 0;
        wcol = 0;
        wtag = 0;
        rrow = 0;
        rbeat = 0;
        dead = false;
        dead_tag = 0;
    }
#endif

    // 1. abandoned frame
    tag_t at;
    if (aborts.read_nb(at)) {
        bool dropped = false;
    AbortBanks:
        for (int b = 0; b < 2; b++) {
#pragma HLS UNROLL
            if (full[b] && bank_tag[b] == at) {
                full[b] = false;
                dropped = true;
            }
        }
        if (dropped) {
            if (!full[rb]) {
                rrow = 0;
                rbeat = 0;
                if (full[rb ^ 1]) rb = rb ^ 1;
            }
            wb = full[rb] ? ap_uint<1>(rb ^ 1) : rb;
        }
        if (wtag == at) wcol = 0;
        dead = true;
        dead_tag = at;
    }

    // 2. reader: one beat of the oldest finished bank
#ifdef __SYNTHESIS__
    const bool ready = !out.full();
#else
    const bool ready = qcsr_csim::out_ready;
#endif
    if (full[rb] && ready) {
        const xdim_t nbeats = (bank_w[rb] + 1) >> 1;
        const int addr = int(rb) * HALF_W + int(rbeat);
        const pix4_t a = obuf[0][addr];
        const pix4_t b = obuf[1][addr];
        const bool has_b = xdim_t(2 * rbeat + 1) < bank_w[rb];
        ap_uint<48> pa, pb;
        if (rrow == 0) {
            pa = a(47, 0);
            pb = b(47, 0);
        } else {
            pa = a(95, 48);
            pb = b(95, 48);
        }
        video_out_t beat;
        beat.data = (has_b ? pb : ap_uint<48>(0), pa);
        beat.keep = -1;
        beat.strb = -1;
        beat.user = (bank_sof[rb] && rrow == 0 && rbeat == 0) ? 1 : 0;
        const bool last = (rbeat == nbeats - 1);
        beat.last = last ? 1 : 0;
        out.write(beat);
        if (last) {
            rbeat = 0;
            if (rrow == 1) {
                rrow = 0;
                full[rb] = false;
                rb = rb ^ 1;
            } else {
                rrow = 1;
            }
        } else {
            rbeat = rbeat + 1;
        }
    }

    // 3. writer: one block into the free bank
    if (!full[wb]) {
        block_t blk;
        if (blocks.read_nb(blk)) {
            // Blocks of the frame before the abandoned one may still precede its blocks in the FIFO;
            // only the first block of a later frame (SOF, other tag) ends the dropping.
            if (dead && blk.sof && blk.tag != dead_tag) dead = false;
            if (dead && blk.tag == dead_tag) {
                // block of an abandoned frame: dropped
            } else {
                if (blk.sof) wcol = 0;
                if (wcol == 0) {
                    wtag = blk.tag;
                    bank_sof[wb] = blk.sof;
                }
                obuf[wcol & 1][int(wb) * HALF_W + int(wcol >> 1)] = blk.px;
                if (blk.eol) {
                    full[wb] = true;
                    bank_w[wb] = wcol + 1;
                    bank_tag[wb] = blk.tag;
                    wb = wb ^ 1;
                    wcol = 0;
                } else {
                    wcol = wcol + 1;
                }
            }
        }
    }
}

}  // namespace qcsr

#endif  // QCSR_OUTPUT_H_
