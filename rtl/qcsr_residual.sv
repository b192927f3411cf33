// SPDX-License-Identifier: MIT
/*
 * qcsr_residual: pixel shuffle and residual add (docs/ARCHITECTURE.md section 1), pipelined.
 *
 * Tail channel c = 2*dy + dx of LR position (r, c) is the residual Y_c of HR pixel
 * (2r + dy, 2c + dx); the bicubic path delivers Y_N of the same 4 pixels in the same
 * order, so the shuffle is wiring.  Per pixel, exactly:
 *
 *   Y_f = clip(((Y_N << yn_lshift) + (Y_c << res_lshift) + 2^(out_shift-1)) >> out_shift, 0, 255)
 *
 *   stage 1  a = Y_N << 4*(yn_lshift/4), b = Y_c << 4*(res_lshift/4)   coarse shifts: an 8:1
 *            multiplexer per bit over the few multiples of 4 (static amounts, decoded)
 *   stage 2  (a << yn_lshift%4) + (b << res_lshift%4)          a 4:1 multiplexer, one carry chain
 *   stage 3  + 2^(out_shift-1)                                  one carry chain
 *   stage 4  coarse shift (14 + a multiple of 4), the clip flags in 6-bit groups (a mask of the
 *            bits above out_shift + 7, the sign)
 *   stage 5  fine shift (0..3), the OR of the groups
 *   stage 6  clip multiplexer
 *
 * The shift amounts are static during a frame; the rounding constant, the mask and the
 * coarse/fine split of every shift are decoded into registers.  Widths: Y_N is 24 bits signed, yn_lshift <= 18; Y_c is AB bits
 * signed, res_lshift <= 30; the sum fits 47 bits signed, SW = 48 is used.  out_ycc packs
 * pixel 2*dy + dx as [7:0] Y, [15:8] Cb, [23:16] Cr.  Latency 6 cycles.
 *
 * The CNN and the bicubic path are aligned by constant delays in qcsr_top; the
 * simulation-only check below stops the simulation if they ever disagree.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_residual #(
    parameter integer AB = 14,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire             clk,
    input  wire             clr,
    input  wire [XW-1:0]    width,
    input  wire [4:0]       yn_lshift,
    input  wire [4:0]       res_lshift,
    input  wire [5:0]       out_shift,
    input  wire             cnn_valid,
    input  wire [4*AB-1:0]  cnn_tail,     // signed, channel c at [c*AB +: AB]
    input  wire             bic_valid,
    input  wire [YW-1:0]    bic_row,
    input  wire [XW-1:0]    bic_col,
    input  wire [4*24-1:0]  bic_yn,
    input  wire [4*8-1:0]   bic_cb,
    input  wire [4*8-1:0]   bic_cr,
    output wire             out_valid,
    output logic [YW-1:0]   out_row,
    output logic [XW-1:0]   out_col,
    output logic [4*24-1:0] out_ycc
);

localparam integer SW = 48;

// static decode: rounding constant, bits that must be zero for Y_f <= 255, the shift split into
// a coarse (multiple of 4 above 14) and a fine part; two register stages, so none is a long path
logic [4:0]    o14 = '0;            // out_shift - 14, 0 .. 18
logic [5:0]    om1 = '0, op8 = '0;
logic [SW-1:0] d_half = '0;
logic [SW-1:0] d_mask = '0;
logic [2:0]    d_hi = '0;
logic [1:0]    d_lo = '0;
logic [2:0]    a_hi = '0, b_hi = '0;    // yn_lshift / 4, res_lshift / 4
logic [1:0]    a_lo = '0, b_lo = '0;    // the remainders
always_ff @(posedge clk) begin
    a_hi <= yn_lshift[4:2];
    a_lo <= yn_lshift[1:0];
    b_hi <= res_lshift[4:2];
    b_lo <= res_lshift[1:0];
    o14 <= 5'(out_shift - 6'd14);
    om1 <= out_shift - 6'd1;
    op8 <= out_shift + 6'd8;
    d_half <= SW'(1) << om1;
    d_mask <= {SW{1'b1}} << op8;
    d_hi <= o14[4:2];
    d_lo <= o14[1:0];
end

/* verilator lint_off UNUSEDSIGNAL */   // only the last tap of the valid pipe is the output's
wire [6:0] vp;
/* verilator lint_on UNUSEDSIGNAL */
qcsr_valid_pipe #(.DEPTH(6)) vp_inst (.clk(clk), .in_valid(bic_valid), .tap(vp));
assign out_valid = vp[6];

// chroma and position ride along
wire [4*16-1:0] c_d;
qcsr_pipe #(.DW(4*16), .DEPTH(5)) c_pipe (
    .clk(clk),
    .in_data({bic_cr[31:24], bic_cb[31:24], bic_cr[23:16], bic_cb[23:16],
              bic_cr[15:8], bic_cb[15:8], bic_cr[7:0], bic_cb[7:0]}),
    .out_data(c_d)
);
wire [YW+XW-1:0] pos_d;
qcsr_pipe #(.DW(YW + XW), .DEPTH(5)) pos_pipe (.clk(clk), .in_data({bic_row, bic_col}), .out_data(pos_d));
always_ff @(posedge clk) {out_row, out_col} <= pos_d;

