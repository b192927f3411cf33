// SPDX-License-Identifier: MIT
/*
 * qcsr_ip: the qcsr core as an IP block a processor drives (docs/integration.md).
 *
 *   s_axi_control (AXI4-Lite) -> qcsr_axil_bridge (registered both ways) -> qcsr_regs (PeakRDL-regblock,
 *       passthrough CPU interface, generated from rtl/regs/qcsr_regs.rdl):
 *       CTRL / GIE / IER / ISR in the Vitis ap_ctrl_chain layout, build ID, status, sticky errors,
 *       saturating counters, the active frame size, and CFG_DATA / CFG_LAST -> qcsr_cfg_fifo
 *   s_axis_cfg (DMA) and the FIFO -> one packet at a time -> qcsr_core's configuration port
 *   s_axis_video -> qcsr_core -> m_axis_video;  interrupt (registered, level: GIE && (ISR & IER) != 0)
 *
 * With CTRL.auto_restart clear, one frame is admitted per CTRL.ap_start (cleared when the frame's SOF is
 * taken, which also sets ap_ready); with it set, every frame is admitted. ap_done and ISR.done are set
 * when an admitted frame ends, finished or abandoned. Otherwise frames and packets behave exactly as on
 * qcsr_top (the same qcsr_core).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT); the reset branch
// assigns them too. Verilator's PROCASSINIT is an ASIC-flow caution, waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_ip #(
    parameter integer F = 3,
    parameter integer C = 16,
    parameter integer N = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer G = 4,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer WB = 10,
    parameter integer AB = 14,
    parameter integer FOLD = 1,
    parameter integer CFG_DEPTH = 512       // packet FIFO words (one RAMB18 at 33 bits)
) (
    input  wire         ap_clk,
    input  wire         ap_rst_n,

    input  wire         s_axi_control_AWVALID,
    output wire         s_axi_control_AWREADY,
    input  wire [6:0]   s_axi_control_AWADDR,
    input  wire [2:0]   s_axi_control_AWPROT,
    input  wire         s_axi_control_WVALID,
    output wire         s_axi_control_WREADY,
    input  wire [31:0]  s_axi_control_WDATA,
    input  wire [3:0]   s_axi_control_WSTRB,
    output wire         s_axi_control_BVALID,
    input  wire         s_axi_control_BREADY,
    output wire [1:0]   s_axi_control_BRESP,
    input  wire         s_axi_control_ARVALID,
    output wire         s_axi_control_ARREADY,
    input  wire [6:0]   s_axi_control_ARADDR,
    input  wire [2:0]   s_axi_control_ARPROT,
    output wire         s_axi_control_RVALID,
    input  wire         s_axi_control_RREADY,
    output wire [31:0]  s_axi_control_RDATA,
    output wire [1:0]   s_axi_control_RRESP,

    /* verilator lint_off SYMRSVDWORD */ // the Vitis kernel's port name
    output logic        interrupt,
    /* verilator lint_on SYMRSVDWORD */

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
    input  wire [3:0]   s_axis_cfg_TSTRB
);

localparam integer XW = $clog2(MAX_W + 1);
localparam integer YW = $clog2(MAX_H + 1) + 1;
localparam integer FAW = $clog2(CFG_DEPTH);

logic rst = 1'b1;
always_ff @(posedge ap_clk) rst <= !ap_rst_n;

// ---------------------------------------------------------------- register block
qcsr_regs_pkg::qcsr_regs__in_t  hwif_in;
qcsr_regs_pkg::qcsr_regs__out_t hwif_out;

// AXI4-Lite -> the block's passthrough interface, registered both ways (a misaligned address gets SLVERR there)
wire        cpu_req, cpu_req_is_wr, cpu_stall_wr, cpu_stall_rd, cpu_rd_ack, cpu_rd_err, cpu_wr_ack, cpu_wr_err;
wire [6:0]  cpu_addr;
wire [31:0] cpu_wr_data, cpu_wr_biten, cpu_rd_data;

