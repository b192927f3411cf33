// SPDX-License-Identifier: MIT
/*
 * qcsr_pw_stage: grouped 1x1 convolution, all COUT x CIN/G products every slot.
 * Used for every pointwise layer (G = 1, ReLU) and for the tail (COUT = 4, G groups,
 * no ReLU: output channel p reads input channels (p / (COUT/G)) * (CIN/G) + j).
 *
 *   products (1) -> adder tree ($clog2(CIN/G)) -> requant (1)
 *
 * Latency from in_* to out_*: LAT = 2 + $clog2(CIN/G) slots.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_pw_stage #(
    parameter integer CIN = 16,
    parameter integer COUT = 16,
    parameter integer G = 1,
    parameter integer IN_W = 14,
    parameter integer IN_SIGNED = 1,
    parameter integer WB = 10,
    parameter integer AB = 14,
    parameter integer RELU = 1
) (
    input  wire                          clk,
    input  wire                          clr,
    input  wire                          ce,
    input  wire [COUT*(CIN/G)*WB-1:0]    weights,   // PyTorch order [o][j]
    input  wire [6:0]                    shift,
    input  wire                          in_valid,
    input  wire [CIN*IN_W-1:0]           in_data,
    output wire                          out_valid,
    output wire [COUT*AB-1:0]            out_data
);

localparam integer K = CIN / G;                  // fan-in
localparam integer PW = IN_W + 1 + WB;
localparam integer ACC_W = PW + $clog2(K);
localparam integer TL = $clog2(K);

logic [TL+1:0] vld = '0;

always_ff @(posedge clk) begin
    if (clr) vld <= '0;
    else if (ce) vld <= {vld[TL:0], in_valid};
end

assign out_valid = vld[TL+1];

genvar go, gk;
for (go = 0; go < COUT; go = go + 1) begin : g_ch

    localparam integer CI0 = (go / (COUT / G)) * K;   // first input channel of the group

    logic [K*PW-1:0] prod = '0;
    wire  [ACC_W-1:0] acc;
    wire  [AB-1:0]    q;
    logic [AB-1:0]    q_q = '0;

    for (gk = 0; gk < K; gk = gk + 1) begin : g_tap
        wire [IN_W-1:0] a = in_data[(CI0 + gk)*IN_W +: IN_W];
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
