// SPDX-License-Identifier: MIT
/*
 * qcsr_top: x2 super-resolution core (docs/ARCHITECTURE.md sections 2 and 4).
 *
 *   s_axis_video (RGB, 1 px/beat) -> qcsr_framer (slots, errors) -> qcsr_rgb2ycbcr
 *      +-> Y -> qcsr_cnn (head, N x [dw, pw], tail) ----------------------------+
 *      +-> Y, Cb, Cr -> delay -> qcsr_bicubic (late, own line buffers) ---------+-> qcsr_residual
 *   -> 4 x qcsr_ycbcr2rgb -> qcsr_out_reorder -> m_axis_video (4 px/beat)
 *   s_axis_cfg -> qcsr_cfg_loader (shadow, active weights and frame size)
 *
 * The whole datapath advances on one clock enable (one LR slot per enabled cycle).
 * The bicubic/chroma path is aligned with the CNN by computing it late: its line
 * buffer keeps DELAY_ROWS = CNN_ROWS - 2 extra LR lines (24 bits each) in front of
 * its 5-line window, and a register delay covers the CNN's pipeline registers, so
 * both paths deliver LR position (r, c) in the same slot.
 *
 * Port names are those Vitis HLS generates for the C++ top (ap_ctrl_none), so the
 * cocotb tests run unchanged on either core.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_top #(
    parameter integer F = 3,
    parameter integer C = 16,
    parameter integer N = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer G = 4,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer WB = 10,      // weight bits (config word 10 must match)
    parameter integer AB = 14       // activation bits (config word 11 must match)
) (
    input  wire         ap_clk,
    input  wire         ap_rst_n,

    input  wire [23:0]  s_axis_video_TDATA,
    input  wire         s_axis_video_TVALID,
    output wire         s_axis_video_TREADY,
    input  wire [0:0]   s_axis_video_TUSER,
    input  wire [0:0]   s_axis_video_TLAST,
    input  wire [2:0]   s_axis_video_TKEEP,
    input  wire [2:0]   s_axis_video_TSTRB,

    output wire [95:0]  m_axis_video_TDATA,
    output wire         m_axis_video_TVALID,
    input  wire         m_axis_video_TREADY,
    output wire [0:0]   m_axis_video_TUSER,
    output wire [0:0]   m_axis_video_TLAST,
    output wire [11:0]  m_axis_video_TKEEP,
    output wire [11:0]  m_axis_video_TSTRB,

    input  wire [31:0]  s_axis_cfg_TDATA,
    input  wire         s_axis_cfg_TVALID,
    output wire         s_axis_cfg_TREADY,
    input  wire [0:0]   s_axis_cfg_TLAST,
    input  wire [3:0]   s_axis_cfg_TKEEP,
    input  wire [3:0]   s_axis_cfg_TSTRB,

    output logic [31:0] status
);

localparam integer XW = $clog2(MAX_W + 1);
localparam integer YW = $clog2(MAX_H + 1) + 1;     // rows run past the frame during the flush
localparam integer NL = 2 * N + 2;
localparam integer NW = C*F*F + N*(C*KH*KW + C*C) + 4*(C/G);

// latency alignment (see qcsr_cnn, qcsr_bicubic): both in LR slots = ROWS*width + REGS.
// The bicubic window looks 2 lines ahead, the CNN CNN_ROWS lines (7 by default): the later path
// sets the pace and the earlier one waits in line memory (rows) and registers (the rest).
localparam integer CNN_ROWS = F/2 + N*(KH/2);
localparam integer CNN_REGS = (F/2 + 4 + $clog2(F*F)) + N*(KW/2 + 4 + $clog2(KH*KW))
                            + N*(2 + $clog2(C)) + 2 + $clog2(C/G);
localparam integer BIC_ROWS = 2;
localparam integer BIC_REGS = 2 + 4;
localparam integer ROWS_MAX = (CNN_ROWS > BIC_ROWS) ? CNN_ROWS : BIC_ROWS;
localparam integer DELAY_ROWS = ROWS_MAX - BIC_ROWS;          // extra lines in the bicubic line buffer
localparam integer CNN_DELAY_ROWS = ROWS_MAX - CNN_ROWS;      // lines of delay after the CNN (1-row kernels)
localparam integer CNN_REGS_D = CNN_REGS + ((CNN_DELAY_ROWS > 0) ? 1 : 0);
localparam integer BIC_DELAY_REGS = (CNN_REGS_D > BIC_REGS) ? CNN_REGS_D - BIC_REGS : 0;
localparam integer CNN_DELAY_REGS = (BIC_REGS > CNN_REGS_D) ? BIC_REGS - CNN_REGS_D : 0;

// unused inputs (TKEEP/TSTRB are ignored by the contract)
wire unused = ^{s_axis_video_TKEEP, s_axis_video_TSTRB, s_axis_cfg_TKEEP, s_axis_cfg_TSTRB};

logic rst = 1'b1;
always_ff @(posedge ap_clk) rst <= !ap_rst_n;

// ---------------------------------------------------------------- configuration
wire             cfg_pending, cfg_active, cfg_reject, cfg_commit;
wire [XW-1:0]    width;
wire [YW-1:0]    height;
wire [NW*WB-1:0] weights;
wire [NL*7-1:0]  shifts;
wire [4:0]       yn_lshift, res_lshift;
wire [5:0]       out_shift;

qcsr_cfg_loader #(
    .F(F), .C(C), .N(N), .KH(KH), .KW(KW), .G(G), .WB(WB), .AB(AB),
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) cfg_inst (
    .clk(ap_clk), .rst(rst),
    .s_axis_tdata(s_axis_cfg_TDATA), .s_axis_tvalid(s_axis_cfg_TVALID),
    .s_axis_tready(s_axis_cfg_TREADY), .s_axis_tlast(s_axis_cfg_TLAST),
    .commit(cfg_commit), .pending(cfg_pending), .active(cfg_active), .reject(cfg_reject),
    .act_width(width), .act_height(height), .act_weights(weights), .act_shifts(shifts),
    .act_yn_lshift(yn_lshift), .act_res_lshift(res_lshift), .act_out_shift(out_shift)
);

// ---------------------------------------------------------------- framing, slots
wire        ce, clr, stall, wr_done, rd_done, busy;
wire [23:0] slot_rgb;
wire        err_nosof, err_early, err_late, err_event;

qcsr_framer #(
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) framer_inst (
    .clk(ap_clk), .rst(rst),
    .s_axis_tdata(s_axis_video_TDATA), .s_axis_tvalid(s_axis_video_TVALID),
    .s_axis_tready(s_axis_video_TREADY), .s_axis_tuser(s_axis_video_TUSER[0]),
    .s_axis_tlast(s_axis_video_TLAST[0]),
    .cfg_active(cfg_active), .cfg_pending(cfg_pending), .cfg_commit(cfg_commit),
    .width(width), .height(height),
    .stall(stall), .wr_done(wr_done), .rd_done(rd_done),
    .ce(ce), .clr(clr), .slot_data(slot_rgb),
    .busy(busy), .err_nosof(err_nosof), .err_early(err_early), .err_late(err_late),
    .err_event(err_event)
);

// ---------------------------------------------------------------- colour in
wire        ycc_valid;
wire [23:0] ycc;

qcsr_rgb2ycbcr rgb2ycc_inst (
    .clk(ap_clk), .clr(clr), .ce(ce),
    .in_valid(1'b1), .in_rgb(slot_rgb),
    .out_valid(ycc_valid), .out_ycc(ycc)
);

// ---------------------------------------------------------------- CNN on Y
wire            cnn_valid;
wire [4*AB-1:0] cnn_tail;
wire            tail_valid;
wire [4*AB-1:0] tail_data;

qcsr_cnn #(
    .F(F), .C(C), .N(N), .KH(KH), .KW(KW), .G(G), .WB(WB), .AB(AB),
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) cnn_inst (
    .clk(ap_clk), .clr(clr), .ce(ce), .width(width), .height(height),
    .weights(weights), .shifts(shifts),
    .in_valid(ycc_valid), .in_y(ycc[7:0]),
    .out_valid(tail_valid), .out_tail(tail_data)
);

if (CNN_DELAY_ROWS > 0) begin : g_cnn_rows
    wire            rd_valid;
    wire [4*AB-1:0] rd_data;

    qcsr_row_delay #(
        .DW(4*AB), .ROWS(CNN_DELAY_ROWS), .MAX_W(MAX_W), .XW(XW)
    ) cnn_row_delay_inst (
        .clk(ap_clk), .clr(clr), .ce(ce), .width(width),
        .in_valid(tail_valid), .in_data(tail_data),
        .out_valid(rd_valid), .out_data(rd_data)
    );

    qcsr_delay #(
        .DW(4*AB), .DEPTH(CNN_DELAY_REGS)
    ) cnn_delay_inst (
        .clk(ap_clk), .clr(clr), .ce(ce),
        .in_valid(rd_valid), .in_data(rd_data),
        .out_valid(cnn_valid), .out_data(cnn_tail)
    );
end else begin : g_cnn_regs
    qcsr_delay #(
        .DW(4*AB), .DEPTH(CNN_DELAY_REGS)
    ) cnn_delay_inst (
        .clk(ap_clk), .clr(clr), .ce(ce),
        .in_valid(tail_valid), .in_data(tail_data),
        .out_valid(cnn_valid), .out_data(cnn_tail)
    );
end

// ---------------------------------------------------------------- bicubic Y, Cb, Cr
wire        bd_valid;
wire [23:0] bd_ycc;

qcsr_delay #(
    .DW(24), .DEPTH(BIC_DELAY_REGS)
) bic_delay_inst (
    .clk(ap_clk), .clr(clr), .ce(ce),
    .in_valid(ycc_valid), .in_data(ycc),
    .out_valid(bd_valid), .out_data(bd_ycc)
);

wire            bic_valid;
wire [YW-1:0]   bic_row;
wire [XW-1:0]   bic_col;
wire [4*24-1:0] bic_yn;
wire [4*8-1:0]  bic_cb, bic_cr;

qcsr_bicubic #(
    .DELAY_ROWS(DELAY_ROWS), .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) bic_inst (
    .clk(ap_clk), .clr(clr), .ce(ce), .width(width), .height(height),
    .in_valid(bd_valid), .in_ycc(bd_ycc),
    .out_valid(bic_valid), .out_row(bic_row), .out_col(bic_col),
    .out_yn(bic_yn), .out_cb(bic_cb), .out_cr(bic_cr)
);

// ---------------------------------------------------------------- residual, colour out
wire            res_valid;
wire [YW-1:0]   res_row;
wire [XW-1:0]   res_col;
wire [4*24-1:0] res_ycc;

qcsr_residual #(
    .AB(AB), .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) res_inst (
    .clk(ap_clk), .clr(clr), .ce(ce), .width(width),
    .yn_lshift(yn_lshift), .res_lshift(res_lshift), .out_shift(out_shift),
    .cnn_valid(cnn_valid), .cnn_tail(cnn_tail),
    .bic_valid(bic_valid), .bic_row(bic_row), .bic_col(bic_col),
    .bic_yn(bic_yn), .bic_cb(bic_cb), .bic_cr(bic_cr),
    .out_valid(res_valid), .out_row(res_row), .out_col(res_col), .out_ycc(res_ycc)
);

wire [4*24-1:0] hr_rgb;
/* verilator lint_off UNUSEDSIGNAL */
wire [3:0]      hr_valid_px;    // identical tags; pixel 0's is used
/* verilator lint_on UNUSEDSIGNAL */
wire            pos_valid;
wire [YW-1:0]   hr_row;
wire [XW-1:0]   hr_col;

