// SPDX-License-Identifier: MIT
/*
 * qcsr_dw_stage: KH x KW depthwise convolution, zero padding, all channels and all
 * taps every slot.  Also the head layer (CIN = 1: the single input channel is
 * broadcast to COUT filters, weight shape [COUT][1][KH][KW] like a depthwise layer).
 *
 *   window (2 slots + lag) -> products (1) -> adder tree ($clog2(KH*KW)) -> requant (1)
 *
 * Output channel o reads input channel o (CIN = COUT) or 0 (CIN = 1).  Accumulators
 * are exact: a product of an (IN_W + 1)-bit signed activation and a WB-bit weight
 * has IN_W + 1 + WB bits, a sum of KH*KW of them $clog2(KH*KW) more (docs/ARCHITECTURE
 * section 1 proves 28 bits suffice for 10/14-bit formats; this is 29, never less).
 *
 * Latency from in_* to out_*: LAG + LAT slots, LAG = (KH/2)*width + KW/2,
 * LAT = 4 + $clog2(KH*KW) (qcsr_top mirrors this to align the bicubic path).
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
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire                       clk,
    input  wire                       clr,
    input  wire                       ce,
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
localparam integer PW = IN_W + 1 + WB;          // product width
localparam integer ACC_W = PW + $clog2(K);      // exact accumulator width
localparam integer TL = $clog2(K);              // adder tree latency

wire             win_valid;
wire [K*CIN*IN_W-1:0] win;
/* verilator lint_off UNUSEDSIGNAL */
wire [YW-1:0]    win_row;     // positions are only needed for the padding inside the window
wire [XW-1:0]    win_col;
/* verilator lint_on UNUSEDSIGNAL */

qcsr_window #(
    .KH(KH), .KW(KW), .DW(CIN*IN_W), .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) win_inst (
    .clk(clk), .clr(clr), .ce(ce), .width(width), .height(height),
    .in_valid(in_valid), .in_data(in_data),
    .out_valid(win_valid), .out_row(win_row), .out_col(win_col), .out_win(win)
);

// valid tag alongside products (1), tree (TL) and requant (1)
logic [TL+1:0] vld = '0;

always_ff @(posedge clk) begin
    if (clr) vld <= '0;
    else if (ce) vld <= {vld[TL:0], win_valid};
end

assign out_valid = vld[TL+1];

genvar go, gk;
for (go = 0; go < COUT; go = go + 1) begin : g_ch

    localparam integer CI = (CIN == 1) ? 0 : go;

    logic [K*PW-1:0] prod = '0;
    wire  [ACC_W-1:0] acc;
    wire  [AB-1:0]    q;
    logic [AB-1:0]    q_q = '0;

    for (gk = 0; gk < K; gk = gk + 1) begin : g_tap
        wire [IN_W-1:0] a = win[gk*CIN*IN_W + CI*IN_W +: IN_W];
        wire signed [IN_W:0] a_s = (IN_SIGNED != 0) ? $signed({a[IN_W-1], a}) : $signed({1'b0, a});
        wire signed [WB-1:0] w_s = weights[(go*K + gk)*WB +: WB];
        wire signed [PW-1:0] p = a_s * w_s;

        always_ff @(posedge clk) begin
            if (ce) prod[gk*PW +: PW] <= p;
        end
    end

    qcsr_adder_tree #(
        .N(K), .IN_W(PW), .OUT_W(ACC_W)
    ) tree_inst (
        .clk(clk), .ce(ce), .in_data(prod), .sum(acc)
    );

    qcsr_requant #(
        .IN_W(ACC_W), .OUT_W(AB), .RELU(RELU)
    ) rq_inst (
        .acc(acc), .shift(shift), .q(q)
    );

    always_ff @(posedge clk) begin
        if (ce) q_q <= q;
    end

    assign out_data[go*AB +: AB] = q_q;
end

endmodule

`resetall
