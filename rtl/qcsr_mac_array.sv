// SPDX-License-Identifier: MIT
/*
 * qcsr_mac_array: CP systolic multiply-accumulate chains of K taps, each shared by FOLD
 * output channels (one per cycle of a slot), and CP requantizers.  The arithmetic of every
 * CNN layer (qcsr_conv_stage): docs/ARCHITECTURE.md section 4.
 *
 * A slot arrives as an in_valid pulse at cycle T0; slots are at least FOLD cycles apart.
 * In cycle T0 + f (f = 0 .. FOLD-1, `phase` = f) the stage presents the operands of phase
 * f on `op` (chain c then computes output channel c + f*CP); they are registered here
 * (with `op_zero` as a synchronous reset: zero padding) and tap k is delayed by k more
 * cycles, so the chain
 *
 *   a_k (AREG) x b_k (BREG) -> m_k (MREG) -> p_k = p_(k-1) + m_k (PREG, cascade PCIN)
 *
 * adds tap k one cycle after tap k - 1: the DSP48 systolic form that vendor tools put
 * into one DSP cascade per chain (UG579 "Systolic FIR").  b_k is the weight of (output
 * channel, tap k) for the phase that tap k is working on.  Nothing here has an enable:
 * products and sums run every cycle, only the output registers are loaded by valid bits.  Output channel o = c + f*CP leaves in out_data[o*AB +: AB];
 * out_data changes once per slot (the cycle out_valid pulses) and holds until the next.
 *
 * If SHARED = 1 every chain uses the operands of chain 0 (op[0][k]): the input skew is
 * built once (head layer, ungrouped pointwise layers).
 *
 * Latency from in_valid to out_valid: LAT = FOLD + K + 6 cycles.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_mac_array #(
    parameter integer CP = 16,            // parallel chains (output channels per phase)
    parameter integer K = 9,              // taps per chain
    parameter integer FOLD = 1,
    parameter integer OPW = 15,           // operand width (signed)
    parameter integer WB = 10,
    parameter integer AB = 14,
    parameter integer RELU = 0,
    parameter integer SHARED = 0,
    parameter integer ACC_W = OPW + WB + $clog2(K)
) (
    input  wire                         clk,
    input  wire                         in_valid,
    output wire [((SHARED != 0) ? 1 : CP)*$clog2(FOLD+1)-1:0] phase,   // row c's operand select at [c*PHW +: PHW]
    /* verilator lint_off UNUSEDSIGNAL */    // SHARED: only chain 0's operands are used
    input  wire [CP*K*OPW-1:0]          op,        // chain c, tap k at [(c*K + k)*OPW +: OPW]
    input  wire [CP*K-1:0]              op_zero,   // force the operand to zero (padding)
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [CP*FOLD*K*WB-1:0]      weights,   // output channel o, tap k at [(o*K + k)*WB +: WB]
    input  wire [6:0]                   shift,
    output wire                         out_valid,
    output logic [CP*FOLD*AB-1:0]       out_data
);

localparam integer LAT = FOLD + K + 6;
localparam integer PHW = $clog2(FOLD + 1);
localparam integer PW = OPW + WB;
localparam integer NOP = (SHARED != 0) ? 1 : CP;     // operand rows built

wire [LAT:0] vp;
genvar gk, gc, gf;

qcsr_valid_pipe #(.DEPTH(LAT)) vp_inst (.clk(clk), .in_valid(in_valid), .tap(vp));

// phase of the current cycle: f cycles after the slot's in_valid (0 outside a slot too)
logic [PHW-1:0] ph;
always_comb begin
    ph = '0;
    for (int f = 1; f < FOLD; f = f + 1) if (vp[f]) ph = PHW'(f);
end

// The stage's operand selects: one register per operand row (its K x OPW multiplexers, about
// 135 loads) instead of one net to every row (about 1,080 at FOLD 2). Each copy is ph computed
// a cycle ahead (vp[f-1] one cycle before vp[f]); `keep` stops synthesis from merging the
// copies again (Yosys opt_merge; Vivado's equivalent-register removal honours KEEP too).
if (FOLD > 1) begin : g_phase
    logic [PHW-1:0] ph_next;
    always_comb begin
        ph_next = '0;
        for (int f = 1; f < FOLD; f = f + 1) if (vp[f - 1]) ph_next = PHW'(f);
    end
    for (gc = 0; gc < NOP; gc = gc + 1) begin : g_copy
        (* keep = "true" *) logic [PHW-1:0] ph_r = '0;
        (* keep *) always_ff @(posedge clk) ph_r <= ph_next;
        assign phase[gc*PHW +: PHW] = ph_r;
    end
