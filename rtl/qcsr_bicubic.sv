// SPDX-License-Identifier: MIT
/*
 * qcsr_bicubic: x2 bicubic of Y, Cb and Cr (Keys a = -0.5, half-pixel centres,
 * replicated borders), fixedpoint/bicubic.py bit for bit.
 *
 * Separable 5-tap phase filters over LR offsets -2..+2, 7 fraction bits each:
 *   even = (-3, 29, 111, -9, 0), odd = (0, -9, 111, 29, -3).
 * The vertical pass runs on the column entering the window (both row phases), the
 * horizontal pass on a 5-column register of vertical results (both column phases),
 * so each slot produces the 4 HR samples (2r + dy, 2c + dx) of one LR position with
 * the exact 14-fraction-bit product.  Luma leaves as the raw Y_N (signed, 24 bits);
 * chroma is rounded half up (+2^13 >> 14) and clipped to [0, 255].
 *
 * Late computation for alignment with the CNN: the line buffer keeps DELAY_ROWS
 * extra lines in front of the 4 window lines, so the window works DELAY_ROWS lines
 * behind its input (the top adds the remaining register delay).  The extra lines
 * share the window's RAM words (one 24-bit sample per line per column).
 *
 * Borders: a window column whose centre row is near the top or bottom takes the
 * edge row instead of the missing ones (per entering column, using that column's
 * own row), a window centred near the left or right edge takes the edge column.
 *
 * Latency: output position o appears 4 + 2*6 = 16 cycles after the slot that brought input
 * sample o + (DELAY_ROWS + 2)*width + 2.  Only state (line buffer, register of vertical
 * results, positions) waits for slots; the filters (qcsr_const_mac, shift-and-add in 6
 * register stages, no DSP) run every cycle.
 * Outputs are indexed 2*dy + dx (the pixel shuffle order): out_yn[(2dy+dx)*24 +: 24].
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_bicubic #(
    parameter integer DELAY_ROWS = 0,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire           clk,
    input  wire           clr,
    input  wire [XW-1:0]  width,
    input  wire [YW-1:0]  height,
    input  wire           in_valid,
    input  wire [23:0]    in_ycc,       // [7:0] Y, [15:8] Cb, [23:16] Cr
    output logic          out_valid,
    output logic [YW-1:0] out_row,
    output logic [XW-1:0] out_col,
    output logic [4*24-1:0] out_yn,   // signed, 14 fraction bits
    output logic [4*8-1:0]  out_cb,
    output logic [4*8-1:0]  out_cr
);

localparam integer ROWS = DELAY_ROWS + 4;
localparam integer VW = 18;    // vertical result: 8-bit x taps (|sum| <= 152 * 255), signed
localparam integer HW = 25;    // horizontal result: fits 24 bits signed, one spare
localparam integer SKW = $clog2((DELAY_ROWS + 3) * MAX_W + 3);
localparam integer PW = ((XW > YW) ? XW : YW) + 1;   // position width for the border logic

// width - 1, decoded once (static during a frame): end-of-line and edge tests are equalities, not adders
logic [XW-1:0] wm1 = '0;
always_ff @(posedge clk) wm1 <= width - 1'b1;

logic [YW-1:0] hm1 = '0, hm2 = '0;
logic [XW-1:0] wm2 = '0;
always_ff @(posedge clk) begin
    hm1 <= height - 1'b1;
    hm2 <= height - YW'(2);
    wm2 <= width - XW'(2);
end

// the skip counts for this width, decoded once (registered: the sum is not on the clr path)
wire [SKW-1:0] sk_e0, sk_c0;
qcsr_times_width #(.XW(XW), .YW(SKW), .K(DELAY_ROWS + 2))         ske_inst (.clk(clk), .width(width), .y(sk_e0));
qcsr_times_width #(.XW(XW), .YW(SKW), .K(DELAY_ROWS + 2), .ADD(2)) skc_inst (.clk(clk), .width(width), .y(sk_c0));

// ---------------------------------------------------------------- line buffer
/* verilator lint_off UNUSEDSIGNAL */
wire [(ROWS+1)*24-1:0] col;     // rows 0..DELAY_ROWS-1 are only the delay
/* verilator lint_on UNUSEDSIGNAL */
logic col_valid = 1'b0;

qcsr_line_buffer #(
    .DW(24), .ROWS(ROWS), .MAX_W(MAX_W), .XW(XW)
) lb_inst (
    .clk(clk), .clr(clr), .width(width), .in_valid(in_valid), .in_data(in_ycc), .col(col)
);

