// SPDX-License-Identifier: MIT
/*
 * qcsr_top: x2 super-resolution core (docs/ARCHITECTURE.md sections 2 and 4) with the port names
 * Vitis HLS generates for the C++ top (ap_ctrl_none), so the cocotb tests run unchanged on either
 * core: qcsr_core with every frame admitted. qcsr_ip is the same core with an AXI4-Lite control port.
 */
`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

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
    parameter integer AB = 14,      // activation bits (config word 11 must match)
    parameter integer FOLD = 1      // clock cycles per input pixel (C and 4 must be multiples)
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
localparam integer YW = $clog2(MAX_H + 1) + 1;

logic rst = 1'b1;
always_ff @(posedge ap_clk) rst <= !ap_rst_n;

// the IP's event outputs are not used here (status carries the flags and the error count)
wire unused_ev, busy, ev_sof, ev_done, ev_abandon, err_nosof, err_early, err_late, err_event;
wire cfg_accept, cfg_reject, cfg_switch;
wire [XW-1:0] act_width;
wire [YW-1:0] act_height;
assign unused_ev = ^{busy, ev_sof, ev_done, ev_abandon, err_nosof, err_early, err_late, err_event, cfg_accept,
                     cfg_reject, cfg_switch, act_width, act_height, s_axis_video_TKEEP, s_axis_video_TSTRB,
                     s_axis_cfg_TKEEP, s_axis_cfg_TSTRB};

qcsr_core #(
    .F(F), .C(C), .N(N), .KH(KH), .KW(KW), .G(G), .MAX_W(MAX_W), .MAX_H(MAX_H), .WB(WB), .AB(AB), .FOLD(FOLD)
) core_inst (
    .clk(ap_clk), .rst(rst), .admit(1'b1),
    .s_axis_video_tdata(s_axis_video_TDATA), .s_axis_video_tvalid(s_axis_video_TVALID),
    .s_axis_video_tready(s_axis_video_TREADY), .s_axis_video_tuser(s_axis_video_TUSER[0]),
    .s_axis_video_tlast(s_axis_video_TLAST[0]),
    .m_axis_video_tdata(m_axis_video_TDATA), .m_axis_video_tvalid(m_axis_video_TVALID),
    .m_axis_video_tready(m_axis_video_TREADY), .m_axis_video_tuser(m_axis_video_TUSER[0]),
    .m_axis_video_tlast(m_axis_video_TLAST[0]),
    .s_axis_cfg_tdata(s_axis_cfg_TDATA), .s_axis_cfg_tvalid(s_axis_cfg_TVALID), .s_axis_cfg_tready(s_axis_cfg_TREADY),
    .s_axis_cfg_tlast(s_axis_cfg_TLAST[0]),
    .status(status), .busy(busy), .ev_sof(ev_sof), .ev_done(ev_done), .ev_abandon(ev_abandon),
    .err_nosof(err_nosof), .err_early(err_early), .err_late(err_late), .err_event(err_event),
    .cfg_accept(cfg_accept), .cfg_reject(cfg_reject), .cfg_switch(cfg_switch),
    .act_width(act_width), .act_height(act_height)
);

assign m_axis_video_TKEEP = 12'hfff;
assign m_axis_video_TSTRB = 12'hfff;

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
