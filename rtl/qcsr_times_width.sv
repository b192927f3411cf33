// SPDX-License-Identifier: MIT
/*
 * qcsr_times_width: y = K * width + ADD for constants K, ADD, as shift-and-add (a `*` by a
 * constant lets synthesis infer a DSP), registered: width is static during a frame, so the
 * sum is decoded once and never sits on the path of the counter it initialises.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_times_width #(
    parameter integer XW = 11,
    parameter integer YW = 16,      // output width
    parameter integer K = 1,
    parameter integer ADD = 0
) (
    input  wire           clk,
    input  wire [XW-1:0]  width,
    output logic [YW-1:0] y
);

logic [YW-1:0] sum;
always_comb begin
    sum = YW'(ADD);
    for (int i = 0; i < 8; i = i + 1) if (((K >> i) & 1) != 0) sum = sum + (YW'(width) << i);
end

logic [YW-1:0] y_q = '0;  // power-up value (declaration initialiser)
always_ff @(posedge clk) y_q <= sum;
assign y = y_q;

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