qcsr_axil_bridge #(.AW(7)) axil_inst (
    .clk(ap_clk), .rst(rst),
    .s_awvalid(s_axi_control_AWVALID), .s_awready(s_axi_control_AWREADY), .s_awaddr(s_axi_control_AWADDR),
    .s_wvalid(s_axi_control_WVALID), .s_wready(s_axi_control_WREADY), .s_wdata(s_axi_control_WDATA),
    .s_wstrb(s_axi_control_WSTRB), .s_bvalid(s_axi_control_BVALID), .s_bready(s_axi_control_BREADY),
    .s_bresp(s_axi_control_BRESP), .s_arvalid(s_axi_control_ARVALID), .s_arready(s_axi_control_ARREADY),
    .s_araddr(s_axi_control_ARADDR), .s_rvalid(s_axi_control_RVALID), .s_rready(s_axi_control_RREADY),
    .s_rdata(s_axi_control_RDATA), .s_rresp(s_axi_control_RRESP),
    .m_req(cpu_req), .m_req_is_wr(cpu_req_is_wr), .m_addr(cpu_addr), .m_wr_data(cpu_wr_data),
    .m_wr_biten(cpu_wr_biten), .m_req_stall_wr(cpu_stall_wr), .m_req_stall_rd(cpu_stall_rd),
    .m_rd_ack(cpu_rd_ack), .m_rd_err(cpu_rd_err), .m_rd_data(cpu_rd_data), .m_wr_ack(cpu_wr_ack),
    .m_wr_err(cpu_wr_err)
);

qcsr_regs regs_inst (
    .clk(ap_clk), .rst(rst),
    .s_cpuif_req(cpu_req), .s_cpuif_req_is_wr(cpu_req_is_wr), .s_cpuif_addr(cpu_addr),
    .s_cpuif_wr_data(cpu_wr_data), .s_cpuif_wr_biten(cpu_wr_biten), .s_cpuif_req_stall_wr(cpu_stall_wr),
    .s_cpuif_req_stall_rd(cpu_stall_rd), .s_cpuif_rd_ack(cpu_rd_ack), .s_cpuif_rd_err(cpu_rd_err),
    .s_cpuif_rd_data(cpu_rd_data), .s_cpuif_wr_ack(cpu_wr_ack), .s_cpuif_wr_err(cpu_wr_err),
    .hwif_in(hwif_in), .hwif_out(hwif_out)
);

// ---------------------------------------------------------------- configuration: DMA stream or FIFO
// CFG_DATA / CFG_LAST hold the word written; their swmod pulse, registered, pushes it the next cycle
// (before the write response reaches the master: the bridge answers two cycles after the block takes it)
logic       push_data_q, push_last_q;
always_ff @(posedge ap_clk) begin
    push_data_q <= !rst && hwif_out.CFG_DATA.word.swmod;
    push_last_q <= !rst && hwif_out.CFG_LAST.word.swmod;
end
wire        fifo_push = push_data_q || push_last_q;
wire [32:0] fifo_word = push_last_q ? {1'b1, hwif_out.CFG_LAST.word.value} : {1'b0, hwif_out.CFG_DATA.word.value};
wire [32:0] fifo_tdata;
wire        fifo_tvalid, fifo_tready, cfg_overrun;
wire [FAW:0] fifo_fill, fifo_vacancy;

qcsr_cfg_fifo #(.DEPTH(CFG_DEPTH), .W(33)) fifo_inst (
    .clk(ap_clk), .rst(rst),
    .push(fifo_push), .push_data(fifo_word), .overrun(cfg_overrun),
    .m_tdata(fifo_tdata), .m_tvalid(fifo_tvalid), .m_tready(fifo_tready),
    .fill(fifo_fill), .vacancy(fifo_vacancy)
);

