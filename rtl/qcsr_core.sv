// SPDX-License-Identifier: MIT
/*
 * qcsr_core: x2 super-resolution core (docs/ARCHITECTURE.md sections 2 and 4), wrapped by qcsr_top
 * (the Vitis port names of the HLS core, every frame admitted) and by qcsr_ip (AXI4-Lite control,
 * interrupt, configuration FIFO).
 *
 *   s_axis_video (RGB, 1 px/beat) -> qcsr_framer (slots, errors) -> qcsr_rgb2ycbcr
 *      +-> Y -> qcsr_cnn (head, N x [dw, pw], tail) ----------------------------+
 *      +-> Y, Cb, Cr -> delay -> qcsr_bicubic (late, own line buffers) ---------+-> qcsr_residual
 *   -> 4 x qcsr_ycbcr2rgb -> qcsr_out_reorder -> m_axis_video (4 px/beat)
 *   s_axis_cfg -> qcsr_cfg_loader (shadow, active weights and frame size)
 *
 * v2 micro-architecture (docs/ARCHITECTURE.md section 4): one clock domain, one input
 * pixel (slot) at most every FOLD cycles; every multiplier computes FOLD MACs per slot.
 * The datapath runs free: products, MAC chains, requantizers and delays have no enable;
 * valid bits gate only state (line buffers, windows, position counters, output RAM).
 * Back-pressure acts at the input only: qcsr_framer admits a slot when the reorder
 * buffer has room for the position it will complete (credit), so nothing downstream
 * ever stalls, and s_axis_video_tready is a register.
 *
 * The bicubic/chroma path is aligned with the CNN by computing it late: its line buffer
 * keeps DELAY_ROWS = CNN_ROWS - 2 extra LR lines in front of its 5-line window, a slot
 * delay covers the column lag and a free-running delay the CNN's pipeline cycles, so
 * both paths deliver LR position (r, c) in the same cycle.
 *
 * `admit` gates frame admission (a SOF leaves the input skid only while it is high); the
 * event outputs are one-cycle pulses from registers, for the IP's registers and interrupt.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_core #(
    parameter integer F = 3,
    parameter integer C = 16,
    parameter integer N = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer G = 4,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer WB = 10,      // weight bits (config word 10 must match)
    parameter integer AB = 14,      // activation bits (config word 11 must match)
    parameter integer FOLD = 1      // clock cycles per input pixel (C and 4 must be multiples)
) (
    input  wire             clk,
    input  wire             rst,            // synchronous, active high (registered by the wrapper)
    input  wire             admit,          // a frame may start

    input  wire [23:0]      s_axis_video_tdata,
    input  wire             s_axis_video_tvalid,
    output wire             s_axis_video_tready,
    input  wire             s_axis_video_tuser,
    input  wire             s_axis_video_tlast,

    output wire [95:0]      m_axis_video_tdata,
    output wire             m_axis_video_tvalid,
    input  wire             m_axis_video_tready,
    output wire             m_axis_video_tuser,
    output wire             m_axis_video_tlast,

    input  wire [31:0]      s_axis_cfg_tdata,
    input  wire             s_axis_cfg_tvalid,
    output wire             s_axis_cfg_tready,
    input  wire             s_axis_cfg_tlast,

    output logic [31:0]     status,
    output wire             busy,           // a frame is in progress
    output wire             ev_sof,         // pulses: a frame's SOF was taken,
    output wire             ev_done,        //   a frame finished (its last beat left),
    output wire             ev_abandon,     //   a frame was abandoned (early / late EOL)
    output wire             err_nosof,      //   malformed-input events (status bits 16..18, counter)
    output wire             err_early,
    output wire             err_late,
    output wire             err_event,
    output wire             cfg_accept,     //   a packet was accepted (pending),
    output wire             cfg_reject,     //   rejected,
    output wire             cfg_switch,     //   made active
    output wire [$clog2(MAX_W + 1)-1:0]   act_width,
    output wire [$clog2(MAX_H + 1):0]     act_height
);

localparam integer XW = $clog2(MAX_W + 1);
localparam integer YW = $clog2(MAX_H + 1) + 1;     // rows run past the frame during the flush
localparam integer NL = qcsr_pkg::layer_count(N);
localparam integer NW = qcsr_pkg::weight_count(F, C, N, KH, KW, G);
localparam integer LW = 24;

// ---------------------------------------------------------------- alignment (section 4.3)
// Slot lags: the CNN looks CNN_ROWS lines + CNN_COLS samples ahead, the bicubic window 2 + 2.
// The later path sets the pace; the other waits in line memory (rows) and slot delays (cols).
localparam integer CNN_ROWS = F/2 + N*(KH/2);
localparam integer CNN_COLS = F/2 + N*(KW/2);
localparam integer ROWS = (CNN_ROWS > 2) ? CNN_ROWS : 2;
localparam integer COLS = (CNN_COLS > 2) ? CNN_COLS : 2;
localparam integer DELAY_ROWS = ROWS - 2;                  // extra lines in the bicubic line buffer
localparam integer CNN_DELAY_ROWS = ROWS - CNN_ROWS;       // lines of delay after the CNN (1-row kernels)
localparam integer BIC_XSLOTS = COLS - 2;                  // slot delay in front of the bicubic
localparam integer CNN_XSLOTS = COLS - CNN_COLS;           // slot delay after the CNN
// Cycle latencies (free-running pipelines), from the colour converter's output:
localparam integer CNN_CYC = (FOLD + F*F + 8) + N*(FOLD + KH*KW + 8) + N*(FOLD + C + 6) + (FOLD + C/G + 6);
localparam integer CNN_PATH = CNN_CYC + ((CNN_DELAY_ROWS > 0) ? 1 : 0) + ((CNN_XSLOTS > 0) ? 1 : 0);
localparam integer BIC_PATH = ((BIC_XSLOTS > 0) ? 1 : 0) + 16;     // qcsr_bicubic: 4 + 2 x 6
localparam integer BIC_PAD = (CNN_PATH > BIC_PATH) ? CNN_PATH - BIC_PATH : 0;
localparam integer CNN_PAD = (BIC_PATH > CNN_PATH) ? BIC_PATH - CNN_PATH : 0;
// slot -> reorder writer, and the drain after an abandon (every slot in flight has left)
localparam integer CORE_CYC = 7 + ((CNN_PATH > BIC_PATH) ? CNN_PATH : BIC_PATH) + 6 + 7;
localparam integer DRAIN = CORE_CYC + 16;

// ---------------------------------------------------------------- configuration
wire             cfg_pending, cfg_judging, cfg_active, cfg_commit, cfg_busy;
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
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_cfg_tdata), .s_axis_tvalid(s_axis_cfg_tvalid),
    .s_axis_tready(s_axis_cfg_tready), .s_axis_tlast(s_axis_cfg_tlast),
    .commit(cfg_commit), .busy(cfg_busy), .pending(cfg_pending), .judging(cfg_judging), .active(cfg_active), .reject(cfg_reject), .good(cfg_accept),
    .act_width(width), .act_height(height), .act_weights(weights), .act_shifts(shifts),
    .act_yn_lshift(yn_lshift), .act_res_lshift(res_lshift), .act_out_shift(out_shift)
);

// total slot lag for this width: ROWS*width + COLS, decoded once
wire [LW-1:0] lag;
qcsr_times_width #(.XW(XW), .YW(LW), .K(ROWS), .ADD(COLS)) lag_inst (.clk(clk), .width(width), .y(lag));

// ---------------------------------------------------------------- framing, slots
wire        slot_valid, clr, frame_live, rd_done;
wire [1:0]  freed;
wire [23:0] slot_rgb;

qcsr_framer #(
    .FOLD(FOLD), .DRAIN(DRAIN), .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW), .LW(LW)
) framer_inst (
    .clk(clk), .rst(rst), .admit(admit),
    .s_axis_tdata(s_axis_video_tdata), .s_axis_tvalid(s_axis_video_tvalid),
    .s_axis_tready(s_axis_video_tready), .s_axis_tuser(s_axis_video_tuser),
    .s_axis_tlast(s_axis_video_tlast),
    .cfg_active(cfg_active), .cfg_pending(cfg_pending), .cfg_judging(cfg_judging), .cfg_busy(cfg_busy), .cfg_commit(cfg_commit),
    .width(width), .height(height), .lag(lag),
    .freed(freed), .rd_done(rd_done),
    .slot_valid(slot_valid), .slot_data(slot_rgb), .clr(clr), .frame_live(frame_live),
    .busy(busy), .err_nosof(err_nosof), .err_early(err_early), .err_late(err_late),
    .err_event(err_event), .ev_sof(ev_sof), .ev_done(ev_done), .ev_abandon(ev_abandon)
);

assign cfg_switch = cfg_commit;      // a commit always switches (it is issued only while a packet is pending)
assign act_width = width;
assign act_height = height;

// ---------------------------------------------------------------- colour in
wire        ycc_valid;
wire [23:0] ycc;

qcsr_rgb2ycbcr rgb2ycc_inst (
    .clk(clk), .in_valid(slot_valid), .in_rgb(slot_rgb),
    .out_valid(ycc_valid), .out_ycc(ycc)
);

// ---------------------------------------------------------------- CNN on Y
wire            tail_valid;
wire [4*AB-1:0] tail_data;

qcsr_cnn #(
    .F(F), .C(C), .N(N), .KH(KH), .KW(KW), .G(G), .WB(WB), .AB(AB), .FOLD(FOLD),
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) cnn_inst (
    .clk(clk), .clr(clr), .width(width), .height(height),
    .weights(weights), .shifts(shifts),
    .in_valid(ycc_valid), .in_y(ycc[7:0]),
    .out_valid(tail_valid), .out_tail(tail_data)
);

wire            rd_valid;
wire [4*AB-1:0] rd_data;

if (CNN_DELAY_ROWS > 0) begin : g_cnn_rows
    qcsr_row_delay #(
        .DW(4*AB), .ROWS(CNN_DELAY_ROWS), .MAX_W(MAX_W), .XW(XW)
    ) cnn_row_delay_inst (
        .clk(clk), .clr(clr), .width(width),
        .in_valid(tail_valid), .in_data(tail_data),
        .out_valid(rd_valid), .out_data(rd_data)
    );
end else begin : g_cnn_norows
    assign rd_valid = tail_valid;
    assign rd_data = tail_data;
end

wire            xs_valid;
wire [4*AB-1:0] xs_data;

qcsr_slot_delay #(.DW(4*AB), .DEPTH(CNN_XSLOTS)) cnn_slots_inst (
    .clk(clk), .clr(clr), .in_valid(rd_valid), .in_data(rd_data),
    .out_valid(xs_valid), .out_data(xs_data)
);

wire            cnn_valid;
wire [4*AB-1:0] cnn_tail;

qcsr_pipe #(.DW(4*AB + 1), .DEPTH(CNN_PAD)) cnn_pad_inst (
    .clk(clk), .in_data({xs_valid, xs_data}), .out_data({cnn_valid, cnn_tail})
);

// ---------------------------------------------------------------- bicubic Y, Cb, Cr
wire        bp_valid;
wire [23:0] bp_ycc;

qcsr_pipe #(.DW(25), .DEPTH(BIC_PAD)) bic_pad_inst (
    .clk(clk), .in_data({ycc_valid, ycc}), .out_data({bp_valid, bp_ycc})
);

wire        bd_valid;
wire [23:0] bd_ycc;

qcsr_slot_delay #(.DW(24), .DEPTH(BIC_XSLOTS)) bic_slots_inst (
    .clk(clk), .clr(clr), .in_valid(bp_valid), .in_data(bp_ycc),
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
    .clk(clk), .clr(clr), .width(width), .height(height),
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
    .clk(clk), .clr(clr), .width(width),
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
        .clk(clk),
        .in_valid(res_valid), .in_ycc(res_ycc[gi*24 +: 24]),
        .out_valid(hr_valid_px[gi]), .out_rgb(hr_rgb[gi*24 +: 24])
    );
end

qcsr_pipe #(.DW(YW + XW), .DEPTH(7)) pos_pipe_inst (
    .clk(clk), .in_data({res_row, res_col}), .out_data({hr_row, hr_col})
);
assign pos_valid = hr_valid_px[0];

// ---------------------------------------------------------------- output
qcsr_out_reorder #(
    .MAX_W(MAX_W), .MAX_H(MAX_H), .XW(XW), .YW(YW)
) out_inst (
    .clk(clk), .rst(rst), .clr(clr), .width(width), .height(height),
    .rd_enable(frame_live),
    .in_valid(pos_valid), .in_row(hr_row), .in_col(hr_col), .in_pix(hr_rgb),
    .freed(freed), .rd_done(rd_done),
    .m_axis_tdata(m_axis_video_tdata), .m_axis_tvalid(m_axis_video_tvalid),
    .m_axis_tready(m_axis_video_tready), .m_axis_tuser(m_axis_video_tuser),
    .m_axis_tlast(m_axis_video_tlast)
);

// ---------------------------------------------------------------- status
always_ff @(posedge clk) begin
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

/* verilator lint_on PROCASSINIT */

`resetall