genvar gi;
for (gi = 0; gi < 4; gi = gi + 1) begin : g_rgb
    qcsr_ycbcr2rgb ycc2rgb_inst (
        .clk(ap_clk), .clr(clr), .ce(ce),
        .in_valid(res_valid), .in_ycc(res_ycc[gi*24 +: 24]),
        .out_valid(hr_valid_px[gi]), .out_rgb(hr_rgb[gi*24 +: 24])
    );
end

qcsr_delay #(
    .DW(YW + XW), .DEPTH(2)
) pos_delay_inst (
    .clk(ap_clk), .clr(clr), .ce(ce),
    .in_valid(res_valid), .in_data({res_row, res_col}),
    .out_valid(pos_valid), .out_data({hr_row, hr_col})
);

// ---------------------------------------------------------------- output
qcsr_out_reorder #(
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) out_inst (
    .clk(ap_clk), .rst(rst), .clr(clr), .ce(ce), .width(width), .height(height),
    .in_valid(pos_valid && hr_valid_px[0]), .in_row(hr_row), .in_col(hr_col), .in_pix(hr_rgb),
    .stall(stall), .wr_done(wr_done), .rd_done(rd_done),
    .m_axis_tdata(m_axis_video_TDATA), .m_axis_tvalid(m_axis_video_TVALID),
    .m_axis_tready(m_axis_video_TREADY), .m_axis_tuser(m_axis_video_TUSER[0]),
    .m_axis_tlast(m_axis_video_TLAST[0])
);

assign m_axis_video_TKEEP = 12'hfff;
assign m_axis_video_TSTRB = 12'hfff;

// ---------------------------------------------------------------- status
always_ff @(posedge ap_clk) begin
    if (rst) begin
        status <= '0;
    end else begin
        status[15:0] <= status[15:0] + 16'(err_event);
        if (err_nosof) status[16] <= 1'b1;
        if (err_early) status[17] <= 1'b1;
        if (err_late) status[18] <= 1'b1;
        if (cfg_reject) status[19] <= 1'b1;
        status[20] <= busy;
    end
end

endmodule

`resetall
