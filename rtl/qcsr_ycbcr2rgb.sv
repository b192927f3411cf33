// SPDX-License-Identifier: MIT
/*
 * qcsr_ycbcr2rgb: integer BT.601 inverse of qcsr_rgb2ycbcr (fixedpoint/colour.py):
 * on (Y - 16, Cb - 128, Cr - 128), R = (76309, 0, 104597), G = (76309, -25675, -53279),
 * B = (76309, 132201, 0), round half up (+2^15 >> 16), clip to [0, 255].
 *
 * in_ycc: [7:0] Y, [15:8] Cb, [23:16] Cr.  out_rgb: UG934 ([7:0] G, [15:8] B, [23:16] R).
 * Latency 2 cycles, free-running (products, sum/clip).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_ycbcr2rgb (
    input  wire         clk,
    input  wire         in_valid,
    input  wire [23:0]  in_ycc,
    output logic        out_valid,
    output logic [23:0] out_rgb
);

// coefficient of input column c (Y', Cb', Cr') for output row r (R, G, B)
function automatic signed [18:0] coef(input integer r, input integer c);
    case (r * 3 + c)
        0: coef = 19'sd76309;   1: coef = 19'sd0;       2: coef = 19'sd104597;
        3: coef = 19'sd76309;   4: coef = -19'sd25675;  5: coef = -19'sd53279;
        6: coef = 19'sd76309;   7: coef = 19'sd132201;  default: coef = 19'sd0;
    endcase
endfunction

localparam integer PW = 30;   // |9-bit x 19-bit| sums of 3 fit 30 bits signed

wire signed [8:0] dy = $signed({1'b0, in_ycc[7:0]}) - 9'sd16;
wire signed [8:0] db = $signed({1'b0, in_ycc[15:8]}) - 9'sd128;
wire signed [8:0] dr = $signed({1'b0, in_ycc[23:16]}) - 9'sd128;
wire [3*9-1:0]    d_in = {dr, db, dy};

logic [9*PW-1:0] p_q = '0;
logic            v_q = 1'b0;
wire  [3*8-1:0]  rgb8;   // R, G, B at [7:0], [15:8], [23:16]

genvar gr, gc;
for (gr = 0; gr < 3; gr = gr + 1) begin : g_row
    for (gc = 0; gc < 3; gc = gc + 1) begin : g_col
        wire signed [8:0]    x = d_in[gc*9 +: 9];
        wire signed [PW-1:0] p = x * coef(gr, gc);
        always_ff @(posedge clk) begin
            p_q[(gr*3+gc)*PW +: PW] <= p;
        end
    end

    wire signed [PW-1:0] acc = $signed(p_q[(gr*3)*PW +: PW]) + $signed(p_q[(gr*3+1)*PW +: PW]) +
                               $signed(p_q[(gr*3+2)*PW +: PW]) + (PW'(1) <<< 15);
    wire signed [PW-1:0] t = acc >>> 16;

    assign rgb8[gr*8 +: 8] = (t < 0) ? 8'd0 : (t > 255) ? 8'd255 : t[7:0];
end

always_ff @(posedge clk) begin
    v_q <= in_valid;
    out_valid <= v_q;
    out_rgb <= {rgb8[7:0], rgb8[23:16], rgb8[15:8]};   // R, B, G
end

endmodule

`resetall
