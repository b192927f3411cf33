// SPDX-License-Identifier: MIT
/*
 * qcsr_cfg_fifo: the configuration-packet FIFO behind the CFG_DATA / CFG_LAST registers of qcsr_ip.
 *
 * One write per push (a register write, so at most one every few cycles); a push into a full FIFO is
 * dropped and pulses `overrun` (the AXI4-Stream FIFO's TDFV/overrun model, PG080: software reads the
 * vacancy before writing, and the bus never stalls on a pending packet). The storage is a simple dual-port
 * block RAM with a registered read into an output register (first word fall-through), so the stream side
 * runs at one word per cycle.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_cfg_fifo #(
    parameter integer DEPTH = 512,           // power of two
    parameter integer W = 33,
    parameter integer AW = $clog2(DEPTH)
) (
    input  wire          clk,
    input  wire          rst,

    input  wire          push,
    input  wire [W-1:0]  push_data,
    output logic         overrun,           // one-cycle pulse: a push was dropped

    output logic [W-1:0] m_tdata,
    output logic         m_tvalid,
    input  wire          m_tready,

    output wire [AW:0]   fill,              // words held (RAM and output register)
    output wire [AW:0]   vacancy            // pushes that will be taken (current: a push is counted the
                                            // cycle after it, before its register write is answered)
);

(* ram_style = "block" *)
logic [W-1:0] mem [0:DEPTH-1];
logic [AW-1:0] wp, rp;
logic [AW:0]   count;                       // words in the RAM (not the output register)

wire full = count == (AW+1)'(DEPTH);
wire do_push = push && !full;
wire load = count != '0 && (!m_tvalid || m_tready);

always_ff @(posedge clk) begin
    if (do_push) mem[wp] <= push_data;
    if (load) m_tdata <= mem[rp];
end

always_ff @(posedge clk) begin
    if (rst) begin
        wp <= '0;
        rp <= '0;
        count <= '0;
        m_tvalid <= 1'b0;
        overrun <= 1'b0;
    end else begin
        if (do_push) wp <= wp + 1'b1;
        if (load) rp <= rp + 1'b1;
        count <= count + (AW+1)'(do_push) - (AW+1)'(load);
        if (load) m_tvalid <= 1'b1;
        else if (m_tready) m_tvalid <= 1'b0;
        overrun <= push && full;
    end
end

assign fill = count + (AW+1)'(m_tvalid);
assign vacancy = (AW+1)'(DEPTH) - count;

endmodule

`resetall
