// SPDX-License-Identifier: MIT
/*
 * qcsr_const_mac: y = OFS + sum_i COEF_i * x_i with constant coefficients, as shift-and-add in
 * LUTs (no multiplier, no DSP): every coefficient is written in canonical signed digits (CSD,
 * at most one non-zero digit in any two neighbouring positions), each digit is one term
 * +-(x_i << b), and the terms go through a pipelined binary adder tree, one registered 2-input
 * addition (one carry chain) per level.  The tree has a fixed depth of 5 levels (up to 32 terms
 * including the offset), so the latency is always LAT = 6 cycles from x to y, free-running
 * (no enable, no reset).  Used for the colour conversions and the bicubic filters.
 *
 * COEF packs N signed 32-bit coefficients, coefficient i at COEF[32*i +: 32]; x_i is a signed
 * IW-bit value at x[IW*i +: IW]; y is OW bits signed (the caller sizes it for the exact sum).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_const_mac #(
    parameter integer N = 3,
    parameter integer IW = 9,
    parameter integer OW = 28,
    parameter logic [32*N-1:0] COEF = '0,
    parameter integer OFS = 0
) (
    input  wire              clk,
    /* verilator lint_off UNUSEDSIGNAL */   // inputs with a zero coefficient
    input  wire [N*IW-1:0]   x,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [OW-1:0]     y
);

localparam integer LEVELS = 5;
localparam integer NT = 2 ** LEVELS;

function automatic integer coef(input integer i);
    coef = $signed(COEF[32*i +: 32]);
endfunction

// CSD digit of k at bit position b: -1, 0 or +1
function automatic integer csd_digit(input integer k, input integer b);
    integer v, d, j;
    begin
        v = k;
        csd_digit = 0;
        for (j = 0; j <= b; j = j + 1) begin
            if (v % 2 != 0) begin
                d = 2 - (((v % 4) + 4) % 4);     // +1 if v = 1 mod 4, -1 if v = 3 mod 4
                v = v - d;
            end else begin
                d = 0;
            end
            if (j == b) csd_digit = d;
            v = v / 2;
        end
    end
endfunction

// term t: input index (N = the offset), shift and sign
function automatic integer term_count();
    integer i, b;
    begin
        term_count = (OFS != 0) ? 1 : 0;
        for (i = 0; i < N; i = i + 1)
            for (b = 0; b < 31; b = b + 1)
                if (csd_digit(coef(i), b) != 0) term_count = term_count + 1;
    end
endfunction

// packed descriptor of term t: {sign, input, shift}
function automatic integer term_desc(input integer t);
    integer i, b, n, dg;
    begin
        term_desc = -1;
        n = 0;
        for (i = 0; i < N; i = i + 1)
            for (b = 0; b < 31; b = b + 1) begin
                dg = csd_digit(coef(i), b);
                if (dg != 0) begin
                    if (n == t) term_desc = ((dg < 0) ? 65536 : 0) + i * 256 + b;
                    n = n + 1;
                end
            end
    end
endfunction

localparam integer USED = term_count();

// ---------------------------------------------------------------- terms and tree (a heap of registers)
// node n has children 2n+1 and 2n+2; the NT leaves (n = NT-1 ..) are the terms, node 0 is y
logic [(2*NT-1)*OW-1:0] node = '0;

genvar gt;
for (gt = 0; gt < NT; gt = gt + 1) begin : g_term
    localparam integer D = term_desc(gt);
    wire signed [OW-1:0] v;
    if (D >= 0) begin : g_x
        localparam integer I = (D / 256) % 256;
        localparam integer B = D % 256;
        wire signed [OW-1:0] xi = OW'($signed(x[IW*I +: IW]));
        assign v = (D >= 65536) ? -(xi <<< B) : (xi <<< B);
    end else if (OFS != 0 && gt == USED - 1) begin : g_ofs
        assign v = OW'(OFS);
    end else begin : g_zero
        assign v = '0;
    end
    always_ff @(posedge clk) node[(NT - 1 + gt)*OW +: OW] <= v;
end

for (gt = 0; gt < NT - 1; gt = gt + 1) begin : g_add
    always_ff @(posedge clk)
        node[gt*OW +: OW] <= node[(2*gt+1)*OW +: OW] + node[(2*gt+2)*OW +: OW];
end

assign y = node[0 +: OW];

`ifndef SYNTHESIS
initial begin
    if (USED > NT) $fatal(1, "qcsr_const_mac: %0d terms, the tree holds %0d", USED, NT);
end
`endif

endmodule

`resetall