// One packet at a time into the parser: a source owns the port from its first word to its TLAST (the
// DMA stream first when both start together), so packets from the two never interleave. A register slice
// follows the mux (the loader's input stage classifies the word it takes: logic depth, docs/timing.md).
logic own_dma = 1'b0, own_fifo = 1'b0;
wire  pick_dma = !own_fifo && (own_dma || s_axis_cfg_TVALID);
wire  pick_fifo = !pick_dma && fifo_tvalid;
wire  mux_tready;
wire  mux_tvalid = pick_dma ? s_axis_cfg_TVALID : pick_fifo;
wire [32:0] mux_tdata = pick_dma ? {s_axis_cfg_TLAST[0], s_axis_cfg_TDATA} : fifo_tdata;
assign s_axis_cfg_TREADY = pick_dma && mux_tready;
assign fifo_tready = pick_fifo && mux_tready;

always_ff @(posedge ap_clk) begin
    if (rst) begin
        own_dma <= 1'b0;
        own_fifo <= 1'b0;
    end else if (mux_tvalid && mux_tready) begin
        own_dma <= pick_dma && !mux_tdata[32];
        own_fifo <= pick_fifo && !mux_tdata[32];
    end
end

wire        core_cfg_tready, core_cfg_tvalid;
wire [32:0] core_cfg_word;
wire [31:0] core_cfg_tdata = core_cfg_word[31:0];
wire        core_cfg_tlast = core_cfg_word[32];

qcsr_axis_slice #(.W(33)) cfg_slice_inst (
    .clk(ap_clk), .rst(rst),
    .s_tdata(mux_tdata), .s_tvalid(mux_tvalid), .s_tready(mux_tready),
    .m_tdata(core_cfg_word), .m_tvalid(core_cfg_tvalid), .m_tready(core_cfg_tready)
);

// ---------------------------------------------------------------- the core
wire        admit = hwif_out.CTRL.ap_start.value || hwif_out.CTRL.auto_restart.value;
wire        ev_sof, ev_done, ev_abandon, busy;
wire        err_nosof, err_early, err_late, err_event;
wire        cfg_accept, cfg_reject, cfg_switch;
wire [XW-1:0] width;
wire [YW-1:0] height;
wire [31:0] status;

qcsr_core #(
    .F(F), .C(C), .N(N), .KH(KH), .KW(KW), .G(G), .MAX_W(MAX_W), .MAX_H(MAX_H), .WB(WB), .AB(AB), .FOLD(FOLD)
) core_inst (
    .clk(ap_clk), .rst(rst), .admit(admit),
    .s_axis_video_tdata(s_axis_video_TDATA), .s_axis_video_tvalid(s_axis_video_TVALID),
    .s_axis_video_tready(s_axis_video_TREADY), .s_axis_video_tuser(s_axis_video_TUSER[0]),
    .s_axis_video_tlast(s_axis_video_TLAST[0]),
    .m_axis_video_tdata(m_axis_video_TDATA), .m_axis_video_tvalid(m_axis_video_TVALID),
    .m_axis_video_tready(m_axis_video_TREADY), .m_axis_video_tuser(m_axis_video_TUSER[0]),
    .m_axis_video_tlast(m_axis_video_TLAST[0]),
    .s_axis_cfg_tdata(core_cfg_tdata), .s_axis_cfg_tvalid(core_cfg_tvalid), .s_axis_cfg_tready(core_cfg_tready),
    .s_axis_cfg_tlast(core_cfg_tlast),
    .status(status), .busy(busy), .ev_sof(ev_sof), .ev_done(ev_done), .ev_abandon(ev_abandon),
    .err_nosof(err_nosof), .err_early(err_early), .err_late(err_late), .err_event(err_event),
    .cfg_accept(cfg_accept), .cfg_reject(cfg_reject), .cfg_switch(cfg_switch),
    .act_width(width), .act_height(height)
);

assign m_axis_video_TKEEP = 12'hfff;
assign m_axis_video_TSTRB = 12'hfff;

