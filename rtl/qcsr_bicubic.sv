// SPDX-License-Identifier: MIT
/*
 * qcsr_bicubic: x2 bicubic of Y, Cb and Cr (Keys a = -0.5, half-pixel centres,
 * replicated borders), fixedpoint/bicubic.py bit for bit.
 *
 * Separable 5-tap phase filters over LR offsets -2..+2, 7 fraction bits each:
 *   even = (-3, 29, 111, -9, 0), odd = (0, -9, 111, 29, -3).
 * The vertical pass runs on the column entering the window (both row phases), the
 * horizontal pass on a 5-column register of vertical results (both column phases),
 * so each slot produces the 4 HR samples (2r + dy, 2c + dx) of one LR position with
 * the exact 14-fraction-bit product.  Luma leaves as the raw Y_N (signed, 24 bits);
 * chroma is rounded half up (+2^13 >> 14) and clipped to [0, 255].
 *
 * Late computation for alignment with the CNN: the line buffer keeps DELAY_ROWS
 * extra lines in front of the 4 window lines, so the window works DELAY_ROWS lines
 * behind its input (the top adds the remaining register delay).  The extra lines
 * share the window's RAM words (one 24-bit sample per line per column).
 *
 * Borders: a window column whose centre row is near the top or bottom takes the
 * edge row instead of the missing ones (per entering column, using that column's
 * own row), a window centred near the left or right edge takes the edge column.
 *
 * Latency: output position o appears 4 cycles after the slot that brought input sample
 * o + (DELAY_ROWS + 2)*width + 2.  Only state (line buffer, window, positions) waits for
 * slots; the filters run every cycle.
 * Outputs are indexed 2*dy + dx (the pixel shuffle order): out_yn[(2dy+dx)*24 +: 24].
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_bicubic #(
    parameter integer DELAY_ROWS = 0,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire           clk,
    input  wire           clr,
    input  wire [XW-1:0]  width,
    input  wire [YW-1:0]  height,
    input  wire           in_valid,
    input  wire [23:0]    in_ycc,       // [7:0] Y, [15:8] Cb, [23:16] Cr
    output logic          out_valid,
    output logic [YW-1:0] out_row,
    output logic [XW-1:0] out_col,
    output logic [4*24-1:0] out_yn,   // signed, 14 fraction bits
    output logic [4*8-1:0]  out_cb,
    output logic [4*8-1:0]  out_cr
);

localparam integer ROWS = DELAY_ROWS + 4;
localparam integer VW = 18;    // vertical result: 8-bit x taps (|sum| <= 152 * 255), signed
localparam integer HW = 25;    // horizontal result: fits 24 bits signed, one spare
localparam integer SKW = $clog2((DELAY_ROWS + 3) * MAX_W + 3);
localparam integer PW = ((XW > YW) ? XW : YW) + 1;   // position width for the border logic

// ---------------------------------------------------------------- line buffer
/* verilator lint_off UNUSEDSIGNAL */
wire [(ROWS+1)*24-1:0] col;     // rows 0..DELAY_ROWS-1 are only the delay
/* verilator lint_on UNUSEDSIGNAL */
logic col_valid = 1'b0;

qcsr_line_buffer #(
    .DW(24), .ROWS(ROWS), .MAX_W(MAX_W), .XW(XW)
) lb_inst (
    .clk(clk), .clr(clr), .width(width), .in_valid(in_valid), .in_data(in_ycc), .col(col)
);

always_ff @(posedge clk) begin
    if (clr) col_valid <= 1'b0;
    else col_valid <= in_valid;
end

// ---------------------------------------------------------------- positions
// entering column: its centre row/col (for the vertical border);
// window centre (2 columns older): for the horizontal border and the output
logic [SKW-1:0] skip_e = '0, skip_c = '0;
logic [YW-1:0]  e_row = '0, c_row = '0;
logic [XW-1:0]  e_col = '0, c_col = '0;
logic           h_valid = 1'b0;
logic [YW-1:0]  h_row = '0;
logic [XW-1:0]  h_col = '0;

