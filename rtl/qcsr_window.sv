// SPDX-License-Identifier: MIT
/*
 * qcsr_window: KH x KW sliding window over a raster stream with zero padding.
 *
 * Every enabled slot shifts one new column (the newest sample and the KH-1 samples
 * above it, from qcsr_line_buffer) into a KW-column register window.  The window is
 * centred on the sample LAG = (KH/2)*width + KW/2 slots behind the newest one, i.e.
 * output position o is produced while input o + LAG enters.  The stream is linear
 * (line ends wrap to the next line), so at the right edge the newest columns already
 * belong to the next line and at the left edge the oldest ones to the previous line:
 * both, and rows above/below the frame, are replaced by zeros here (every layer pads
 * its own input with zeros).  Border columns therefore cost latency, never slots: a
 * stage outputs exactly one position per input slot once its lag has passed.
 *
 * Latency: the window for centre o is on out_* two slots after sample o + LAG was on
 * in_*.  Output taps in PyTorch order: tap (ky, kx) at out_win[(ky*KW + kx)*DW +: DW].
 * Positions beyond the frame (the flush after the last line) are produced too; the
 * consumer ignores them.  Needs width >= KW/2 + 1 and height >= KH/2 + 1 (2 for 3x3).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_window #(
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer DW = 8,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire                  clk,
    input  wire                  clr,
    input  wire                  ce,
    input  wire [XW-1:0]         width,
    input  wire [YW-1:0]         height,
    input  wire                  in_valid,
    input  wire [DW-1:0]         in_data,
    output logic                 out_valid,
    output logic [YW-1:0]        out_row,
    output logic [XW-1:0]        out_col,
    output wire [KH*KW*DW-1:0]   out_win
);

localparam integer RH = KH / 2;
localparam integer RW = KW / 2;
localparam integer SKW = $clog2((RH + 1) * MAX_W + RW + 1);   // skip counter width

// newest column: col[k*DW +: DW] is k lines above the newest sample
wire [KH*DW-1:0] col;
logic col_valid = 1'b0;

qcsr_line_buffer #(
    .DW(DW), .ROWS(KH - 1), .MAX_W(MAX_W), .XW(XW)
) lb_inst (
    .clk(clk), .clr(clr), .ce(ce), .width(width), .in_data(in_data), .col(col)
);

always_ff @(posedge clk) begin
    if (clr) col_valid <= 1'b0;
    else if (ce) col_valid <= in_valid;
end

// window registers: column j (0 = oldest) at win[j*KH*DW], row ky (0 = top) inside
logic [KW*KH*DW-1:0] win = '0;
wire  [KH*DW-1:0]    col_top_first;

wire  [KW*KH*DW-1:0] win_next;

if (KW > 1) begin : g_shift
    assign win_next = {col_top_first, win[KW*KH*DW-1:KH*DW]};
end else begin : g_single
    assign win_next = col_top_first;
end

genvar gy, gx;
for (gy = 0; gy < KH; gy = gy + 1) begin : g_col
    assign col_top_first[gy*DW +: DW] = col[(KH-1-gy)*DW +: DW];
end

// position of the next centre, and how many columns to skip before the first one
logic [SKW-1:0] skip = '0;
logic [YW-1:0]  pos_r = '0;
logic [XW-1:0]  pos_c = '0;

always_ff @(posedge clk) begin
    if (clr) begin
        skip <= SKW'(RH * width + RW);
        pos_r <= '0;
        pos_c <= '0;
        out_valid <= 1'b0;
        out_row <= '0;
        out_col <= '0;
    end else if (ce) begin
        out_valid <= 1'b0;
        if (col_valid) begin
            win <= win_next;
            if (skip != 0) begin
                skip <= skip - 1'b1;
            end else begin
                out_valid <= 1'b1;
                out_row <= pos_r;
                out_col <= pos_c;
                if (pos_c + 1'b1 >= width) begin
                    pos_c <= '0;
                    if (~&pos_r) pos_r <= pos_r + 1'b1;   // saturate during the flush
                end else begin
                    pos_c <= pos_c + 1'b1;
                end
            end
        end
    end
end

// zero padding: taps outside the frame read zero
for (gy = 0; gy < KH; gy = gy + 1) begin : g_ky
    for (gx = 0; gx < KW; gx = gx + 1) begin : g_kx
        wire row_ok = (gy >= RH || out_row >= YW'(RH - gy)) &&
                      (gy <= RH || out_row + YW'(gy - RH) < height);
        wire col_ok = (gx >= RW || out_col >= XW'(RW - gx)) &&
                      (gx <= RW || {1'b0, out_col} + (XW+1)'(gx - RW) < {1'b0, width});
        assign out_win[(gy*KW + gx)*DW +: DW] =
            (row_ok && col_ok) ? win[(gx*KH + gy)*DW +: DW] : '0;
    end
end

endmodule

`resetall
