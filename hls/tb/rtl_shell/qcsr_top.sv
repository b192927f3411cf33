// SPDX-License-Identifier: MIT
/*
 * qcsr_top (HLS shell): the HLS C++ core (hls/qcsr_top.cpp) behind qcsr_top's ports, through
 * DPI-C (qcsr_hls_dpi.cpp), so the cocotb regression of rtl_tb/qcsr_top runs on the HLS source
 * (make cosim RTL=hls). Verification scaffolding only: it models the AXI4-Stream boundary of the
 * exported IP (registered TREADY, an input FIFO of 4 beats, an output register slice of 2 beats,
 * a FIFO of three packets on s_axis_cfg, which the core reads at a start of frame) around the C
 * simulation of the core, which runs as far as the data offered so far allows at every clock edge. Data and protocol are the core's; cycle timing is
 * not (the C simulation has none): tests that depend on RTL cycle timing are marked RTL-only.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_top #(
    parameter integer MAX_W = 64,     // informational: the C++ core is compiled with QCSR_MAX_W
    parameter integer MAX_H = 64,
    parameter integer FOLD = 1
) (
    input  wire         ap_clk,
    input  wire         ap_rst_n,

    input  wire [23:0]  s_axis_video_TDATA,
    input  wire         s_axis_video_TVALID,
    output logic        s_axis_video_TREADY,
    input  wire [0:0]   s_axis_video_TUSER,
    input  wire [0:0]   s_axis_video_TLAST,
    input  wire [2:0]   s_axis_video_TKEEP,
    input  wire [2:0]   s_axis_video_TSTRB,

    output logic [95:0] m_axis_video_TDATA,
    output logic        m_axis_video_TVALID,
    input  wire         m_axis_video_TREADY,
    output logic [0:0]  m_axis_video_TUSER,
    output logic [0:0]  m_axis_video_TLAST,
    output wire  [11:0] m_axis_video_TKEEP,
    output wire  [11:0] m_axis_video_TSTRB,

    input  wire [31:0]  s_axis_cfg_TDATA,
    input  wire         s_axis_cfg_TVALID,
    output logic        s_axis_cfg_TREADY,
    input  wire [0:0]   s_axis_cfg_TLAST,
    input  wire [3:0]   s_axis_cfg_TKEEP,
    input  wire [3:0]   s_axis_cfg_TSTRB,

    output logic [31:0] status
);

import "DPI-C" function void qcsr_hls_reset();
// One clock edge: the beats that completed a handshake in the cycle before it, then the core runs,
// then the next cycle's registered outputs.
import "DPI-C" function void qcsr_hls_clock(
    input  bit        in_take, input int in_data, input bit in_user, input bit in_last,
    input  bit        cfg_take, input int cfg_data, input bit cfg_last,
    input  bit        out_taken,
    output bit        in_ready, output bit cfg_ready,
    output bit        out_valid, output bit [95:0] out_data, output bit out_user, output bit out_last,
    output int        status_word
);

assign m_axis_video_TKEEP = '1;
assign m_axis_video_TSTRB = '1;

initial begin
    s_axis_video_TREADY = 1'b0;
    s_axis_cfg_TREADY = 1'b0;
    m_axis_video_TVALID = 1'b0;
    m_axis_video_TDATA = '0;
    m_axis_video_TUSER = '0;
    m_axis_video_TLAST = '0;
    status = '0;
end

always @(posedge ap_clk) begin
    bit in_ready, cfg_ready, out_valid, out_user, out_last;
    bit [95:0] out_data;
    int status_word;
    if (!ap_rst_n) begin
        qcsr_hls_reset();
        s_axis_video_TREADY <= 1'b0;
        s_axis_cfg_TREADY <= 1'b0;
        m_axis_video_TVALID <= 1'b0;
        status <= '0;
    end else begin
        qcsr_hls_clock(s_axis_video_TVALID && s_axis_video_TREADY, {8'd0, s_axis_video_TDATA},
                       s_axis_video_TUSER[0], s_axis_video_TLAST[0],
                       s_axis_cfg_TVALID && s_axis_cfg_TREADY, s_axis_cfg_TDATA, s_axis_cfg_TLAST[0],
                       m_axis_video_TVALID && m_axis_video_TREADY,
                       in_ready, cfg_ready, out_valid, out_data, out_user, out_last, status_word);
        s_axis_video_TREADY <= in_ready;
        s_axis_cfg_TREADY <= cfg_ready;
        m_axis_video_TVALID <= out_valid;
        m_axis_video_TDATA <= out_data;
        m_axis_video_TUSER <= out_user;
        m_axis_video_TLAST <= out_last;
        status <= status_word;
    end
end

wire unused = &{1'b0, s_axis_video_TKEEP, s_axis_video_TSTRB, s_axis_cfg_TKEEP, s_axis_cfg_TSTRB};

endmodule

`resetall
