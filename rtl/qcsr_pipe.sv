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
    logic [DW-1:0] d [0:DEPTH-1];
    integer i;
    initial for (i = 0; i < DEPTH; i = i + 1) d[i] = '0;
    always_ff @(posedge clk) begin
        d[0] <= in_data;
        for (i = 1; i < DEPTH; i = i + 1) d[i] <= d[i-1];
    end
    assign out_data = d[DEPTH-1];
end

endmodule

`resetall
