// SPDX-License-Identifier: MIT
/*
 * qcsr_pw_stage: grouped 1x1 convolution, FOLD cycles per slot.  Used for every pointwise
 * layer (G = 1, ReLU) and for the tail (COUT = 4, G groups, no ReLU: output channel p
 * reads input channels (p / (COUT/G)) * (CIN/G) + j).
 *
 *   phase f operand select (output channel c + f*COUT/FOLD) -> qcsr_mac_array
 *
 * in_data must hold for FOLD cycles from in_valid (every stage's out_data does).  With
 * G = 1 all output channels read the same inputs: the operands and their skew are built
 * once and no operand multiplexer exists (only the weights change with the phase).
 *
 * Latency from in_valid to out_valid: LAT = FOLD + CIN/G + 6 cycles.
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
    parameter integer RELU = 1,
    parameter integer FOLD = 1
) (
    input  wire                          clk,
    input  wire [COUT*(CIN/G)*WB-1:0]    weights,   // PyTorch order [o][j]
    input  wire [6:0]                    shift,
    input  wire                          in_valid,
    input  wire [CIN*IN_W-1:0]           in_data,
    output wire                          out_valid,
    output wire [COUT*AB-1:0]            out_data
);

localparam integer K = CIN / G;                  // fan-in
localparam integer OPW = IN_W + 1;
localparam integer CP = COUT / FOLD;
localparam integer PHW = $clog2(FOLD + 1);
localparam integer SHARED = (G == 1) ? 1 : 0;
localparam integer NOP = (SHARED != 0) ? 1 : CP;

wire [NOP*PHW-1:0]  phase;       // one copy per operand row (qcsr_mac_array: fanout)
wire [CP*K*OPW-1:0] op;

genvar gc, gk;
for (gc = 0; gc < CP; gc = gc + 1) begin : g_ch
    for (gk = 0; gk < K; gk = gk + 1) begin : g_tap
        if (gc < NOP) begin : g_sel
            // the operand of the current phase (an always_comb: Verilator 5 mis-ordered the
            // equivalent generate-wire multiplexer indexed by the submodule's phase output)
            logic [OPW-1:0] sel_op;
            always_comb begin
                sel_op = '0;
                for (int f = 0; f < FOLD; f = f + 1) begin
                    if (32'(phase[gc*PHW +: PHW]) == f) begin
                        sel_op = (IN_SIGNED != 0)
                            ? OPW'($signed(in_data[(((gc + f*CP) / (COUT / G)) * K + gk)*IN_W +: IN_W]))
                            : OPW'(in_data[(((gc + f*CP) / (COUT / G)) * K + gk)*IN_W +: IN_W]);
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
    .clk(clk), .in_valid(in_valid), .phase(phase), .op(op), .op_zero('0),
    .weights(weights), .shift(shift), .out_valid(out_valid), .out_data(out_data)
);

endmodule

`resetall
