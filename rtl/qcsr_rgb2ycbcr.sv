// SPDX-License-Identifier: MIT
/*
 * qcsr_rgb2ycbcr: integer BT.601 (MATLAB rgb2ycbcr, Y in [16, 235]), the constants of
 * fixedpoint/colour.py and docs/ARCHITECTURE.md section 1: 16 fraction bits, round
 * half up (+2^15, arithmetic >> 16), clip to [0, 255].
 *
 * Constant products as shift-and-add (qcsr_const_mac, no DSP), the offset and the rounding
 * constant folded into the sum; the clip reads the top bits (no comparator).
 * in_rgb is a UG934 pixel: [7:0] G, [15:8] B, [23:16] R.
 * out_ycc: [7:0] Y, [15:8] Cb, [23:16] Cr.   Latency 7 cycles, free-running.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_rgb2ycbcr (
    input  wire         clk,
    input  wire         in_valid,
    input  wire [23:0]  in_rgb,
    output logic        out_valid,
    output logic [23:0] out_ycc
);

localparam integer LAT = 7;
localparam integer PW = 28;   // |9-bit x 17-bit| sums of 3 plus the offset fit 28 bits signed

// x: R, G, B as 9-bit signed
wire [3*9-1:0] x = {1'b0, in_rgb[15:8], 1'b0, in_rgb[7:0], 1'b0, in_rgb[23:16]};

localparam logic [95:0] CY  = {32'sd6416, 32'sd33039, 32'sd16829};     // B, G, R
localparam logic [95:0] CCB = {32'sd28784, -32'sd19070, -32'sd9714};
localparam logic [95:0] CCR = {-32'sd4681, -32'sd24103, 32'sd28784};

wire [3*PW-1:0] acc;
qcsr_const_mac #(.N(3), .IW(9), .OW(PW), .COEF(CY),  .OFS((16 << 16) + (1 << 15)))  y_mac  (.clk(clk), .x(x), .y(acc[0*PW +: PW]));
qcsr_const_mac #(.N(3), .IW(9), .OW(PW), .COEF(CCB), .OFS((128 << 16) + (1 << 15))) cb_mac (.clk(clk), .x(x), .y(acc[1*PW +: PW]));
qcsr_const_mac #(.N(3), .IW(9), .OW(PW), .COEF(CCR), .OFS((128 << 16) + (1 << 15))) cr_mac (.clk(clk), .x(x), .y(acc[2*PW +: PW]));

genvar gr;
for (gr = 0; gr < 3; gr = gr + 1) begin : g_row
    wire [PW-1:0] a = acc[gr*PW +: PW];
    /* verilator lint_off UNUSEDSIGNAL */   // the top 16 bits of t are zero by construction (a >> 16)
    wire [PW-1:0] t = a >> 16;
    /* verilator lint_on UNUSEDSIGNAL */
    always_ff @(posedge clk) begin
        out_ycc[gr*8 +: 8] <= a[PW-1] ? 8'd0 : (|t[PW-17:8]) ? 8'd255 : t[7:0];
    end
end

wire [LAT:0] vp;
qcsr_valid_pipe #(.DEPTH(LAT)) vp_inst (.clk(clk), .in_valid(in_valid), .tap(vp));
assign out_valid = vp[LAT];

endmodule

`resetall