localparam integer NG = SW / 6;

// Left shifts by static amounts, each one parallel multiplexer over its few amounts (case: a
// for/if form maps as a priority chain): by 4 * sel (coarse, sel 0..7) and by sel (fine, 0..3).
function automatic logic signed [SW-1:0] shl4(input logic signed [SW-1:0] x, input logic [2:0] sel);
    case (sel)
        3'd0: shl4 = x;
        3'd1: shl4 = x <<< 4;
        3'd2: shl4 = x <<< 8;
        3'd3: shl4 = x <<< 12;
        3'd4: shl4 = x <<< 16;
        3'd5: shl4 = x <<< 20;
        3'd6: shl4 = x <<< 24;
        default: shl4 = x <<< 28;
    endcase
endfunction
function automatic logic signed [SW-1:0] shl1(input logic signed [SW-1:0] x, input logic [1:0] sel);
    case (sel)
        2'd0: shl1 = x;
        2'd1: shl1 = x <<< 1;
        2'd2: shl1 = x <<< 2;
        default: shl1 = x <<< 3;
    endcase
endfunction

genvar gi;
for (gi = 0; gi < 4; gi = gi + 1) begin : g_px
    wire signed [SW-1:0] yn = SW'($signed(bic_yn[gi*24 +: 24]));
    wire signed [SW-1:0] yc = SW'($signed(cnn_tail[gi*AB +: AB]));
    logic signed [SW-1:0] a1 = '0, b1 = '0, s2 = '0, s3 = '0;
    logic signed [SW-1:0] a1_n, b1_n, a2_n, b2_n;
    always_comb begin
        a1_n = shl4(yn, a_hi);
        b1_n = shl4(yc, b_hi);
        a2_n = shl1(a1, a_lo);
        b2_n = shl1(b1, b_lo);
    end
    always_ff @(posedge clk) begin
        a1 <= a1_n;
        b1 <= b1_n;
        s2 <= a2_n + b2_n;
        s3 <= s2 + $signed(d_half);
    end
    // stage 4: coarse shift by 14 + 4*hi (11 bits kept), overflow in 6-bit groups
    logic [10:0]   t4 = '0;
    logic [NG-1:0] ov4 = '0;
    logic          neg4 = 1'b0;
    logic [10:0]   t4_n;
    always_comb begin
        case (d_hi)
            3'd0: t4_n = s3[14 +: 11];
            3'd1: t4_n = s3[18 +: 11];
            3'd2: t4_n = s3[22 +: 11];
            3'd3: t4_n = s3[26 +: 11];
            default: t4_n = s3[30 +: 11];
        endcase
    end
    wire [SW-1:0] ovb = s3 & d_mask;
    always_ff @(posedge clk) begin
        t4 <= t4_n;
        neg4 <= s3[SW-1];
        for (int g = 0; g < NG; g = g + 1) ov4[g] <= |ovb[6*g +: 6];
    end
    // stage 5: fine shift by lo, the OR of the groups; stage 6: clip
    logic [7:0] t5_n;
    always_comb begin
        case (d_lo)
            2'd0: t5_n = t4[0 +: 8];
            2'd1: t5_n = t4[1 +: 8];
            2'd2: t5_n = t4[2 +: 8];
            default: t5_n = t4[3 +: 8];
        endcase
    end
    logic [7:0] t5 = '0;
    logic       neg5 = 1'b0, ov5 = 1'b0;
    always_ff @(posedge clk) begin
        t5 <= t5_n;
        neg5 <= neg4;
        ov5 <= |ov4;
        out_ycc[gi*24 +: 24] <= {c_d[gi*16 +: 16], neg5 ? 8'd0 : ov5 ? 8'd255 : t5};
    end
end

`ifndef SYNTHESIS
// alignment check: the CNN output must be valid exactly when the bicubic output is,
// and its position (counted here) must be the bicubic's
logic [YW-1:0] chk_row = '0;
logic [XW-1:0] chk_col = '0;
always_ff @(posedge clk) begin
    if (clr) begin
        chk_row <= '0;
        chk_col <= '0;
    end else begin
        if (cnn_valid !== bic_valid) begin
            $fatal(1, "qcsr_residual: CNN valid %0d but bicubic valid %0d", cnn_valid, bic_valid);
        end
        if (cnn_valid) begin
            if (chk_row != bic_row || chk_col != bic_col) begin
                $fatal(1, "qcsr_residual: CNN at (%0d, %0d) but bicubic at (%0d, %0d)",
                       chk_row, chk_col, bic_row, bic_col);
            end
            if (chk_col + 1'b1 >= width) begin
                chk_col <= '0;
                if (~&chk_row) chk_row <= chk_row + 1'b1;
            end else begin
                chk_col <= chk_col + 1'b1;
            end
        end
    end
end
`else
wire unused = &{1'b0, width, cnn_valid};
`endif

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
