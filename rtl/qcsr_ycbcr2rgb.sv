// SPDX-License-Identifier: MIT
/*
 * qcsr_ycbcr2rgb: integer BT.601 inverse of qcsr_rgb2ycbcr (fixedpoint/colour.py):
 * on (Y - 16, Cb - 128, Cr - 128), R = (76309, 0, 104597), G = (76309, -25675, -53279),
 * B = (76309, 132201, 0), round half up (+2^15 >> 16), clip to [0, 255].
 *
 * Constant products as shift-and-add (qcsr_const_mac, no DSP) on the raw Y, Cb, Cr; the
 * -16 / -128 offsets and the rounding constant are folded into one constant per output.
 * in_ycc: [7:0] Y, [15:8] Cb, [23:16] Cr.  out_rgb: UG934 ([7:0] G, [15:8] B, [23:16] R).
 * Latency 7 cycles, free-running.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_ycbcr2rgb (
    input  wire         clk,
    input  wire         in_valid,
    input  wire [23:0]  in_ycc,
    output logic        out_valid,
    output logic [23:0] out_rgb
);

localparam integer LAT = 7;
localparam integer PW = 30;   // |9-bit x 19-bit| sums of 3 plus the offset fit 30 bits signed

wire [3*9-1:0] x = {1'b0, in_ycc[23:16], 1'b0, in_ycc[15:8], 1'b0, in_ycc[7:0]};   // Cr, Cb, Y

localparam logic [95:0] CR = {32'sd104597, 32'sd0, 32'sd76309};
localparam logic [95:0] CG = {-32'sd53279, -32'sd25675, 32'sd76309};
localparam logic [95:0] CB = {32'sd0, 32'sd132201, 32'sd76309};
localparam integer OR = -(76309 * 16 + 104597 * 128) + (1 << 15);
localparam integer OG = -(76309 * 16 - 25675 * 128 - 53279 * 128) + (1 << 15);
localparam integer OB = -(76309 * 16 + 132201 * 128) + (1 << 15);

wire [3*PW-1:0] acc;     // R, G, B
qcsr_const_mac #(.N(3), .IW(9), .OW(PW), .COEF(CR), .OFS(OR)) r_mac (.clk(clk), .x(x), .y(acc[0*PW +: PW]));
qcsr_const_mac #(.N(3), .IW(9), .OW(PW), .COEF(CG), .OFS(OG)) g_mac (.clk(clk), .x(x), .y(acc[1*PW +: PW]));
qcsr_const_mac #(.N(3), .IW(9), .OW(PW), .COEF(CB), .OFS(OB)) b_mac (.clk(clk), .x(x), .y(acc[2*PW +: PW]));

wire [3*8-1:0] rgb8;     // R, G, B at [7:0], [15:8], [23:16]

genvar gr;
for (gr = 0; gr < 3; gr = gr + 1) begin : g_row
    wire [PW-1:0] a = acc[gr*PW +: PW];
    /* verilator lint_off UNUSEDSIGNAL */   // the top 16 bits of t are zero by construction (a >> 16)
    wire [PW-1:0] t = a >> 16;
    /* verilator lint_on UNUSEDSIGNAL */
    assign rgb8[gr*8 +: 8] = a[PW-1] ? 8'd0 : (|t[PW-17:8]) ? 8'd255 : t[7:0];
end

always_ff @(posedge clk) out_rgb <= {rgb8[7:0], rgb8[23:16], rgb8[15:8]};   // R, B, G

wire [LAT:0] vp;
qcsr_valid_pipe #(.DEPTH(LAT)) vp_inst (.clk(clk), .in_valid(in_valid), .tap(vp));
assign out_valid = vp[LAT];

endmodule

`resetall
