// SPDX-License-Identifier: MIT
/*
 * qcsr_valid_pipe: the valid bits beside a free-running datapath: tap[d] is in_valid
 * delayed by d cycles (tap[0] = in_valid).  No reset and no enable: after a reset or an
 * abandoned frame qcsr_framer lets the pipeline drain (DRAIN cycles without slots) before
 * the next frame, so stale valid bits leave before any stage's state is cleared.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_valid_pipe #(
    parameter integer DEPTH = 1
) (
    input  wire             clk,
    input  wire             in_valid,
    output wire [DEPTH:0]   tap
);

logic [DEPTH-1:0] v = '0;    // v[i]: in_valid delayed by i + 1

if (DEPTH > 1) begin : g_many
    always_ff @(posedge clk) v <= {v[DEPTH-2:0], in_valid};
end else begin : g_one
    always_ff @(posedge clk) v <= in_valid;
end

assign tap = {v, in_valid};

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
