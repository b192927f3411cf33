// SPDX-License-Identifier: MIT
/*
 * qcsr_pipe: a fixed delay of DEPTH clock cycles, free-running (no enable, no reset), so
 * that synthesis maps it onto shift-register LUTs (SRL16/SRL32) or the DSP's input
 * registers.  Used for the input skew of the MAC chains and for cycle alignment; the
 * valid bits that travel beside such data live in separate, cleared registers.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_pipe #(
    parameter integer DW = 8,
    parameter integer DEPTH = 1
) (
    input  wire          clk,
    input  wire [DW-1:0] in_data,
    output wire [DW-1:0] out_data
);

if (DEPTH == 0) begin : g_wire
    assign out_data = in_data;
    wire unused = &{1'b0, clk};
end else begin : g_reg
    // stage k in bits [k*DW +: DW], stage 0 newest; the declaration initialiser is the power-up value
    localparam integer DB = DEPTH * DW;
    logic [DB-1:0] d = '0;
    always_ff @(posedge clk) d <= DB'({d, in_data});
    assign out_data = d[(DEPTH-1)*DW +: DW];
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