// ---------------------------------------------------------------- register inputs
wire irq_any = hwif_out.GIE.enable.value && |{
    hwif_out.ISR.done.value && hwif_out.IER.done.value,
    hwif_out.ISR.ready.value && hwif_out.IER.ready.value,
    hwif_out.ISR.stream_error.value && hwif_out.IER.stream_error.value,
    hwif_out.ISR.cfg_rejected.value && hwif_out.IER.cfg_rejected.value,
    hwif_out.ISR.cfg_switched.value && hwif_out.IER.cfg_switched.value,
    hwif_out.ISR.cfg_overrun.value && hwif_out.IER.cfg_overrun.value};

always_ff @(posedge ap_clk) begin
    if (rst) interrupt <= 1'b0;
    else interrupt <= irq_any;
end

wire frame_end = ev_done || ev_abandon;

always_comb begin
    hwif_in = '0;
    hwif_in.CTRL.ap_start.hwclr = ev_sof;
    hwif_in.CTRL.ap_done.hwset = frame_end;
    hwif_in.CTRL.ap_idle.next = !busy;
    hwif_in.CTRL.ap_ready.hwset = ev_sof;
    hwif_in.CTRL.interrupt.next = interrupt;
    hwif_in.ISR.done.hwset = frame_end;
    hwif_in.ISR.ready.hwset = ev_sof;
    hwif_in.ISR.stream_error.hwset = err_event;
    hwif_in.ISR.cfg_rejected.hwset = cfg_reject;
    hwif_in.ISR.cfg_switched.hwset = cfg_switch;
    hwif_in.ISR.cfg_overrun.hwset = cfg_overrun;
    hwif_in.BUILD0.fold.next = 8'(FOLD);
    hwif_in.BUILD0.c.next = 8'(C);
    hwif_in.BUILD0.n.next = 8'(N);
    hwif_in.BUILD0.g.next = 8'(G);
    hwif_in.BUILD1.f.next = 8'(F);
    hwif_in.BUILD1.kh.next = 8'(KH);
    hwif_in.BUILD1.kw.next = 8'(KW);
    hwif_in.BUILD1.wb.next = 4'(WB);
    hwif_in.BUILD1.ab_m8.next = 4'(AB - 8);
    hwif_in.MAX_SIZE.width.next = 16'(MAX_W);
    hwif_in.MAX_SIZE.height.next = 16'(MAX_H);
    hwif_in.STATUS.word.next = status;
    hwif_in.ERRORS.nosof.hwset = err_nosof;
    hwif_in.ERRORS.early_eol.hwset = err_early;
    hwif_in.ERRORS.late_eol.hwset = err_late;
    hwif_in.ERRORS.cfg_rejected.hwset = cfg_reject;
    hwif_in.ERRORS.cfg_overrun.hwset = cfg_overrun;
    hwif_in.ACTIVE_SIZE.width.next = 16'(width);
    hwif_in.ACTIVE_SIZE.height.next = 16'(height);
    hwif_in.WSEQ.count.incr = cfg_switch;
    hwif_in.FRAMES_DONE.count.incr = ev_done;
    hwif_in.FRAMES_ABANDONED.count.incr = ev_abandon;
    hwif_in.PKTS_ACCEPTED.count.incr = cfg_accept;
    hwif_in.PKTS_REJECTED.count.incr = cfg_reject;
    hwif_in.FRAMES_DONE.count.hwclr = hwif_out.CLEAR.counters.value;
    hwif_in.FRAMES_ABANDONED.count.hwclr = hwif_out.CLEAR.counters.value;
    hwif_in.PKTS_ACCEPTED.count.hwclr = hwif_out.CLEAR.counters.value;
    hwif_in.PKTS_REJECTED.count.hwclr = hwif_out.CLEAR.counters.value;
    hwif_in.CFG_FIFO.vacancy.next = 16'(fifo_vacancy);
    hwif_in.CFG_FIFO.fill.next = 16'(fifo_fill);
end

// unused: TKEEP/TSTRB (ignored by the contract), AXI PROT
wire unused = ^{s_axis_video_TKEEP, s_axis_video_TSTRB, s_axis_cfg_TKEEP, s_axis_cfg_TSTRB,
                s_axi_control_AWPROT, s_axi_control_ARPROT};

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