always_ff @(posedge clk) begin
    if (clr) col_valid <= 1'b0;
    else col_valid <= in_valid;
end

// ---------------------------------------------------------------- filters (shift-and-add, pipelined)
// even phase (-3, 29, 111, -9, 0), odd phase (0, -9, 111, 29, -3) over offsets -2..+2: qcsr_const_mac,
// LAT = 6 cycles each, one carry chain per register stage, no DSP
localparam integer LAT = 6;
localparam logic [159:0] EVEN = {32'sd0, -32'sd9, 32'sd111, 32'sd29, -32'sd3};
localparam logic [159:0] ODD  = {-32'sd3, 32'sd29, 32'sd111, -32'sd9, 32'sd0};

// ---------------------------------------------------------------- vertical pass
// The column entering the window (col, held between slots) with the edge rows substituted from
// its own row (e_row) goes through the vertical filters; LAT cycles after the slot the result
// shifts into the 5-column register of vertical results (hreg), on vsh = col_valid delayed.
logic [SKW-1:0] skip_e = '0, skip_c = '0;
logic [YW-1:0]  e_row = '0, c_row = '0;
logic [XW-1:0]  e_col = '0, c_col = '0;

always_ff @(posedge clk) begin
    if (clr) begin
        skip_e <= sk_e0;
        e_row <= '0; e_col <= '0;
    end else if (col_valid) begin
        if (skip_e != 0) begin
            skip_e <= skip_e - 1'b1;
        end else if (e_col == wm1) begin
            e_col <= '0;
            if (~&e_row) e_row <= e_row + 1'b1;
        end else begin
            e_col <= e_col + 1'b1;
        end
    end
end

// source index (0..4, offset -2..+2) of tap k after edge replication at position p (n1 = n - 1,
// n2 = n - 2 decoded): equalities only; positions beyond the frame (the flush) are don't-care
function automatic [2:0] rep(input integer k, input [PW-1:0] p, input [PW-1:0] n1, input [PW-1:0] n2);
    begin
        rep = 3'(k);
        case (k)
            0: if (p == 0) rep = 3'd2; else if (p == 1) rep = 3'd1;
            1: if (p == 0) rep = 3'd2;
            3: if (p == n1) rep = 3'd2;
            4: if (p == n1) rep = 3'd2; else if (p == n2) rep = 3'd3;
            default: ;
        endcase
    end
endfunction

// hreg column j (0 = oldest): for channel ch and row phase dy, VW bits at
// hreg[((j*3 + ch)*2 + dy)*VW +: VW]
localparam integer CW = 3 * 2 * VW;    // one column of vertical results
logic [5*CW-1:0] hreg = '0;
wire  [CW-1:0]   vcol;

wire [LAT+1:0] vsh;
qcsr_valid_pipe #(.DEPTH(LAT + 1)) vsh_inst (.clk(clk), .in_valid(col_valid), .tap(vsh));

genvar gch, gk, gdy, gdx;
// The window column (the line-buffer RAM output) and each tap's replication source are registered
// first (free-running: both hold between slots), so the RAM's clock-to-out does not meet the
// multiplexer and the filter's first adder in one cycle; the vertical results are one cycle later.
logic [5*24-1:0] col_q = '0;     // the 5 window lines, oldest (offset -2) first
logic [5*3-1:0]  src_q = '0;
always_ff @(posedge clk) begin
    col_q <= col[DELAY_ROWS*24 +: 5*24];
    for (int k = 0; k < 5; k = k + 1) src_q[k*3 +: 3] <= rep(k, PW'(e_row), PW'(hm1), PW'(hm2));
end

for (gch = 0; gch < 3; gch = gch + 1) begin : g_vch
    wire [5*9-1:0] taps_r;      // 5 x 9-bit signed (0..255)
    for (gk = 0; gk < 5; gk = gk + 1) begin : g_tap
        wire [2:0] src = src_q[gk*3 +: 3];
        // tap k (offset k-2) of the window is line DELAY_ROWS + 4 - k above the newest sample
        // (col_q line 4 - k); the edge substitution as a 5:1 multiplexer (an index expression
        // would infer multipliers)
        logic [7:0] t;
        always_comb begin
            t = col_q[4*24 + gch*8 +: 8];
            for (int j = 1; j < 5; j = j + 1) if (32'(src) == j) t = col_q[(4 - j)*24 + gch*8 +: 8];
        end
        assign taps_r[gk*9 +: 9] = {1'b0, t};
    end
    for (gdy = 0; gdy < 2; gdy = gdy + 1) begin : g_ph
        qcsr_const_mac #(.N(5), .IW(9), .OW(VW), .COEF(gdy ? ODD : EVEN)) fir (
            .clk(clk), .x(taps_r), .y(vcol[(gch*2 + gdy)*VW +: VW])
        );
    end
end

always_ff @(posedge clk) begin
    if (vsh[LAT + 1]) hreg <= {vcol, hreg[5*CW-1:CW]};
end

// ---------------------------------------------------------------- window centre, horizontal pass
logic           h_valid = 1'b0;
logic [YW-1:0]  h_row = '0;
logic [XW-1:0]  h_col = '0;
logic [5*3-1:0] hsrc_q = '0;    // each horizontal tap's replication source, decoded with h_col (registered:
                                // the static width-1 register then drives only these compares)

always_ff @(posedge clk) begin
    if (clr) begin
        skip_c <= sk_c0;
        c_row <= '0; c_col <= '0;
        h_valid <= 1'b0;
    end else begin
        h_valid <= 1'b0;
        if (vsh[LAT + 1]) begin
            if (skip_c != 0) begin
                skip_c <= skip_c - 1'b1;
            end else begin
                h_valid <= 1'b1;
                h_row <= c_row;
                h_col <= c_col;
                for (int k = 0; k < 5; k = k + 1) hsrc_q[k*3 +: 3] <= rep(k, PW'(c_col), PW'(wm1), PW'(wm2));
                if (c_col == wm1) begin
                    c_col <= '0;
                    if (~&c_row) c_row <= c_row + 1'b1;
                end else begin
                    c_col <= c_col + 1'b1;
                end
            end
        end
    end
end

wire [3*4*HW-1:0] h_sum;    // channel ch, index 2dy+dx
for (gch = 0; gch < 3; gch = gch + 1) begin : g_hch
    for (gdy = 0; gdy < 2; gdy = gdy + 1) begin : g_hdy
        wire [5*VW-1:0] row_r;
        for (gk = 0; gk < 5; gk = gk + 1) begin : g_tap
            wire [2:0] src = hsrc_q[gk*3 +: 3];
            logic [VW-1:0] v;
            always_comb begin
                v = hreg[((0*3 + gch)*2 + gdy)*VW +: VW];
                for (int j = 1; j < 5; j = j + 1) if (32'(src) == j) v = hreg[((j*3 + gch)*2 + gdy)*VW +: VW];
            end
            assign row_r[gk*VW +: VW] = v;
        end
        for (gdx = 0; gdx < 2; gdx = gdx + 1) begin : g_hdx
            qcsr_const_mac #(.N(5), .IW(VW), .OW(HW), .COEF(gdx ? ODD : EVEN)) fir (
                .clk(clk), .x(row_r), .y(h_sum[(gch*4 + gdy*2 + gdx)*HW +: HW])
            );
        end
    end
end

wire [LAT:0] hv;
qcsr_valid_pipe #(.DEPTH(LAT)) hv_inst (.clk(clk), .in_valid(h_valid), .tap(hv));
wire [YW+XW-1:0] hpos;
qcsr_pipe #(.DW(YW + XW), .DEPTH(LAT)) hpos_inst (.clk(clk), .in_data({h_row, h_col}), .out_data(hpos));

// ---------------------------------------------------------------- outputs
always_ff @(posedge clk) begin
    if (clr) out_valid <= 1'b0;
    else out_valid <= hv[LAT];
    {out_row, out_col} <= hpos;
end

genvar gi;
for (gi = 0; gi < 4; gi = gi + 1) begin : g_out
    /* verilator lint_off UNUSEDSIGNAL */   // Y_N fits 24 bits: the sum's top bits are sign copies
    wire signed [HW-1:0] y  = h_sum[(0*4 + gi)*HW +: HW];
    /* verilator lint_on UNUSEDSIGNAL */
    wire signed [HW-1:0] cb = (h_sum[(1*4 + gi)*HW +: HW] + (HW'(1) <<< 13)) >>> 14;
    wire signed [HW-1:0] cr = (h_sum[(2*4 + gi)*HW +: HW] + (HW'(1) <<< 13)) >>> 14;
    always_ff @(posedge clk) begin
        out_yn[gi*24 +: 24] <= y[23:0];
        out_cb[gi*8 +: 8] <= cb[HW-1] ? 8'd0 : (|cb[HW-2:8]) ? 8'd255 : cb[7:0];
        out_cr[gi*8 +: 8] <= cr[HW-1] ? 8'd0 : (|cr[HW-2:8]) ? 8'd255 : cr[7:0];
    end
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
