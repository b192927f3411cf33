// SPDX-License-Identifier: MIT
/*
 * qcsr_requant: SPEC section 3 requantization of an exact accumulator (combinational).
 *
 *   s > 0:  q = sat((acc + 2^(s-1)) >>> s)      round half up, ties toward +inf
 *   s <= 0: q = sat(acc << -s)                  exact left shift
 *
 * The right path is computed as ((acc >>> (s-1)) + 1) >>> 1, which equals the
 * rounding formula for every s >= 1 (floor division nests) and never needs more
 * than IN_W + 1 bits; shifts beyond IN_W - 1 give the same result as IN_W - 1.
 * sat clamps to unsigned OUT_W bits after ReLU layers (RELU = 1: the clamp at 0 is
 * the ReLU) and to signed OUT_W bits otherwise.  The config loader limits s to
 * [-16, 48] (docs/ARCHITECTURE.md section 1); the left path handles up to 16.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_requant #(
    parameter integer IN_W = 28,
    parameter integer OUT_W = 14,
    parameter integer RELU = 0
) (
    input  wire [IN_W-1:0]   acc,     // signed
    input  wire [6:0]        shift,   // signed
    output logic [OUT_W-1:0] q
);

localparam integer LMAX = 16;
localparam integer WW = IN_W + LMAX + 1;
localparam integer SHW = $clog2(IN_W);

wire signed [IN_W-1:0] acc_s = acc;
wire signed [31:0]     sh_s = 32'($signed(shift));

logic [SHW-1:0]          rsh;    // right shift by s - 1, clamped
logic signed [IN_W-1:0]  t;
logic signed [IN_W:0]    r;
logic [4:0]              lsh;    // left shift by -s, clamped
logic signed [WW-1:0]    v;

localparam logic signed [WW-1:0] SMAX = (RELU != 0) ? (WW'(1) <<< OUT_W) - 1 : (WW'(1) <<< (OUT_W - 1)) - 1;
localparam logic signed [WW-1:0] SMIN = (RELU != 0) ? '0 : -(WW'(1) <<< (OUT_W - 1));

always_comb begin
    if (sh_s > 0) begin
        rsh = (sh_s - 1 > IN_W - 1) ? SHW'(IN_W - 1) : SHW'(sh_s - 1);
        t = acc_s >>> rsh;
        r = ($signed({t[IN_W-1], t}) + 1) >>> 1;
        v = WW'(r);
        lsh = '0;
    end else begin
        rsh = '0;
        t = '0;
        r = '0;
        lsh = (-sh_s > LMAX) ? 5'(LMAX) : 5'(-sh_s);
        v = WW'(acc_s) <<< lsh;
    end
    if (v > SMAX) q = SMAX[OUT_W-1:0];
    else if (v < SMIN) q = SMIN[OUT_W-1:0];
    else q = v[OUT_W-1:0];
end

endmodule

`resetall
