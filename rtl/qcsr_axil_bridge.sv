// SPDX-License-Identifier: MIT
/*
 * qcsr_axil_bridge: AXI4-Lite slave -> the register block's passthrough CPU interface (PeakRDL-regblock
 * `--cpuif passthrough`), every signal on both sides registered.
 *
 * The control port runs on ap_clk (297 MHz at FOLD = 2) beside the datapath, so the request the block decodes
 * comes from flip-flops (word address only: the byte-offset bits never reach the block's decode) and what
 * the block answers (acknowledge, error, read data) is registered here before it is used: the address
 * decode and the field logic are the only logic between registers on the write side, and the block's own
 * retimed readback (--rt-read-fanin) on the read side (docs/timing.md). One transaction at a time (a
 * processor's control accesses are seldom back to back), writes first when a write and a read are both
 * waiting. AW and W are taken independently, one deep each; AWREADY / WREADY / ARREADY are registers.
 * A misaligned address (AxADDR[1:0] != 0) is answered with SLVERR here and never reaches the block.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_axil_bridge #(
    parameter integer AW = 7
) (
    input  wire          clk,
    input  wire          rst,

    input  wire          s_awvalid,
    output logic         s_awready,
    input  wire [AW-1:0] s_awaddr,
    input  wire          s_wvalid,
    output logic         s_wready,
    input  wire [31:0]   s_wdata,
    input  wire [3:0]    s_wstrb,
    output logic         s_bvalid,
    input  wire          s_bready,
    output logic [1:0]   s_bresp,
    input  wire          s_arvalid,
    output logic         s_arready,
    input  wire [AW-1:0] s_araddr,
    output logic         s_rvalid,
    input  wire          s_rready,
    output logic [31:0]  s_rdata,
    output logic [1:0]   s_rresp,

    output logic         m_req,            // passthrough CPU interface (one-cycle request)
    output logic         m_req_is_wr,
    output logic [AW-1:0] m_addr,
    output logic [31:0]  m_wr_data,
    output logic [31:0]  m_wr_biten,
    input  wire          m_req_stall_wr,
    input  wire          m_req_stall_rd,
    input  wire          m_rd_ack,
    input  wire          m_rd_err,
    input  wire [31:0]   m_rd_data,
    input  wire          m_wr_ack,
    input  wire          m_wr_err
);

localparam logic [1:0] OKAY = 2'b00, SLVERR = 2'b10;

// one-deep holding registers for AW, W, AR; a misaligned address is flagged as it is taken
logic          aw_full, w_full, ar_full, aw_bad, ar_bad;
logic [AW-1:2] aw_addr, ar_addr;          // word address: the byte offset only sets *_bad
logic [31:0]   w_data;
logic [3:0]    w_strb;
// idle: no request in the block and no response held; wait_*: a request was issued, its acknowledge awaited
logic          idle, wait_wr, wait_rd;
// what the block answers, registered before use (its write acknowledge and error are decoded combinationally
// from the request)
logic          wr_ack_q, wr_err_q, rd_ack_q, rd_err_q;
logic [31:0]   rd_data_q;

wire go_wr = idle && aw_full && w_full && !m_req_stall_wr;
wire go_rd = idle && ar_full && !(aw_full && w_full) && !m_req_stall_rd;

always_ff @(posedge clk) begin
    wr_ack_q <= m_wr_ack;
    wr_err_q <= m_wr_err;
    rd_ack_q <= m_rd_ack;
    rd_err_q <= m_rd_err;
    rd_data_q <= m_rd_data;
    if (rst) begin
        aw_full <= 1'b0;
        w_full <= 1'b0;
        ar_full <= 1'b0;
        s_awready <= 1'b0;
        s_wready <= 1'b0;
        s_arready <= 1'b0;
        idle <= 1'b1;
        wait_wr <= 1'b0;
        wait_rd <= 1'b0;
        m_req <= 1'b0;
        s_bvalid <= 1'b0;
        s_rvalid <= 1'b0;
        wr_ack_q <= 1'b0;
        rd_ack_q <= 1'b0;
    end else begin
        // take AW / W / AR into their holding registers (ready is "holding register empty", registered)
        if (s_awvalid && s_awready) begin
            aw_full <= 1'b1;
            aw_addr <= s_awaddr[AW-1:2];
            aw_bad <= s_awaddr[1:0] != 2'b00;
        end
        if (s_wvalid && s_wready) begin
            w_full <= 1'b1;
            w_data <= s_wdata;
            w_strb <= s_wstrb;
        end
        if (s_arvalid && s_arready) begin
            ar_full <= 1'b1;
            ar_addr <= s_araddr[AW-1:2];
            ar_bad <= s_araddr[1:0] != 2'b00;
        end
        s_awready <= !aw_full && !(s_awvalid && s_awready);
        s_wready <= !w_full && !(s_wvalid && s_wready);
        s_arready <= !ar_full && !(s_arvalid && s_arready);

        // issue: a misaligned address is answered here; any other goes to the block as a one-cycle request
        // (word address only: the block never sees byte-offset bits, so its decode has two inputs fewer)
        m_req <= 1'b0;
        if (go_wr) begin
            aw_full <= 1'b0;
            w_full <= 1'b0;
            idle <= 1'b0;
            if (aw_bad) begin
                s_bvalid <= 1'b1;
                s_bresp <= SLVERR;
            end else begin
                m_req <= 1'b1;
                wait_wr <= 1'b1;
            end
        end else if (go_rd) begin
            ar_full <= 1'b0;
            idle <= 1'b0;
            if (ar_bad) begin
                s_rvalid <= 1'b1;
                s_rresp <= SLVERR;
                s_rdata <= '0;
            end else begin
                m_req <= 1'b1;
                wait_rd <= 1'b1;
            end
        end
        if (idle) begin
            m_req_is_wr <= aw_full && w_full;
            m_addr <= {(aw_full && w_full) ? aw_addr : ar_addr, 2'b00};
            m_wr_data <= w_data;
            m_wr_biten <= {{8{w_strb[3]}}, {8{w_strb[2]}}, {8{w_strb[1]}}, {8{w_strb[0]}}};
        end

        // the block's acknowledge (registered here the cycle after it) -> the registered response
        if (wait_wr && wr_ack_q) begin
            wait_wr <= 1'b0;
            s_bvalid <= 1'b1;
            s_bresp <= wr_err_q ? SLVERR : OKAY;
        end
        if (wait_rd && rd_ack_q) begin
            wait_rd <= 1'b0;
            s_rvalid <= 1'b1;
            s_rresp <= rd_err_q ? SLVERR : OKAY;
            s_rdata <= rd_data_q;
        end
        if (s_bvalid && s_bready) begin
            s_bvalid <= 1'b0;
            idle <= 1'b1;
        end
        if (s_rvalid && s_rready) begin
            s_rvalid <= 1'b0;
            idle <= 1'b1;
        end
    end
end

endmodule

`resetall
