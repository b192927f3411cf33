// SPDX-License-Identifier: MIT
/*
 * qcsr_dw_stage: KH x KW depthwise convolution with zero padding, FOLD cycles per slot.
 * Also the head layer (CIN = 1: the single input channel is broadcast to COUT filters,
 * weight shape [COUT][1][KH][KW] like a depthwise layer).
 *
 *   qcsr_window (line buffer, window, padding flags; 2 cycles + LAG slots)
 *   -> phase f operand select (channel c + f*COUT/FOLD) -> qcsr_mac_array (FOLD + K + 6)
 *
 * Output channel o reads input channel o (CIN = COUT) or 0 (CIN = 1).  Accumulators are
 * exact: (IN_W + 1)-bit operand x WB-bit weight, + $clog2(KH*KW) bits (docs/ARCHITECTURE
 * section 1 proves 28 bits suffice for 10/14-bit formats; this is 29, never less).
 *
 * Latency: output position o leaves LAT = FOLD + KH*KW + 8 cycles after the slot that
 * brought input o + LAG, LAG = (KH/2)*width + KW/2 (qcsr_top mirrors both).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_dw_stage #(
    parameter integer CIN = 16,
    parameter integer COUT = 16,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer IN_W = 14,
    parameter integer IN_SIGNED = 0,
    parameter integer WB = 10,
    parameter integer AB = 14,
    parameter integer RELU = 0,
    parameter integer FOLD = 1,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire                       clk,
    input  wire                       clr,
    input  wire [XW-1:0]              width,
    input  wire [YW-1:0]              height,
    input  wire [COUT*KH*KW*WB-1:0]   weights,   // PyTorch order [o][ky][kx]
    input  wire [6:0]                 shift,     // requantization shift s (signed)
    input  wire                       in_valid,
    input  wire [CIN*IN_W-1:0]        in_data,
    output wire                       out_valid,
    output wire [COUT*AB-1:0]         out_data
);

localparam integer K = KH * KW;
localparam integer OPW = IN_W + 1;
localparam integer CP = COUT / FOLD;
localparam integer PHW = $clog2(FOLD + 1);
localparam integer SHARED = (CIN == 1) ? 1 : 0;
localparam integer NOP = (SHARED != 0) ? 1 : CP;

wire             win_valid;
wire [K*CIN*IN_W-1:0] win;
wire [K-1:0]     win_ok;
/* verilator lint_off UNUSEDSIGNAL */
wire [YW-1:0]    win_row;     // positions only drive the padding flags
wire [XW-1:0]    win_col;
/* verilator lint_on UNUSEDSIGNAL */

qcsr_window #(
    .KH(KH), .KW(KW), .DW(CIN*IN_W), .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) win_inst (
    .clk(clk), .clr(clr), .width(width), .height(height),
    .in_valid(in_valid), .in_data(in_data),
    .out_valid(win_valid), .out_row(win_row), .out_col(win_col), .out_ok(win_ok), .out_win(win)
);

wire [NOP*PHW-1:0]  phase;       // one copy per operand row (qcsr_mac_array: fanout)
wire [CP*K*OPW-1:0] op;
wire [CP*K-1:0]     op_zero;

genvar gc, gk;
for (gc = 0; gc < CP; gc = gc + 1) begin : g_ch
    for (gk = 0; gk < K; gk = gk + 1) begin : g_tap
        assign op_zero[gc*K + gk] = !win_ok[gk];
        if (gc < NOP) begin : g_sel
            // the operand of the current phase (an always_comb: Verilator 5 mis-ordered the
            // equivalent generate-wire multiplexer indexed by the submodule's phase output)
            logic [OPW-1:0] sel_op;
            always_comb begin
                sel_op = '0;
                for (int f = 0; f < FOLD; f = f + 1) begin
                    if (32'(phase[gc*PHW +: PHW]) == f) begin
                        sel_op = (IN_SIGNED != 0)
                            ? OPW'($signed(win[gk*CIN*IN_W + ((CIN == 1) ? 0 : gc + f*CP)*IN_W +: IN_W]))
                            : OPW'(win[gk*CIN*IN_W + ((CIN == 1) ? 0 : gc + f*CP)*IN_W +: IN_W]);
                    end
                end
            end
            assign op[(gc*K + gk)*OPW +: OPW] = sel_op;
        end else begin : g_unused
            assign op[(gc*K + gk)*OPW +: OPW] = '0;
        end
    end
end

qcsr_mac_array #(
    .CP(CP), .K(K), .FOLD(FOLD), .OPW(OPW), .WB(WB), .AB(AB), .RELU(RELU), .SHARED(SHARED)
) mac_inst (
    .clk(clk), .in_valid(win_valid), .phase(phase), .op(op), .op_zero(op_zero),
    .weights(weights), .shift(shift), .out_valid(out_valid), .out_data(out_data)
);

endmodule

`resetall
