// SPDX-License-Identifier: MIT
/*
 * qcsr_line_buffer: ROWS previous lines of a raster slot stream, one column per slot.
 *
 * One RAM of MAX_W words, each word holding the ROWS samples above the current column
 * (one read and one write per slot, whole words).  A modulo-width column counter
 * addresses it, so every row of the word is delayed by exactly `width` slots.  All
 * state advances only on in_valid (a slot); between slots everything holds, so slots
 * may come at any spacing.
 *
 * The RAM is read when a slot arrives and the shifted column is written back when the
 * next slot arrives, so the output column appears one cycle after its slot and holds
 * until the next slot:
 *
 *   col[DW-1:0]           = in_data of the last slot          (row r)
 *   col[k*DW +: DW]       = the sample k lines above it        (row r-k)
 *
 * Needs width >= 2 (the write-back of column a happens while column a+1 is read).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_line_buffer #(
    parameter integer DW = 8,          // bits per sample
    parameter integer ROWS = 2,        // previous lines kept (0: just a register)
    parameter integer MAX_W = 1920,
    parameter integer XW = $clog2(MAX_W + 1)
) (
    input  wire                    clk,
    input  wire                    clr,      // restart the column counter (frame start)
    input  wire [XW-1:0]           width,
    input  wire                    in_valid,
    input  wire [DW-1:0]           in_data,
    output wire [(ROWS+1)*DW-1:0]  col
);

logic [DW-1:0] x_q = '0;

always_ff @(posedge clk) begin
    if (in_valid) x_q <= in_data;
end

if (ROWS == 0) begin : g_reg

    assign col = x_q;
    wire unused = &{1'b0, clr, width};

end else begin : g_ram

    localparam integer AW = $clog2(MAX_W);

    logic [ROWS*DW-1:0] mem [0:MAX_W-1];
    logic [ROWS*DW-1:0] rd_q = '0;
    logic [AW-1:0]      addr = '0;
    logic [AW-1:0]      addr_q = '0;
    logic               wb_q = 1'b0;   // a write-back is pending for addr_q
    wire  [ROWS*DW-1:0] wb_data;       // the column one line later: x_q becomes row 1

    if (ROWS > 1) begin : g_shift
        assign wb_data = {rd_q[(ROWS-1)*DW-1:0], x_q};
    end else begin : g_one
        assign wb_data = x_q;
    end

    // width - 1, decoded once (static during a frame): the wrap test is an equality, not an adder
    logic [XW-1:0] wm1 = '0;
    always_ff @(posedge clk) wm1 <= width - 1'b1;

    always_ff @(posedge clk) begin
        if (clr) begin
            addr <= '0;
        end else if (in_valid) begin
            addr <= (XW'(addr) == wm1) ? '0 : addr + 1'b1;
        end
    end

    // read first, write back the shifted column at the next slot
    always_ff @(posedge clk) begin
        if (in_valid) begin
            rd_q <= mem[addr];
            addr_q <= addr;
            wb_q <= 1'b1;
            if (wb_q) mem[addr_q] <= wb_data;
        end
    end

    assign col = {rd_q, x_q};

end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
