// SPDX-License-Identifier: MIT
/*
 * qcsr_cnn: the network on the LR luma stream, FOLD cycles per slot in every layer.
 *
 *   head  F x F conv 1 -> C, ReLU          (qcsr_dw_stage with CIN = 1)
 *   N x [ dw KH x KW depthwise, pw 1x1 C -> C, ReLU ]
 *   tail  1x1 grouped C -> 4 (G groups)    (qcsr_pw_stage)
 *
 * weights: all layers in packet order (head, dw1, pw1, ..., tail), each in PyTorch
 * order; shifts: layer l at [l*7 +: 7].  Output: tail channel c = 2*dy + dx at
 * out_tail[c*AB +: AB] (signed), one LR position per slot.
 *
 * Latency: output position o leaves CYC cycles after the slot that brought input o + LAG,
 *   LAG = ROWS*width + COLS slots, ROWS = F/2 + N*(KH/2), COLS = F/2 + N*(KW/2)
 *   CYC = (FOLD + F*F + 8) + N*(FOLD + KH*KW + 8) + N*(FOLD + C + 6) + (FOLD + C/G + 6)
 * (qcsr_top repeats these to align the bicubic path; its simulation check catches drift).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_cnn #(
    parameter integer F = 3,
    parameter integer C = 16,
    parameter integer N = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer G = 4,
    parameter integer WB = 10,
    parameter integer AB = 14,
    parameter integer FOLD = 1,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1,
    parameter integer NL = qcsr_pkg::layer_count(N),
    parameter integer NW = qcsr_pkg::weight_count(F, C, N, KH, KW, G)
) (
    input  wire              clk,
    input  wire              clr,
    input  wire [XW-1:0]     width,
    input  wire [YW-1:0]     height,
    input  wire [NW*WB-1:0]  weights,
    input  wire [NL*7-1:0]   shifts,
    input  wire              in_valid,
    input  wire [7:0]        in_y,
    output wire              out_valid,
    output wire [4*AB-1:0]   out_tail
);

function automatic integer layer_weights(input integer l);
    layer_weights = qcsr_pkg::layer_weights(l, F, C, N, KH, KW, G);
endfunction

function automatic integer layer_offset(input integer l);
    integer m;
    begin
        layer_offset = 0;
        for (m = 0; m < l; m = m + 1) layer_offset = layer_offset + layer_weights(m);
    end
endfunction

// chain[k]: input of block k (k = 0: head output, k = N: input of the tail)
wire [N:0]         chain_v;
wire [(N+1)*C*AB-1:0] chain_d;

qcsr_dw_stage #(
    .CIN(1), .COUT(C), .KH(F), .KW(F), .IN_W(8), .IN_SIGNED(0), .WB(WB), .AB(AB), .RELU(1), .FOLD(FOLD),
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) head_inst (
    .clk(clk), .clr(clr), .width(width), .height(height),
    .weights(weights[layer_offset(0)*WB +: layer_weights(0)*WB]),
    .shift(shifts[0 +: 7]),
    .in_valid(in_valid), .in_data(in_y),
    .out_valid(chain_v[0]), .out_data(chain_d[0 +: C*AB])
);

genvar gb;
for (gb = 0; gb < N; gb = gb + 1) begin : g_block
    localparam integer LDW = 2 * gb + 1;
    localparam integer LPW = 2 * gb + 2;

    wire              dw_v;
    wire [C*AB-1:0]   dw_d;

    qcsr_dw_stage #(
        .CIN(C), .COUT(C), .KH(KH), .KW(KW), .IN_W(AB), .IN_SIGNED(0), .WB(WB), .AB(AB), .RELU(0), .FOLD(FOLD),
        .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
    ) dw_inst (
        .clk(clk), .clr(clr), .width(width), .height(height),
        .weights(weights[layer_offset(LDW)*WB +: layer_weights(LDW)*WB]),
        .shift(shifts[LDW*7 +: 7]),
        .in_valid(chain_v[gb]), .in_data(chain_d[gb*C*AB +: C*AB]),
        .out_valid(dw_v), .out_data(dw_d)
    );

    qcsr_pw_stage #(
        .CIN(C), .COUT(C), .G(1), .IN_W(AB), .IN_SIGNED(1), .WB(WB), .AB(AB), .RELU(1), .FOLD(FOLD)
    ) pw_inst (
        .clk(clk),
        .weights(weights[layer_offset(LPW)*WB +: layer_weights(LPW)*WB]),
        .shift(shifts[LPW*7 +: 7]),
        .in_valid(dw_v), .in_data(dw_d),
        .out_valid(chain_v[gb+1]), .out_data(chain_d[(gb+1)*C*AB +: C*AB])
    );
end

qcsr_pw_stage #(
    .CIN(C), .COUT(4), .G(G), .IN_W(AB), .IN_SIGNED(0), .WB(WB), .AB(AB), .RELU(0), .FOLD(FOLD)
) tail_inst (
    .clk(clk),
    .weights(weights[layer_offset(NL-1)*WB +: layer_weights(NL-1)*WB]),
    .shift(shifts[(NL-1)*7 +: 7]),
    .in_valid(chain_v[N]), .in_data(chain_d[N*C*AB +: C*AB]),
    .out_valid(out_valid), .out_data(out_tail)
);

endmodule

`resetall
