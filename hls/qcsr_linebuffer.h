// qcsr_linebuffer.h -- line buffers and sliding windows (hls4ml nnet_conv_stream style).
//
// Raster-linear streaming: every stage sees one sample per step in raster order. A line buffer of
// ROWS rows holds, at column x, the samples 1..ROWS rows above the incoming one; a KH x KW window
// is a shift register of KW such columns. The window therefore always holds the samples at raster
// offsets -(KH-1-dy)*W - (KW-1-dx) of the newest one; samples that wrapped around a row end or lie
// outside the frame are replaced by the consumer (zero padding for convs, edge replication for the
// bicubic) from the output coordinates, so no horizontal blanking is needed.
#ifndef QCSR_LINEBUFFER_H_
#define QCSR_LINEBUFFER_H_

#include "qcsr_params.h"

namespace qcsr {

// Scalar samples. lb[r][x] holds the sample r + 1 rows above. col[0] is the oldest (ROWS rows up),
// col[ROWS] the incoming sample. One read and one write of lb per call, at the same address.
template <class T, int ROWS, int MAX_W>
inline void linebuffer_shift(T lb[ROWS][MAX_W], const xdim_t x, const T in, T col[ROWS + 1]) {
#pragma HLS INLINE
    T old[ROWS];
LbRead:
    for (int r = 0; r < ROWS; r++) {
#pragma HLS UNROLL
        old[r] = lb[r][x];
    }
LbWrite:
    for (int r = ROWS - 1; r > 0; r--) {
#pragma HLS UNROLL
        lb[r][x] = old[r - 1];
    }
    lb[0][x] = in;
LbCol:
    for (int r = 0; r < ROWS; r++) {
#pragma HLS UNROLL
        col[r] = old[ROWS - 1 - r];
    }
    col[ROWS] = in;
}

// Channel vectors (C samples per position). LBR = max(ROWS, 1) is the declared row count so that
// ROWS == 0 (1-row kernels) needs no special case.
template <class T, int ROWS, int LBR, int MAX_W, int C>
inline void linebuffer_shift_vec(T lb[LBR][MAX_W][C], const xdim_t x, const T in[C], T col[ROWS + 1][C]) {
#pragma HLS INLINE
    T old[LBR][C];
LbvRead:
    for (int r = 0; r < ROWS; r++) {
#pragma HLS UNROLL
        for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
            old[r][c] = lb[r][x][c];
        }
    }
LbvWrite:
    for (int r = ROWS - 1; r > 0; r--) {
#pragma HLS UNROLL
        for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
            lb[r][x][c] = old[r - 1][c];
        }
    }
    if (ROWS > 0) {
        for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
            lb[0][x][c] = in[c];
        }
    }
LbvCol:
    for (int r = 0; r < ROWS; r++) {
#pragma HLS UNROLL
        for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
            col[r][c] = old[ROWS - 1 - r][c];
        }
    }
    for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
        col[ROWS][c] = in[c];
    }
}

// Shift a KH x L window one column left and insert `col` as the newest (rightmost) column.
template <class T, int KH, int L>
inline void window_shift(T win[KH][L], const T col[KH]) {
#pragma HLS INLINE
WinRow:
    for (int dy = 0; dy < KH; dy++) {
#pragma HLS UNROLL
    WinCol:
        for (int dx = 0; dx < L - 1; dx++) {
#pragma HLS UNROLL
            win[dy][dx] = win[dy][dx + 1];
        }
        win[dy][L - 1] = col[dy];
    }
}

template <class T, int KH, int L, int C>
inline void window_shift_vec(T win[KH][L][C], const T col[KH][C]) {
#pragma HLS INLINE
WinvRow:
    for (int dy = 0; dy < KH; dy++) {
#pragma HLS UNROLL
    WinvCol:
        for (int dx = 0; dx < L - 1; dx++) {
#pragma HLS UNROLL
            for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
                win[dy][dx][c] = win[dy][dx + 1][c];
            }
        }
        for (int c = 0; c < C; c++) {
#pragma HLS UNROLL
            win[dy][L - 1][c] = col[dy][c];
        }
    }
}

// Zero-padding masks of a K-tap kernel centred on coordinate `o` of an axis of length `len`:
// ok[d] = 0 <= o + d - K/2 < len.
template <int K, class COORD_T, class LEN_T>
inline void tap_mask(const COORD_T o, const LEN_T len, bool ok[K]) {
#pragma HLS INLINE
    for (int d = 0; d < K; d++) {
#pragma HLS UNROLL
        const int p = int(o) + d - K / 2;
        ok[d] = p >= 0 && p < int(len);
    }
}

}  // namespace qcsr

#endif  // QCSR_LINEBUFFER_H_