always_ff @(posedge clk) begin
    if (clr) begin
        skip_e <= SKW'((DELAY_ROWS + 2) * width);
        skip_c <= SKW'((DELAY_ROWS + 2) * width + 2);
        e_row <= '0; e_col <= '0;
        c_row <= '0; c_col <= '0;
        h_valid <= 1'b0;
    end else begin
        h_valid <= 1'b0;
        if (col_valid) begin
            if (skip_e != 0) begin
                skip_e <= skip_e - 1'b1;
            end else if (e_col + 1'b1 >= width) begin
                e_col <= '0;
                if (~&e_row) e_row <= e_row + 1'b1;
            end else begin
                e_col <= e_col + 1'b1;
            end
            if (skip_c != 0) begin
                skip_c <= skip_c - 1'b1;
            end else begin
                h_valid <= 1'b1;
                h_row <= c_row;
                h_col <= c_col;
                if (c_col + 1'b1 >= width) begin
                    c_col <= '0;
                    if (~&c_row) c_row <= c_row + 1'b1;
                end else begin
                    c_col <= c_col + 1'b1;
                end
            end
        end
    end
end

// source index (0..4, offset -2..+2) of tap k after edge replication at position p of n
function automatic [2:0] rep(input integer k, input [PW-1:0] p, input [PW-1:0] n);
    begin
        rep = 3'(k);
        case (k)
            0: if (p == 0) rep = 3'd2; else if (p == 1) rep = 3'd1;
            1: if (p == 0) rep = 3'd2;
            3: if (p + 1 >= n) rep = 3'd2;
            4: if (p + 1 >= n) rep = 3'd2; else if (p + 2 >= n) rep = 3'd3;
            default: ;
        endcase
    end
endfunction

// taps as shift-and-add (no multipliers): t0..t4 of one phase
function automatic signed [HW-1:0] fir5(input integer phase, input [5*HW-1:0] x);
    logic signed [HW-1:0] a0, a1, a2, a3, a4;
    begin
        a0 = x[0*HW +: HW]; a1 = x[1*HW +: HW]; a2 = x[2*HW +: HW];
        a3 = x[3*HW +: HW]; a4 = x[4*HW +: HW];
        if (phase == 0) begin
            // -3 a0 + 29 a1 + 111 a2 - 9 a3
            fir5 = -((a0 <<< 1) + a0) + ((a1 <<< 5) - (a1 <<< 1) - a1)
                   + ((a2 <<< 7) - (a2 <<< 4) - a2) - ((a3 <<< 3) + a3);
        end else begin
            // -9 a1 + 111 a2 + 29 a3 - 3 a4
            fir5 = -((a1 <<< 3) + a1) + ((a2 <<< 7) - (a2 <<< 4) - a2)
                   + ((a3 <<< 5) - (a3 <<< 1) - a3) - ((a4 <<< 1) + a4);
        end
    end
endfunction

// ---------------------------------------------------------------- vertical pass
// hreg column j (0 = oldest): for channel ch and row phase dy, VW bits at
// hreg[((j*3 + ch)*2 + dy)*VW +: VW]
localparam integer CW = 3 * 2 * VW;    // one column of vertical results
logic [5*CW-1:0] hreg = '0;
wire  [CW-1:0]   vcol;

genvar gch, gk, gdy, gdx;
for (gch = 0; gch < 3; gch = gch + 1) begin : g_vch
    wire [5*HW-1:0] taps;
    wire [5*HW-1:0] taps_r;
    for (gk = 0; gk < 5; gk = gk + 1) begin : g_tap
        // tap k (offset k-2) of the window is line DELAY_ROWS + 4 - k above the newest sample
        assign taps[gk*HW +: HW] = HW'(col[(DELAY_ROWS + 4 - gk)*24 + gch*8 +: 8]);
        wire [2:0] src = rep(gk, PW'(e_row), PW'(height));
        assign taps_r[gk*HW +: HW] = taps[src*HW +: HW];
    end
    for (gdy = 0; gdy < 2; gdy = gdy + 1) begin : g_ph
        /* verilator lint_off UNUSEDSIGNAL */
        wire signed [HW-1:0] v = fir5(gdy, taps_r);    // fits VW bits
        /* verilator lint_on UNUSEDSIGNAL */
        assign vcol[(gch*2 + gdy)*VW +: VW] = v[VW-1:0];
    end
end

always_ff @(posedge clk) begin
    if (col_valid) hreg <= {vcol, hreg[5*CW-1:CW]};
end

// ---------------------------------------------------------------- horizontal pass
logic          s_valid = 1'b0;
logic [YW-1:0] s_row = '0;
logic [XW-1:0] s_col = '0;
logic [3*4*HW-1:0] s_sum = '0;    // channel ch, index 2dy+dx

for (gch = 0; gch < 3; gch = gch + 1) begin : g_hch
    for (gdy = 0; gdy < 2; gdy = gdy + 1) begin : g_hdy
        wire [5*HW-1:0] row_r;
        for (gk = 0; gk < 5; gk = gk + 1) begin : g_tap
            wire [2:0] src = rep(gk, PW'(h_col), PW'(width));
            wire signed [VW-1:0] vv = hreg[((src*3 + gch)*2 + gdy)*VW +: VW];
            assign row_r[gk*HW +: HW] = HW'(vv);
        end
        for (gdx = 0; gdx < 2; gdx = gdx + 1) begin : g_hdx
            wire signed [HW-1:0] h = fir5(gdx, row_r);
            always_ff @(posedge clk) begin
                s_sum[(gch*4 + gdy*2 + gdx)*HW +: HW] <= h;
            end
        end
    end
end

always_ff @(posedge clk) begin
    if (clr) begin
        s_valid <= 1'b0;
        out_valid <= 1'b0;
    end else begin
        s_valid <= h_valid;
        out_valid <= s_valid;
    end
    begin
        s_row <= h_row;
        s_col <= h_col;
        out_row <= s_row;
        out_col <= s_col;
    end
end

// ---------------------------------------------------------------- outputs
genvar gi;
for (gi = 0; gi < 4; gi = gi + 1) begin : g_out
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [HW-1:0] y  = s_sum[(0*4 + gi)*HW +: HW];   // fits 24 bits
    /* verilator lint_on UNUSEDSIGNAL */
    wire signed [HW-1:0] cb = (s_sum[(1*4 + gi)*HW +: HW] + (HW'(1) <<< 13)) >>> 14;
    wire signed [HW-1:0] cr = (s_sum[(2*4 + gi)*HW +: HW] + (HW'(1) <<< 13)) >>> 14;
    always_ff @(posedge clk) begin
        out_yn[gi*24 +: 24] <= y[23:0];
        out_cb[gi*8 +: 8] <= (cb < 0) ? 8'd0 : (cb > 255) ? 8'd255 : cb[7:0];
        out_cr[gi*8 +: 8] <= (cr < 0) ? 8'd0 : (cr > 255) ? 8'd255 : cr[7:0];
    end
end

endmodule

`resetall
