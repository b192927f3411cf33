// SPDX-License-Identifier: MIT
/*
 * qcsr_requant: SPEC section 3 requantization of an exact accumulator, pipelined.
 *
 *   s > 0:  q = sat((acc + 2^(s-1)) >>> s)      round half up, ties toward +inf
 *   s <= 0: q = sat(acc << -s)                  exact left shift
 *
 * The layer's shift is static during a frame; it is decoded here once into registers
 * (the rounding constant, a coarse and a fine shift amount and a saturation mask), so the
 * datapath never sees the shift itself.  With s clamped to IN_W (every s >= IN_W gives
 * 0) and u = (acc + rnd) << 16, the result is u >>> (s + 16) for every s in [-16, IN_W]:
 *
 *   stage 1  v  = acc + rnd                                  one carry chain
 *   stage 2  t  = u >>> 8*hi (low OUT_W + 7 bits);           a 2-level mux
 *            ov = |((u ^ sign) & mask)                       AND-OR in 6-bit groups, no carry
 *   stage 3  y  = (t >>> lo)[OUT_W-1:0]                      an 8:1 mux; the OR of the groups
 *   stage 4  q  = ov ? limit : y                             saturation (1 LUT level)
 *
 * mask marks the bits of u that must equal the sign (signed output: from bit s + 16 +
 * OUT_W - 1 up) or be zero (unsigned output after ReLU: from bit s + 16 + OUT_W up).
 * RELU = 1 clamps to unsigned OUT_W bits (the clamp at 0 is the ReLU), else signed.
 * Latency 4 cycles from acc to q; a new shift is usable 3 cycles after it changes (the
 * decode is three register stages, so it is no longer a path than the datapath's).
 * The config loader limits s to [-16, 48] (docs/ARCHITECTURE.md section 1).
 *
 * LANES accumulators share one shift (a layer's channels): the decode is built once and
 * feeds every lane (fanout LANES), the datapath is replicated per lane.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_requant #(
    parameter integer IN_W = 29,
    parameter integer OUT_W = 14,
    parameter integer RELU = 0,
    parameter integer LANES = 1
) (
    input  wire                    clk,
    input  wire [LANES*IN_W-1:0]   acc,     // signed, lane l at [l*IN_W +: IN_W]
    input  wire [6:0]              shift,   // signed, static
    output logic [LANES*OUT_W-1:0] q
);

localparam integer VW = IN_W + 1;          // acc + rnd
localparam integer UW = VW + 16;           // u = v << 16
localparam integer SHMAX = IN_W + 16;      // largest s + 16 after the clamp
localparam integer HIW = $clog2(SHMAX / 8 + 1);
localparam integer TW = OUT_W + 7;         // bits kept after the coarse shift

// ---------------------------------------------------------------- decode (static shift)
// three register stages, each at most one carry chain: clamp; s + 16 and s - 1; the decoded values
wire signed [7:0] s_in = $signed({shift[6], shift});
logic signed [7:0] s_cl = '0;
logic [6:0]        sh_n = '0;            // s + 16 = 0 .. IN_W + 16
logic [5:0]        s_m1 = '0;            // s - 1 (used when s > 0)
logic              s_pos = 1'b0;
logic [6:0]        sh_m = '0;            // lowest bit of u the saturation test looks at

logic [VW-1:0]    d_rnd = '0;
logic [HIW-1:0]   d_hi = '0;
logic [2:0]       d_lo = '0;
logic [UW-1:0]    d_mask = '0;

always_ff @(posedge clk) begin
    s_cl <= (s_in > $signed(8'(IN_W))) ? 8'(IN_W) : s_in;
    sh_n <= 7'(s_cl + 8'sd16);
    s_m1 <= 6'(s_cl - 8'sd1);
    s_pos <= (s_cl > 0);
    sh_m <= 7'(s_cl + 8'(16 + OUT_W - ((RELU != 0) ? 0 : 1)));
    d_rnd <= s_pos ? (VW'(1) << s_m1) : '0;
    d_hi <= HIW'(sh_n >> 3);
    d_lo <= sh_n[2:0];
    d_mask <= {UW{1'b1}} << sh_m;
end

genvar gl;
for (gl = 0; gl < LANES; gl = gl + 1) begin : g_lane

    // ---------------------------------------------------------------- stage 1: rounding add
    logic signed [VW-1:0] v1 = '0;

    always_ff @(posedge clk) begin
        v1 <= $signed({acc[gl*IN_W + IN_W-1], acc[gl*IN_W +: IN_W]}) + $signed(d_rnd);
    end

    // ---------------------------------------------------------------- stage 2: coarse shift, overflow
    wire signed [UW-1:0] u = {v1, 16'd0};
    wire signed [UW+8*(2**HIW)-1:0] u_ext = {{(8*(2**HIW)){u[UW-1]}}, u};

    localparam integer NG = (UW + 5) / 6;     // overflow test in groups of 6 bits, ORed in stage 3
    logic [TW-1:0] t2 = '0;
    logic [NG-1:0] ov2 = '0;
    logic          sg2 = 1'b0;
    wire  [UW-1:0]  ovx = (u ^ {UW{u[UW-1]}}) & d_mask;
    wire  [6*NG-1:0] ovb = (6*NG)'(ovx);

    // the coarse shift as a one-hot multiplexer over the few possible amounts (not a barrel shifter)
    logic [TW-1:0] t2_n;
    always_comb begin
        t2_n = u_ext[0 +: TW];
        for (int h = 1; h <= SHMAX / 8; h = h + 1) if (32'(d_hi) == h) t2_n = u_ext[8*h +: TW];
    end

    always_ff @(posedge clk) begin
        t2 <= t2_n;
        for (int g = 0; g < NG; g = g + 1) ov2[g] <= |ovb[6*g +: 6];
        sg2 <= u[UW-1];
    end

    // ---------------------------------------------------------------- stage 3: fine shift
    logic [OUT_W-1:0] t3;               // an 8:1 multiplexer per result bit
    always_comb begin
        t3 = t2[0 +: OUT_W];
        for (int l = 1; l < 8; l = l + 1) if (32'(d_lo) == l) t3 = t2[l +: OUT_W];
    end
    logic [OUT_W-1:0] y3 = '0;
    logic             ov3 = 1'b0;
    logic             sg3 = 1'b0;

    always_ff @(posedge clk) begin
        y3 <= t3;
        ov3 <= |ov2;
        sg3 <= sg2;
    end

    // ---------------------------------------------------------------- stage 4: saturation
    localparam logic [OUT_W-1:0] QMAX = (RELU != 0) ? {OUT_W{1'b1}} : {1'b0, {(OUT_W-1){1'b1}}};
    localparam logic [OUT_W-1:0] QMIN = (RELU != 0) ? '0 : {1'b1, {(OUT_W-1){1'b0}}};

    always_ff @(posedge clk) begin
        if (RELU != 0 && sg3) q[gl*OUT_W +: OUT_W] <= '0;
        else if (ov3) q[gl*OUT_W +: OUT_W] <= sg3 ? QMIN : QMAX;
        else q[gl*OUT_W +: OUT_W] <= y3;
    end

end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
