// SPDX-License-Identifier: MIT
/*
 * qcsr_residual: pixel shuffle and residual add (docs/ARCHITECTURE.md section 1).
 *
 * Tail channel c = 2*dy + dx of LR position (r, c) is the residual Y_c of HR pixel
 * (2r + dy, 2c + dx); the bicubic path delivers Y_N of the same 4 pixels in the same
 * order, so the shuffle is wiring.  Per pixel, exactly:
 *
 *   Y_f = clip(((Y_N << yn_lshift) + (Y_c << res_lshift) + 2^(out_shift-1)) >> out_shift, 0, 255)
 *
 * Widths: Y_N is 24 bits signed, yn_lshift <= 18; Y_c is AB bits signed,
 * res_lshift <= 30; the sum fits 47 bits signed, SW = 48 is used.
 * out_ycc packs pixel 2*dy + dx as [7:0] Y, [15:8] Cb, [23:16] Cr.  Latency 2 slots.
 *
 * The CNN and the bicubic path are aligned by constant delays in qcsr_top; the
 * simulation-only check below stops the simulation if they ever disagree.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_residual #(
    parameter integer AB = 14,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire             clk,
    input  wire             clr,
    input  wire             ce,
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
    output logic            out_valid,
    output logic [YW-1:0]   out_row,
    output logic [XW-1:0]   out_col,
    output logic [4*24-1:0] out_ycc
);

localparam integer SW = 48;

logic            s_valid = 1'b0;
logic [YW-1:0]   s_row = '0;
logic [XW-1:0]   s_col = '0;
logic [4*SW-1:0] s_sum = '0;
logic [4*16-1:0] s_c = '0;      // {Cr, Cb} per pixel
logic [5:0]      s_shift = '0;

wire signed [SW-1:0] half = (SW'(1) <<< out_shift) >>> 1;

genvar gi;
for (gi = 0; gi < 4; gi = gi + 1) begin : g_px
    wire signed [SW-1:0] yn = SW'($signed(bic_yn[gi*24 +: 24]));
    wire signed [SW-1:0] yc = SW'($signed(cnn_tail[gi*AB +: AB]));
    wire signed [SW-1:0] t  = $signed(s_sum[gi*SW +: SW]) >>> s_shift;

    always_ff @(posedge clk) begin
        if (ce) begin
            s_sum[gi*SW +: SW] <= (yn <<< yn_lshift) + (yc <<< res_lshift) + half;
            s_c[gi*16 +: 16] <= {bic_cr[gi*8 +: 8], bic_cb[gi*8 +: 8]};
            out_ycc[gi*24 +: 24] <= {s_c[gi*16 +: 16], (t < 0) ? 8'd0 : (t > 255) ? 8'd255 : t[7:0]};
        end
    end
end

always_ff @(posedge clk) begin
    if (clr) begin
        s_valid <= 1'b0;
        out_valid <= 1'b0;
    end else if (ce) begin
        s_valid <= bic_valid;
        out_valid <= s_valid;
    end
    if (ce) begin
        s_row <= bic_row;
        s_col <= bic_col;
        s_shift <= out_shift;
        out_row <= s_row;
        out_col <= s_col;
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
    end else if (ce) begin
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
`endif

endmodule

`resetall
