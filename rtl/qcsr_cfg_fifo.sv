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

    output logic [AW:0]  fill,              // words held (RAM and output register), registered
    output logic [AW:0]  vacancy            // pushes that will be taken, registered: a push is counted three
                                            // cycles after its write request, before the bridge (registered
                                            // both ways) can answer a following read of CFG_FIFO
);

(* ram_style = "block" *)
logic [W-1:0] mem [0:DEPTH-1];
logic [AW-1:0] wp, rp;
logic [AW:0]   count;                       // words in the RAM (not the output register)
// the push registered first (it comes from the register block's decode): the FIFO's logic starts at
// flip-flops; `count` and `vacancy` include it from the cycle after the write (before its response)
logic          push_q;
logic [W-1:0]  push_data_q;
logic          full_q;                      // count == DEPTH, as a register
logic          ne_q;                        // count != 0, as a register

wire do_push = push_q && !full_q;
wire load = ne_q && (!m_tvalid || m_tready);
// count change this cycle (-1 .. +1) as a sign-extended 2-bit value: one adder
wire [1:0] delta = {load && !do_push, load ^ do_push};

always_ff @(posedge clk) begin
    if (do_push) mem[wp] <= push_data_q;
    if (load) m_tdata <= mem[rp];
    push_data_q <= push_data;
end

always_ff @(posedge clk) begin
    if (rst) begin
        wp <= '0;
        rp <= '0;
        count <= '0;
        m_tvalid <= 1'b0;
        overrun <= 1'b0;
        push_q <= 1'b0;
        full_q <= 1'b0;
        ne_q <= 1'b0;
    end else begin
        push_q <= push;
        if (do_push) wp <= wp + 1'b1;
        if (load) rp <= rp + 1'b1;
        count <= count + {{(AW-1){delta[1]}}, delta};
        if (load) m_tvalid <= 1'b1;
        else if (m_tready) m_tvalid <= 1'b0;
        overrun <= push_q && full_q;
        // the count after this cycle's change is DEPTH: constant compares, no adder in front
        full_q <= (full_q && delta != 2'b11) || (count == (AW+1)'(DEPTH - 1) && delta == 2'b01);
        ne_q <= (ne_q && !(count == (AW+1)'(1) && delta == 2'b11)) || delta == 2'b01;
    end
end

always_ff @(posedge clk) begin
    fill <= count + (AW+1)'(m_tvalid);
    vacancy <= (AW+1)'(DEPTH) - count;
end

endmodule

`resetall
