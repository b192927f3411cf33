// SPDX-License-Identifier: MIT
/*
 * qcsr_cfg_loader: configuration packet (golden/config_packet.py, docs/ARCHITECTURE.md
 * section 2) -> shadow storage -> the active set (one copy of the weights in fabric).
 *
 * Words: magic, version, W, H, F, C, N, KH, KW, G, weight bits, activation bits; then
 * per layer (head, dw1, pw1, ..., dwN, pwN, tail) the shift s and the weights in
 * PyTorch order; then yn_lshift, res_lshift, out_shift.  TLAST must be on the last.
 *
 * Every word is checked as it arrives (header values against the compile-time
 * parameters and limits; s in [-16, 48]; weights in WB-bit range; yn_lshift in
 * [0, 18], res_lshift in [0, 30], out_shift in [14, 32], the ranges the model file
 * format can produce).  The shadow weights go into a block RAM (weight k at address k),
 * the few other values into shadow registers.  A bad or mis-framed packet is consumed up
 * to its TLAST and rejected (`reject` pulse); the active set is untouched (a packet can
 * only arrive while nothing is pending, so it never overwrites a good pending one).
 *
 * A good packet sets `pending`; s_axis_tready (a register) stays low while a packet is
 * pending or being loaded, so a later packet waits.  qcsr_framer pulses `commit` when no
 * frame is in flight: the small values switch at once and the RAM is read out serially
 * into the active weight chain, one weight per cycle (NW + 3 cycles, `busy`), so after
 * the load weight k sits at act_weights[k*WB +: WB].  The chain is cut into segments of
 * SEG weights, each fed from the RAM and shifted only while its own weights are read, so
 * no enable net drives more than SEG*WB flip-flops (640).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_cfg_loader #(
    parameter integer F = 3,
    parameter integer C = 16,
    parameter integer N = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer G = 4,
    parameter integer WB = 10,
    parameter integer AB = 14,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1,
    parameter integer SEG = 64,           // weights per chain segment (enable fanout SEG * WB = 640)
    // derived (do not override)
    parameter integer NL = qcsr_pkg::layer_count(N),
    parameter integer NW = qcsr_pkg::weight_count(F, C, N, KH, KW, G)
) (
    input  wire             clk,
    input  wire             rst,

    input  wire [31:0]      s_axis_tdata,
    input  wire             s_axis_tvalid,
    output wire             s_axis_tready,
    input  wire             s_axis_tlast,

    input  wire             commit,
    output logic            busy,
    output logic            pending,
    output logic            judging,    // a packet's TLAST was accepted, its verdict is not out yet
    output logic            good,       // pulse: a packet passed every check (it is pending now)
    output logic            active,
    output logic            reject,     // one-cycle pulse

    output logic [XW-1:0]   act_width,
    output logic [YW-1:0]   act_height,
    output logic [NW*WB-1:0] act_weights,
    output logic [NL*7-1:0] act_shifts,   // layer l at [l*7 +: 7], signed
    output logic [4:0]      act_yn_lshift,
    output logic [4:0]      act_res_lshift,
    output logic [5:0]      act_out_shift
);

localparam [31:0] MAGIC = 32'h51435352;
localparam integer NHDR = 12;

// weights in layer l
function automatic integer layer_weights(input integer l);
    if (l == 0) layer_weights = C * F * F;
    else if (l == NL - 1) layer_weights = 4 * (C / G);
    else if (l % 2 == 1) layer_weights = C * KH * KW;
    else layer_weights = C * C;
endfunction

// word index of layer l's shift word
function automatic integer layer_start(input integer l);
    integer m;
    begin
        layer_start = NHDR;
        for (m = 0; m < l; m = m + 1) layer_start = layer_start + 1 + layer_weights(m);
    end
endfunction

localparam integer NWORDS = NHDR + NL + NW + 3;
localparam integer IW = $clog2(NWORDS + 1);

// The parser is a three-stage pipeline, so that no path has more than 4 LUT levels and one carry
// chain (docs/timing.md): stage 0 (the accept) registers the word with its class, decoded from the
// word index; stage 1 registers each class's range check of the registered word; stage 2 folds
// them into the packet's verdict. s_axis_tready stays low from a TLAST word's accept until its
// verdict (a packet only arrives while nothing is pending or in flight).
logic [IW-1:0] idx = '0;           // index of the next word
logic          tready_q = 1'b0;

assign s_axis_tready = tready_q;
wire accept = s_axis_tvalid && s_axis_tready;

// the class of word idx (decoded from the index register)
wire [NL-1:0] shift_hit;
wire [NHDR-1:0] hdr_hit;
genvar gl;
for (gl = 0; gl < NL; gl = gl + 1) begin : g_layer
    assign shift_hit[gl] = (32'(idx) == layer_start(gl));
end
for (gl = 0; gl < NHDR; gl = gl + 1) begin : g_hdr
    assign hdr_hit[gl] = (32'(idx) == gl);
end
wire [2:0] trl_hit = {32'(idx) == NWORDS - 1, 32'(idx) == NWORDS - 2, 32'(idx) == NWORDS - 3};
wire beyond = (32'(idx) >= NWORDS);

// stage 0: the accepted word and its class
logic [31:0]     d0 = '0;
logic            v0 = 1'b0, last0 = 1'b0, fin0 = 1'b0, beyond0 = 1'b0, hzw0 = 1'b0, hzh0 = 1'b0;
logic [NHDR-1:0] hdr0 = '0;
logic [NL-1:0]   shift0 = '0;
logic [2:0]      trl0 = '0;
wire signed [31:0] v = d0;

always_ff @(posedge clk) begin
    v0 <= accept && !rst;
    if (accept) begin
        d0 <= s_axis_tdata;
        last0 <= s_axis_tlast;
        fin0 <= (32'(idx) == NWORDS - 1);
        hdr0 <= hdr_hit;
        shift0 <= shift_hit;
        trl0 <= trl_hit;
        beyond0 <= beyond;
        hzw0 <= (s_axis_tdata[31:XW] == '0);  // upper bits of a width / height word are zero
        hzh0 <= (s_axis_tdata[31:YW] == '0);
    end
end

// a weight word: none of the other classes (from the registered one-hot decodes)
wire w0 = !(|hdr0) && !(|shift0) && !(|trl0) && !beyond0;

// stage 1: each class's check of the registered word (beyond the last word no class matches: bad)
logic [NHDR-1:0] okh1 = '0;
logic            oks1 = 1'b0, okw1 = 1'b0;
logic [2:0]      okt1 = '0;
logic            v1 = 1'b0, last1 = 1'b0, fin1 = 1'b0;
// frame size in [2, MAX]: the lower bound as bit logic and the upper one as one compare of the low
// bits (two compares of the whole word would chain through one another)
wire ge2 = !d0[31] && (|d0[30:1]);
wire w_le = hzw0 && (d0[XW-1:0] <= XW'(MAX_W));
wire h_le = hzh0 && (d0[YW-1:0] <= YW'(MAX_H));
wire [NHDR-1:0]  hdr_ok = {
    v == AB, v == WB, v == G, v == KW, v == KH, v == N, v == C, v == F,
    ge2 && h_le, ge2 && w_le, v == 1, d0 == MAGIC
};

// The small ranges as logic on the word's bits (no carry chain): the upper bits must be a sign
// extension, the low bits are one LUT-sized compare.
wire hi6_zero = (d0[31:6] == '0);
wire shift_ok = (hi6_zero && d0[5:0] <= 6'd48) || (d0[31:4] == '1);           // [-16, 48]
wire weight_ok = (d0[31:WB-1] == '0) || (d0[31:WB-1] == '1);                  // [-2^(WB-1), 2^(WB-1))
wire yn_ok = hi6_zero && d0[5:0] <= 6'd18;                                      // [0, 18]
wire res_ok = hi6_zero && d0[5:0] <= 6'd30;                                     // [0, 30]
wire out_ok = hi6_zero && d0[5:0] >= 6'd14 && d0[5:0] <= 6'd32;                 // [14, 32]

always_ff @(posedge clk) begin
    v1 <= v0 && !rst;
    last1 <= last0;
    fin1 <= fin0;
    okh1 <= hdr0 & hdr_ok;
    oks1 <= (|shift0) && shift_ok;
    okw1 <= w0 && weight_ok;
    okt1 <= trl0 & {out_ok, res_ok, yn_ok};
end

// shadow registers, written from stage 0 (a bad packet may write them: it never becomes pending)
logic [XW-1:0]    sh_width = '0;
logic [YW-1:0]    sh_height = '0;
localparam integer WAW = $clog2(NW);
logic [WB-1:0]    wmem [0:NW-1];
logic [WAW-1:0]   widx = '0;           // next weight's address
logic [NL*7-1:0]  sh_shifts = '0;
logic [4:0]       sh_yn = '0;
logic [4:0]       sh_res = '0;
logic [5:0]       sh_out = '0;

for (gl = 0; gl < NL; gl = gl + 1) begin : g_shift
    always_ff @(posedge clk) begin
        if (v0 && shift0[gl]) sh_shifts[gl*7 +: 7] <= d0[6:0];
    end
end

always_ff @(posedge clk) begin
    if (v0) begin
        if (hdr0[2]) sh_width <= XW'(d0);
        if (hdr0[3]) sh_height <= YW'(d0);
        if (w0) wmem[widx] <= d0[WB-1:0];
        if (trl0[0]) sh_yn <= d0[4:0];
        if (trl0[1]) sh_res <= d0[4:0];
        if (trl0[2]) sh_out <= d0[5:0];
    end
end

// stage 2: the verdict
logic bad = 1'b0;
wire  word_ok = |{okh1, oks1, okw1, okt1};

always_ff @(posedge clk) begin
    if (rst) begin
        idx <= '0;
        widx <= '0;
        bad <= 1'b0;
        pending <= 1'b0;
        judging <= 1'b0;
        active <= 1'b0;
        reject <= 1'b0;
        good <= 1'b0;
        tready_q <= 1'b0;
    end else begin
        reject <= 1'b0;
        good <= 1'b0;
        judging <= (accept && s_axis_tlast) || (v0 && last0) || (v1 && last1);
        tready_q <= !pending && !busy && !commit && !(accept && s_axis_tlast) && !(v0 && last0) &&
                    !(v1 && last1);
        if (accept) begin
            if (s_axis_tlast) idx <= '0;
            else if (32'(idx) < NWORDS) idx <= idx + 1'b1;
        end
        if (v0) begin
            if (last0) widx <= '0;
            else if (w0 && 32'(widx) < NW - 1) widx <= widx + 1'b1;
        end
        if (v1) begin
            if (last1) begin
                bad <= 1'b0;
                if (!bad && word_ok && fin1) begin
                    pending <= 1'b1;
                    good <= 1'b1;
                end else begin
                    reject <= 1'b1;
                end
            end else if (!word_ok || fin1) begin
                bad <= 1'b1;
            end
        end
        if (commit && pending) begin
            pending <= 1'b0;
            active <= 1'b1;
        end
    end
end

// the small values switch at commit
always_ff @(posedge clk) begin
    if (commit && pending) begin
        act_width <= sh_width;
        act_height <= sh_height;
        act_shifts <= sh_shifts;
        act_yn_lshift <= sh_yn;
        act_res_lshift <= sh_res;
        act_out_shift <= sh_out;
    end
end

// ---------------------------------------------------------------- serial weight load
localparam integer NSEG = (NW + SEG - 1) / SEG;
localparam integer SB = $clog2(SEG);
localparam integer RAW = $clog2(NW + 1);

logic [RAW-1:0] ra = '0;
logic [WB-1:0]  rd_q = '0;
logic [NSEG-1:0] en_seg = '0;     // segment s shifts while its own weights are read out

always_ff @(posedge clk) begin
    if (rst) begin
        busy <= 1'b0;
        ra <= '0;
        en_seg <= '0;
    end else begin
        // segment g while ra is in [g*SEG, (g+1)*SEG) and below NW: ra's upper bits equal g (SEG is
        // a power of two), and only the last segment needs the NW bound
        for (int g = 0; g < NSEG; g = g + 1)
            en_seg[g] <= busy && 32'(ra >> SB) == g && (g < NSEG - 1 || NW % SEG == 0 || 32'(ra) < NW);
        if (commit && pending) begin
            busy <= 1'b1;
            ra <= '0;
        end else if (busy) begin
            if (32'(ra) < NW) ra <= ra + 1'b1;
            else if (en_seg == '0) busy <= 1'b0;     // last weight shifted in
        end
    end
end

always_ff @(posedge clk) begin
    rd_q <= wmem[WAW'(ra)];
end

genvar gw;
for (gw = 0; gw < NW; gw = gw + 1) begin : g_chain
    wire [WB-1:0] next_w;
    if (gw == NW - 1 || gw % SEG == SEG - 1) begin : g_top     // the top of a segment: the RAM
        assign next_w = rd_q;
    end else begin : g_mid
        assign next_w = act_weights[(gw+1)*WB +: WB];
    end
    always_ff @(posedge clk) begin
        if (en_seg[gw / SEG]) act_weights[gw*WB +: WB] <= next_w;
    end
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
