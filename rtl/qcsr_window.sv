// SPDX-License-Identifier: MIT
/*
 * qcsr_window: KH x KW sliding window over a raster slot stream, with per-tap padding flags.
 *
 * Every slot shifts one new column (the newest sample and the KH-1 samples above it, from
 * qcsr_line_buffer) into a KW-column register window.  The window is centred on the
 * sample LAG = (KH/2)*width + KW/2 slots behind the newest one, i.e. output position o
 * is produced while input o + LAG enters.  The stream is linear (line ends wrap to the
 * next line), so at the right edge the newest columns already belong to the next line
 * and at the left edge the oldest ones to the previous line: those taps, and rows
 * above/below the frame, are flagged in out_ok (0 = outside the frame).  The consumer
 * forces its multiplier operand to zero from the flag (zero padding without muxes on
 * the window).  Border columns therefore cost latency, never slots.
 *
 * Only state changes on a slot: the window registers, the skip counter and the position
 * counters.  out_valid pulses two cycles after the slot that completes a window; the
 * window, out_ok and the position then hold until the next slot.  Taps in PyTorch
 * order: tap (ky, kx) at out_win[(ky*KW + kx)*DW +: DW], flag out_ok[ky*KW + kx].
 * Positions beyond the frame (the flush after the last line) are produced too; the
 * consumer ignores them.  Needs width >= KW/2 + 1 and height >= KH/2 + 1 (2 for 3x3).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

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
    input  wire [XW-1:0]         width,
    input  wire [YW-1:0]         height,
    input  wire                  in_valid,
    input  wire [DW-1:0]         in_data,
    output logic                 out_valid,
    output logic [YW-1:0]        out_row,
    output logic [XW-1:0]        out_col,
    output logic [KH*KW-1:0]     out_ok,
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
    .clk(clk), .clr(clr), .width(width), .in_valid(in_valid), .in_data(in_data), .col(col)
);

always_ff @(posedge clk) begin
    if (clr) col_valid <= 1'b0;
    else col_valid <= in_valid;
end

// window registers: column j (0 = oldest) at win[j*KH*DW], row ky (0 = top) inside
wire  [KW*KH*DW-1:0] win;          // the slice registers of g_load
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

// The window's load enable: one register per slice of CV_SLICE window bits (the depthwise window
// is 2,016 bits at C = 16), so no enable net drives more than CV_SLICE flip-flops; `keep` stops
// synthesis from merging the copies again. col_valid itself drives only the position logic.
localparam integer WT = KW * KH * DW;
localparam integer CV_SLICE = 256;
localparam integer NCV = (WT + CV_SLICE - 1) / CV_SLICE;
genvar gv;
for (gv = 0; gv < NCV; gv = gv + 1) begin : g_load
    localparam integer LO = gv * CV_SLICE;
    localparam integer WD = ((gv + 1) * CV_SLICE > WT) ? WT - LO : CV_SLICE;
    (* keep = "true" *) logic load = 1'b0;
    logic [WD-1:0] w_q = '0;
    (* keep *) always_ff @(posedge clk) begin
        if (clr) load <= 1'b0;
        else load <= in_valid;
    end
    always_ff @(posedge clk) begin
        if (load) w_q <= win_next[LO +: WD];
    end
    assign win[LO +: WD] = w_q;
end

// width - 1, decoded once (static during a frame): end-of-line tests are equalities, not adders
logic [XW-1:0] wm1 = '0;
always_ff @(posedge clk) wm1 <= width - 1'b1;

// height - d and width - d for the padding flags, decoded once
logic [(RH+1)*YW-1:0] hmd = '0;     // hmd[d] = height - d
logic [(RW+1)*(XW+1)-1:0] wmd = '0; // wmd[d] = width - d
always_ff @(posedge clk) begin
    for (int d = 0; d <= RH; d = d + 1) hmd[d*YW +: YW] <= height - YW'(d);
    for (int d = 0; d <= RW; d = d + 1) wmd[d*(XW+1) +: XW+1] <= {1'b0, width} - (XW+1)'(d);
end

wire [SKW-1:0] sk0;             // the skip count for this width, decoded once
qcsr_times_width #(.XW(XW), .YW(SKW), .K(RH), .ADD(RW)) sk0_inst (.clk(clk), .width(width), .y(sk0));

// position of the next centre, and how many columns to skip before the first one
logic [SKW-1:0] skip = '0;
logic [YW-1:0]  pos_r = '0;
logic [XW-1:0]  pos_c = '0;
wire  [KH*KW-1:0] ok_next;

for (gy = 0; gy < KH; gy = gy + 1) begin : g_ky
    for (gx = 0; gx < KW; gx = gx + 1) begin : g_kx
        // one comparator against a decoded constant per flag (no adder in front of it)
        wire row_ok = (gy >= RH || pos_r >= YW'(RH - gy)) &&
                      (gy <= RH || pos_r < hmd[((gy > RH) ? gy - RH : 0)*YW +: YW]);
        wire col_ok = (gx >= RW || pos_c >= XW'(RW - gx)) &&
                      (gx <= RW || {1'b0, pos_c} < wmd[((gx > RW) ? gx - RW : 0)*(XW+1) +: XW+1]);
        assign ok_next[gy*KW + gx] = row_ok && col_ok;
    end
end

always_ff @(posedge clk) begin
    if (clr) begin
        skip <= sk0;
        pos_r <= '0;
        pos_c <= '0;
        out_valid <= 1'b0;
    end else begin
        out_valid <= 1'b0;
        if (col_valid) begin
            if (skip != 0) begin
                skip <= skip - 1'b1;
            end else begin
                out_valid <= 1'b1;
                out_row <= pos_r;
                out_col <= pos_c;
                out_ok <= ok_next;
                if (pos_c == wm1) begin
                    pos_c <= '0;
                    if (~&pos_r) pos_r <= pos_r + 1'b1;   // saturate during the flush
                end else begin
                    pos_c <= pos_c + 1'b1;
                end
            end
        end
    end
end

// window taps in PyTorch order
for (gy = 0; gy < KH; gy = gy + 1) begin : g_oy
    for (gx = 0; gx < KW; gx = gx + 1) begin : g_ox
        assign out_win[(gy*KW + gx)*DW +: DW] = win[(gx*KH + gy)*DW +: DW];
    end
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
