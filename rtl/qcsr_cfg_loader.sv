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
 * no enable net drives more than SEG*WB flip-flops (2,560).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

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
    parameter integer SEG = 256,          // weights per chain segment (enable fanout)
    // derived (do not override)
    parameter integer NL = 2 * N + 2,
    parameter integer NW = C*F*F + N*(C*KH*KW + C*C) + 4*(C/G)
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

logic [IW-1:0] idx = '0;
logic          bad = 1'b0;
logic          tready_q = 1'b0;

assign s_axis_tready = tready_q;
wire accept = s_axis_tvalid && s_axis_tready;

wire signed [31:0] v = s_axis_tdata;

// which word is this?
wire [NL-1:0] shift_hit;
genvar gl;
for (gl = 0; gl < NL; gl = gl + 1) begin : g_layer
    assign shift_hit[gl] = (32'(idx) == layer_start(gl));
end
wire is_hdr = (32'(idx) < NHDR);
wire is_shift = |shift_hit;
wire is_trl = (32'(idx) >= NWORDS - 3) && (32'(idx) < NWORDS);
wire is_weight = !is_hdr && !is_shift && !is_trl && (32'(idx) < NWORDS);

// is the word acceptable?
logic word_ok;
always_comb begin
    word_ok = 1'b1;
    if (is_hdr) begin
        case (idx[3:0])
            4'd0:  word_ok = (s_axis_tdata == MAGIC);
            4'd1:  word_ok = (v == 1);
            4'd2:  word_ok = (v >= 2) && (v <= MAX_W);
            4'd3:  word_ok = (v >= 2) && (v <= MAX_H);
            4'd4:  word_ok = (v == F);
            4'd5:  word_ok = (v == C);
            4'd6:  word_ok = (v == N);
            4'd7:  word_ok = (v == KH);
            4'd8:  word_ok = (v == KW);
            4'd9:  word_ok = (v == G);
            4'd10: word_ok = (v == WB);
            default: word_ok = (v == AB);
        endcase
    end else if (is_shift) begin
        word_ok = (v >= -16) && (v <= 48);
    end else if (is_weight) begin
        word_ok = (v >= -(1 <<< (WB - 1))) && (v < (1 <<< (WB - 1)));
    end else if (is_trl) begin
        if (32'(idx) == NWORDS - 3) word_ok = (v >= 0) && (v <= 18);
        else if (32'(idx) == NWORDS - 2) word_ok = (v >= 0) && (v <= 30);
        else word_ok = (v >= 14) && (v <= 32);
    end else begin
        word_ok = 1'b0;     // beyond the last word: TLAST missing
    end
end

// shadow registers
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
        if (accept && shift_hit[gl]) sh_shifts[gl*7 +: 7] <= s_axis_tdata[6:0];
    end
end

always_ff @(posedge clk) begin
    if (accept) begin
        if (32'(idx) == 2) sh_width <= XW'(s_axis_tdata);
        if (32'(idx) == 3) sh_height <= YW'(s_axis_tdata);
        if (is_weight) wmem[widx] <= s_axis_tdata[WB-1:0];
        if (32'(idx) == NWORDS - 3) sh_yn <= s_axis_tdata[4:0];
        if (32'(idx) == NWORDS - 2) sh_res <= s_axis_tdata[4:0];
        if (32'(idx) == NWORDS - 1) sh_out <= s_axis_tdata[5:0];
    end
end

always_ff @(posedge clk) begin
    if (rst) begin
        idx <= '0;
        widx <= '0;
        bad <= 1'b0;
        pending <= 1'b0;
        active <= 1'b0;
        reject <= 1'b0;
        tready_q <= 1'b0;
    end else begin
        reject <= 1'b0;
        tready_q <= !pending && !busy && !commit && !(accept && s_axis_tlast);
        if (accept) begin
            if (s_axis_tlast) begin
                idx <= '0;
                widx <= '0;
                bad <= 1'b0;
                if (!bad && word_ok && 32'(idx) == NWORDS - 1) pending <= 1'b1;
                else reject <= 1'b1;
            end else begin
                if (32'(idx) < NWORDS) idx <= idx + 1'b1;
                if (is_weight && 32'(widx) < NW - 1) widx <= widx + 1'b1;
                if (!word_ok || 32'(idx) == NWORDS - 1) bad <= 1'b1;
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
        for (int g = 0; g < NSEG; g = g + 1)
            en_seg[g] <= busy && 32'(ra) >= g * SEG && 32'(ra) < ((g + 1) * SEG < NW ? (g + 1) * SEG : NW);
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

`resetall
