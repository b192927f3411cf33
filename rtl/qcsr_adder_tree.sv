// SPDX-License-Identifier: MIT
/*
 * qcsr_adder_tree: pipelined sum of N signed values, one register per tree level.
 *
 * The tree is a heap of P = 2^ceil(log2 N) leaves (the missing ones are constant
 * zero and vanish in synthesis).  OUT_W must hold the exact sum (the caller proves
 * the bound); nothing here rounds or saturates.  Latency: $clog2(N) enabled slots.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_adder_tree #(
    parameter integer N = 9,
    parameter integer IN_W = 24,
    parameter integer OUT_W = IN_W + $clog2(N)
) (
    input  wire                 clk,
    input  wire                 ce,
    input  wire [N*IN_W-1:0]    in_data,
    output wire [OUT_W-1:0]     sum
);

localparam integer L = $clog2(N);
localparam integer P = 1 << L;

genvar gi;

if (L == 0) begin : g_pass

    assign sum = {{(OUT_W-IN_W){in_data[IN_W-1]}}, in_data};
    wire unused = &{1'b0, clk, ce};

end else begin : g_tree

    // node k (1-based heap index; leaves P..2P-1) lives at nodes[(k-1)*OUT_W +: OUT_W]
    logic [(P-1)*OUT_W-1:0] sums = '0;
    wire  [P*OUT_W-1:0]     leaves;
    /* verilator lint_off UNUSEDSIGNAL */
    wire  [(2*P-1)*OUT_W-1:0] nodes = {leaves, sums};   // the root (node 1) is read as `sums`
    /* verilator lint_on UNUSEDSIGNAL */

    for (gi = 0; gi < P; gi = gi + 1) begin : g_leaf
        if (gi < N) begin : g_in
            assign leaves[gi*OUT_W +: OUT_W] =
                {{(OUT_W-IN_W){in_data[gi*IN_W+IN_W-1]}}, in_data[gi*IN_W +: IN_W]};
        end else begin : g_zero
            assign leaves[gi*OUT_W +: OUT_W] = '0;
        end
    end

    for (gi = 1; gi < P; gi = gi + 1) begin : g_node
        always_ff @(posedge clk) begin
            if (ce) begin
                sums[(gi-1)*OUT_W +: OUT_W] <= nodes[(2*gi-1)*OUT_W +: OUT_W] + nodes[(2*gi)*OUT_W +: OUT_W];
            end
        end
    end

    assign sum = sums[OUT_W-1:0];

end

endmodule

`resetall
