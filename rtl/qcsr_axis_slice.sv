// SPDX-License-Identifier: MIT
/*
 * qcsr_axis_slice: an AXI4-Stream register slice with a skid register (full throughput, every output and
 * s_tready a flip-flop), the form of verilog-axis' axis_register (REG_TYPE = 2). qcsr_ip puts one between
 * the packet-source mux and the loader, whose input stage classifies the word it takes.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_axis_slice #(
    parameter integer W = 33
) (
    input  wire          clk,
    input  wire          rst,

    input  wire [W-1:0]  s_tdata,
    input  wire          s_tvalid,
    output logic         s_tready,

    output logic [W-1:0] m_tdata,
    output logic         m_tvalid,
    input  wire          m_tready
);

logic         skid_valid;
logic [W-1:0] skid_data;

always_ff @(posedge clk) begin
    if (rst) begin
        s_tready <= 1'b0;
        m_tvalid <= 1'b0;
        skid_valid <= 1'b0;
    end else begin
        // ready next cycle: the output moves on, or the skid is empty and a beat can still be held
        s_tready <= m_tready || (!skid_valid && (!m_tvalid || !s_tvalid));
        if (s_tready) begin
            if (m_tready || !m_tvalid) m_tvalid <= s_tvalid;
            else skid_valid <= s_tvalid;
        end else if (m_tready) begin
            m_tvalid <= skid_valid;
            skid_valid <= 1'b0;
        end
    end
end

always_ff @(posedge clk) begin
    if (s_tready) begin
        if (m_tready || !m_tvalid) m_tdata <= s_tdata;
        else skid_data <= s_tdata;
    end else if (m_tready) begin
        m_tdata <= skid_data;
    end
end

endmodule

`resetall
