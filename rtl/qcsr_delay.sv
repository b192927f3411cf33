// SPDX-License-Identifier: MIT
/*
 * qcsr_delay: DEPTH enabled slots of register delay for a valid tag and data.
 * Aligns parallel paths whose latencies differ by a constant (the bicubic/chroma
 * path against the CNN, positions alongside the residual and colour stages).
 * DEPTH = 0 is a wire.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_delay #(
    parameter integer DW = 8,
    parameter integer DEPTH = 1
) (
    input  wire          clk,
    input  wire          clr,
    input  wire          ce,
    input  wire          in_valid,
    input  wire [DW-1:0] in_data,
    output wire          out_valid,
    output wire [DW-1:0] out_data
);

if (DEPTH == 0) begin : g_wire

    assign out_valid = in_valid;
    assign out_data = in_data;
    wire unused = &{1'b0, clk, clr, ce};

end else begin : g_reg

    logic [DEPTH-1:0]    v = '0;
    logic [DEPTH*DW-1:0] d = '0;

    if (DEPTH == 1) begin : g_one
        always_ff @(posedge clk) begin
            if (clr) v <= '0;
            else if (ce) v <= in_valid;
            if (ce) d <= in_data;
        end
    end else begin : g_many
        always_ff @(posedge clk) begin
            if (clr) v <= '0;
            else if (ce) v <= {v[DEPTH-2:0], in_valid};
            if (ce) d <= {d[(DEPTH-1)*DW-1:0], in_data};
        end
    end

    assign out_valid = v[DEPTH-1];
    assign out_data = d[DEPTH*DW-1 -: DW];

end

endmodule

`resetall