end else begin : g_phase1
    assign phase = '0;
end

// phase seen by tap k: ph delayed by k cycles (the weight select of tap k)
wire [K*PHW-1:0] ph_k;
for (gk = 0; gk < K; gk = gk + 1) begin : g_phk
    qcsr_pipe #(.DW(PHW), .DEPTH(gk)) ph_pipe (.clk(clk), .in_data(ph), .out_data(ph_k[gk*PHW +: PHW]));
end

// operands: registered (zero padding as a synchronous reset), then skewed by k
wire [NOP*K*OPW-1:0] a_skew;
for (gc = 0; gc < NOP; gc = gc + 1) begin : g_op
    for (gk = 0; gk < K; gk = gk + 1) begin : g_tap
        logic [OPW-1:0] op_q = '0;
        always_ff @(posedge clk) begin
            if (op_zero[gc*K + gk]) op_q <= '0;
            else op_q <= op[(gc*K + gk)*OPW +: OPW];
        end
        qcsr_pipe #(.DW(OPW), .DEPTH(gk)) skew (
            .clk(clk), .in_data(op_q), .out_data(a_skew[(gc*K + gk)*OPW +: OPW])
        );
    end
end

wire [CP*ACC_W-1:0] acc;
for (gc = 0; gc < CP; gc = gc + 1) begin : g_chain
    localparam integer CO = (SHARED != 0) ? 0 : gc;
    wire [(K+1)*ACC_W-1:0] p;          // p[k+1] = sum of taps 0..k
    assign p[0 +: ACC_W] = '0;
    for (gk = 0; gk < K; gk = gk + 1) begin : g_tap
        wire [FOLD*WB-1:0] wf;         // this tap's weight of each phase
        for (gf = 0; gf < FOLD; gf = gf + 1) begin : g_w
            assign wf[gf*WB +: WB] = weights[((gc + gf*CP)*K + gk)*WB +: WB];
        end
        wire [PHW-1:0] sel = ph_k[gk*PHW +: PHW];
        logic signed [WB-1:0]    b_q = '0;
        logic signed [PW-1:0]    m_q = '0;
        logic signed [ACC_W-1:0] p_q = '0;
        wire  signed [OPW-1:0]   a = a_skew[(CO*K + gk)*OPW +: OPW];
        always_ff @(posedge clk) begin
            b_q <= wf[32'(sel)*WB +: WB];
            m_q <= a * b_q;
            p_q <= $signed(p[gk*ACC_W +: ACC_W]) + ACC_W'(m_q);
        end
        assign p[(gk+1)*ACC_W +: ACC_W] = p_q;
    end
    assign acc[gc*ACC_W +: ACC_W] = p[K*ACC_W +: ACC_W];
end

// requantization (4 cycles; one shift decode for the CP lanes), then each phase's channels into the output register
wire [CP*AB-1:0] q;
qcsr_requant #(.IN_W(ACC_W), .OUT_W(AB), .RELU(RELU), .LANES(CP)) rq_inst (
    .clk(clk), .acc(acc), .shift(shift), .q(q)
);

// q of phase f is valid in cycle T0 + f + K + 6 (operand register 1, skew k, BREG/MREG/PREG
// of the last tap, requant 4): phases 0 .. FOLD-2 wait in g_q, the last loads out_data.
if (FOLD > 1) begin : g_fold
    logic [(FOLD-1)*CP*AB-1:0] g_q = '0;
    for (gf = 0; gf < FOLD - 1; gf = gf + 1) begin : g_ph
        always_ff @(posedge clk) begin
            if (vp[gf + K + 6]) g_q[gf*CP*AB +: CP*AB] <= q;
        end
    end
    always_ff @(posedge clk) begin
        if (vp[FOLD - 1 + K + 6]) out_data <= {q, g_q};
    end
end else begin : g_nofold
    always_ff @(posedge clk) begin
        if (vp[K + 6]) out_data <= q;
    end
end

assign out_valid = vp[LAT];

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
