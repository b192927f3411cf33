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

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

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
    // slot k in bits [k*DW +: DW], slot 0 newest; declaration initialisers are the power-up values
    localparam integer DB = DEPTH * DW;
    logic [DB-1:0]       d = '0;
    logic [DEPTH-1:0]    f = '0;
    logic                ov = 1'b0;
    logic [DW-1:0]       od = '0;
    assign out_valid = ov;
    assign out_data = od;
    always_ff @(posedge clk) begin
        if (in_valid) begin
            d <= DB'({d, in_data});
            od <= d[(DEPTH-1)*DW +: DW];
        end
    end
    always_ff @(posedge clk) begin
        if (clr) begin
            f <= '0;
            ov <= 1'b0;
        end else begin
            ov <= in_valid && f[DEPTH-1];
            if (in_valid) f <= DEPTH'({f, 1'b1});
        end
    end
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
