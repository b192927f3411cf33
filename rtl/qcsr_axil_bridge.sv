// SPDX-License-Identifier: MIT
/*
 * qcsr_axil_bridge: AXI4-Lite slave -> the register block's passthrough CPU interface (PeakRDL-regblock
 * `--cpuif passthrough`), every signal on both sides registered.
 *
 * The control port runs on ap_clk (297 MHz at FOLD = 2) beside the datapath, so the request the block decodes
 * comes from flip-flops and the response goes back through flip-flops: the address decode, the field logic
 * and the readback multiplexer are the only logic between registers (docs/timing.md). One transaction at a
 * time (a processor's control accesses are seldom back to back), writes first when a write and a read are
 * both waiting. AW and W are taken independently, one deep each; AWREADY / WREADY / ARREADY are registers.
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

// one-deep holding registers for AW, W, AR
logic          aw_full, w_full, ar_full;
logic [AW-1:0] aw_addr, ar_addr;
logic [31:0]   w_data;
logic [3:0]    w_strb;
// the transaction in the block (request issued, acknowledge awaited) and the response held for the master
logic          busy, busy_wr;

wire go_wr = !busy && !s_bvalid && !s_rvalid && aw_full && w_full && !m_req_stall_wr;
wire go_rd = !busy && !s_bvalid && !s_rvalid && ar_full && !(aw_full && w_full) && !m_req_stall_rd;

always_ff @(posedge clk) begin
    if (rst) begin
        aw_full <= 1'b0;
        w_full <= 1'b0;
        ar_full <= 1'b0;
        s_awready <= 1'b0;
        s_wready <= 1'b0;
        s_arready <= 1'b0;
        busy <= 1'b0;
        busy_wr <= 1'b0;
        m_req <= 1'b0;
        s_bvalid <= 1'b0;
        s_rvalid <= 1'b0;
    end else begin
        // take AW / W / AR into their holding registers (ready is "holding register empty", registered)
        if (s_awvalid && s_awready) begin
            aw_full <= 1'b1;
            aw_addr <= s_awaddr;
        end
        if (s_wvalid && s_wready) begin
            w_full <= 1'b1;
            w_data <= s_wdata;
            w_strb <= s_wstrb;
        end
        if (s_arvalid && s_arready) begin
            ar_full <= 1'b1;
            ar_addr <= s_araddr;
        end
        s_awready <= !aw_full && !(s_awvalid && s_awready);
        s_wready <= !w_full && !(s_wvalid && s_wready);
        s_arready <= !ar_full && !(s_arvalid && s_arready);

        // issue: a misaligned address is answered here; any other goes to the block as a one-cycle request
        m_req <= 1'b0;
        if (go_wr) begin
            aw_full <= 1'b0;
            w_full <= 1'b0;
            if (aw_addr[1:0] != 2'b00) begin
                s_bvalid <= 1'b1;
                s_bresp <= SLVERR;
            end else begin
                m_req <= 1'b1;
                m_req_is_wr <= 1'b1;
                m_addr <= aw_addr;
                m_wr_data <= w_data;
                m_wr_biten <= {{8{w_strb[3]}}, {8{w_strb[2]}}, {8{w_strb[1]}}, {8{w_strb[0]}}};
                busy <= 1'b1;
                busy_wr <= 1'b1;
            end
        end else if (go_rd) begin
            ar_full <= 1'b0;
            if (ar_addr[1:0] != 2'b00) begin
                s_rvalid <= 1'b1;
                s_rresp <= SLVERR;
                s_rdata <= '0;
            end else begin
                m_req <= 1'b1;
                m_req_is_wr <= 1'b0;
                m_addr <= ar_addr;
                busy <= 1'b1;
                busy_wr <= 1'b0;
            end
        end

        // the block's acknowledge (the cycle of the request or later) -> the registered response
        if (busy && busy_wr && m_wr_ack) begin
            busy <= 1'b0;
            s_bvalid <= 1'b1;
            s_bresp <= m_wr_err ? SLVERR : OKAY;
        end
        if (busy && !busy_wr && m_rd_ack) begin
            busy <= 1'b0;
            s_rvalid <= 1'b1;
            s_rresp <= m_rd_err ? SLVERR : OKAY;
            s_rdata <= m_rd_data;
        end
        if (s_bvalid && s_bready) s_bvalid <= 1'b0;
        if (s_rvalid && s_rready) s_rvalid <= 1'b0;
    end
end

endmodule

`resetall
