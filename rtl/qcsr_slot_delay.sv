// SPDX-License-Identifier: MIT
/*
 * qcsr_slot_delay: delay a slot stream by DEPTH slots (not cycles): each slot shifts the
 * register chain once, so out_* carries the sample that came DEPTH slots earlier, one
 * cycle after the slot.  The first DEPTH slots after clr output nothing (their flag is
 * clear), so stale contents never look valid.  Aligns the column lags of the bicubic
 * and CNN paths (qcsr_top); state gated by the slot strobe, no global enable.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_slot_delay #(
    parameter integer DW = 24,
    parameter integer DEPTH = 1
) (
    input  wire           clk,
    input  wire           clr,
    input  wire           in_valid,
    input  wire [DW-1:0]  in_data,
    output logic          out_valid,
    output logic [DW-1:0] out_data
);

if (DEPTH == 0) begin : g_wire
    always_comb begin
        out_valid = in_valid;
        out_data = in_data;
    end
    wire unused = &{1'b0, clk, clr};
end else begin : g_chain
    logic [DW-1:0]    d [0:DEPTH-1];
    logic [DEPTH-1:0] f = '0;
    integer i;
    initial begin
        for (i = 0; i < DEPTH; i = i + 1) d[i] = '0;
        out_valid = 1'b0;
        out_data = '0;
    end
    always_ff @(posedge clk) begin
        if (in_valid) begin
            d[0] <= in_data;
            for (i = 1; i < DEPTH; i = i + 1) d[i] <= d[i-1];
            out_data <= d[DEPTH-1];
        end
    end
    always_ff @(posedge clk) begin
        if (clr) begin
            f <= '0;
            out_valid <= 1'b0;
        end else begin
            out_valid <= in_valid && f[DEPTH-1];
            if (in_valid) f <= DEPTH'({f, 1'b1});
        end
    end
end

endmodule

`resetall
