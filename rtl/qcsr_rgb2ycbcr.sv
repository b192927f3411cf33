// SPDX-License-Identifier: MIT
/*
 * qcsr_rgb2ycbcr: integer BT.601 (MATLAB rgb2ycbcr, Y in [16, 235]), the constants of
 * fixedpoint/colour.py and docs/ARCHITECTURE.md section 1: 16 fraction bits, round
 * half up (+2^15, arithmetic >> 16), clip to [0, 255].
 *
 * in_rgb is a UG934 pixel: [7:0] G, [15:8] B, [23:16] R.
 * out_ycc: [7:0] Y, [15:8] Cb, [23:16] Cr.   Latency 2 cycles, free-running (products, sum/clip).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_rgb2ycbcr (
    input  wire         clk,
    input  wire         in_valid,
    input  wire [23:0]  in_rgb,
    output logic        out_valid,
    output logic [23:0] out_ycc
);

// coefficient of input column c (R, G, B) for output row r (Y, Cb, Cr)
function automatic signed [17:0] coef(input integer r, input integer c);
    case (r * 3 + c)
        0: coef = 18'sd16829;   1: coef = 18'sd33039;   2: coef = 18'sd6416;
        3: coef = -18'sd9714;   4: coef = -18'sd19070;  5: coef = 18'sd28784;
        6: coef = 18'sd28784;   7: coef = -18'sd24103;  default: coef = -18'sd4681;
    endcase
endfunction

localparam integer PW = 28;   // |9-bit x 18-bit| sums of 3 plus the offset fit 28 bits signed

wire [3*9-1:0] c_in = {1'b0, in_rgb[15:8], 1'b0, in_rgb[7:0], 1'b0, in_rgb[23:16]};  // B, G, R

logic [9*PW-1:0] p_q = '0;
logic            v_q = 1'b0;

genvar gr, gc;
for (gr = 0; gr < 3; gr = gr + 1) begin : g_row
    for (gc = 0; gc < 3; gc = gc + 1) begin : g_col
        wire signed [8:0]    x = c_in[gc*9 +: 9];
        wire signed [PW-1:0] p = x * coef(gr, gc);
        always_ff @(posedge clk) begin
            p_q[(gr*3+gc)*PW +: PW] <= p;
        end
    end

    wire signed [PW-1:0] ofs = (gr == 0) ? (PW'(16) <<< 16) : (PW'(128) <<< 16);
    wire signed [PW-1:0] acc = $signed(p_q[(gr*3)*PW +: PW]) + $signed(p_q[(gr*3+1)*PW +: PW]) +
                               $signed(p_q[(gr*3+2)*PW +: PW]) + ofs + (PW'(1) <<< 15);
    wire signed [PW-1:0] t = acc >>> 16;

    always_ff @(posedge clk) begin
        out_ycc[gr*8 +: 8] <= (t < 0) ? 8'd0 : (t > 255) ? 8'd255 : t[7:0];
    end
end

always_ff @(posedge clk) begin
    v_q <= in_valid;
    out_valid <= v_q;
end

endmodule

`resetall
