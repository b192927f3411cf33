// SPDX-License-Identifier: MIT
/*
 * qcsr_framer: input AXI4-Stream video framing, error handling and the slot source.
 *
 * The whole datapath advances on one clock enable `ce`; every enabled cycle is one
 * slot: an input pixel from the 2-entry input FIFO, or, after the last pixel of a
 * frame, a flush slot (zero data) that pushes the last lines through the line
 * buffers (each 3x3 stage lags its input by width + 1 slots).  ce drops when the
 * FIFO is empty during a frame or when the output reorder buffer asks for a stall.
 * Flush slots stop as soon as the writer has stored the last LR row; the next frame
 * is accepted once the reader has issued the last beat (frames do not overlap, so
 * the configuration can change at every start of frame).
 *
 * Framing (docs/ARCHITECTURE.md section 2, "Malformed input and status"):
 *   - waiting for SOF: a beat without TUSER, or any beat before the first valid
 *     configuration, is dropped and flags `err_nosof` (one event per run of drops);
 *   - TLAST before column W-1: `err_early`; no TLAST on column W-1, or TUSER in the
 *     middle of a frame: `err_late`.  The frame is abandoned (pipeline cleared, input
 *     FIFO emptied) and beats are dropped silently until the next TUSER beat; a TUSER
 *     beat that broke a frame starts the new frame itself.
 * A pending configuration is committed only between frames, in a cycle where no
 * input beat is accepted.  clr (one registered cycle, ce low) clears every stage's
 * control state at the start of each frame, on abandon and after reset.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module qcsr_framer #(
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire           clk,
    input  wire           rst,

    input  wire [23:0]    s_axis_tdata,
    input  wire           s_axis_tvalid,
    output wire           s_axis_tready,
    input  wire           s_axis_tuser,
    input  wire           s_axis_tlast,

    input  wire           cfg_active,     // a configuration is loaded
    input  wire           cfg_pending,    // a new one waits in the shadow registers
    output wire           cfg_commit,     // make it active (pipeline idle)
    input  wire [XW-1:0]  width,
    input  wire [YW-1:0]  height,

    input  wire           stall,
    input  wire           wr_done,
    input  wire           rd_done,

    output wire           ce,
    output logic          clr,
    output wire [23:0]    slot_data,

    output wire           busy,
    output logic          err_nosof,   // one-cycle pulses
    output logic          err_early,
    output logic          err_late,
    output logic          err_event
);

localparam [2:0]
    S_WAIT    = 3'd0,   // waiting for SOF (drops are flagged)
    S_RESYNC  = 3'd1,   // waiting for SOF after an abandoned frame (drops are silent)
    S_FRAME   = 3'd2,
    S_FLUSH   = 3'd3,
    S_RESTART = 3'd4;   // a TUSER beat broke the frame: it starts the next one

logic [2:0] state = S_WAIT;
logic [XW-1:0] col = '0;
logic [YW-1:0] row = '0;
logic dropping = 1'b0;

// held TUSER beat for S_RESTART
logic [23:0] hold_data = '0;
logic        hold_last = 1'b0;

// ---------------------------------------------------------------- input FIFO (2 entries)
logic [23:0] fifo_d0 = '0, fifo_d1 = '0;
logic [1:0]  fifo_cnt = '0;
logic        fifo_push;
logic [23:0] fifo_push_data;
logic        fifo_flush;

wire waiting = (state == S_WAIT) || (state == S_RESYNC);
assign cfg_commit = waiting && cfg_pending && !clr;

assign s_axis_tready = !rst && ((waiting && !cfg_pending) || (state == S_FRAME && fifo_cnt != 2'd2));
wire accept = s_axis_tvalid && s_axis_tready;

assign ce = !clr && !stall && (fifo_cnt != 0 || (state == S_FLUSH && !wr_done));
wire fifo_pop = ce && fifo_cnt != 0;
assign slot_data = (fifo_cnt != 0) ? fifo_d0 : 24'd0;

always_ff @(posedge clk) begin
    if (rst || fifo_flush) begin
        fifo_cnt <= '0;
    end else begin
        case ({fifo_push, fifo_pop})
            2'b10: begin
                if (fifo_cnt == 0) fifo_d0 <= fifo_push_data;
                else fifo_d1 <= fifo_push_data;
                fifo_cnt <= fifo_cnt + 1'b1;
            end
            2'b01: begin
                fifo_d0 <= fifo_d1;
                fifo_cnt <= fifo_cnt - 1'b1;
            end
            2'b11: begin
                if (fifo_cnt == 1) fifo_d0 <= fifo_push_data;
                else begin
                    fifo_d0 <= fifo_d1;
                    fifo_d1 <= fifo_push_data;
                end
            end
            default: ;
        endcase
    end
end

// ---------------------------------------------------------------- framing FSM
logic [2:0]    state_n;
logic [XW-1:0] col_n;
logic [YW-1:0] row_n;
logic          clr_n, dropping_n, nosof_n, early_n, late_n, hold_n;

// a frame starts with an accepted TUSER beat, or with the beat that broke the last one
wire        start = (waiting && accept && s_axis_tuser && cfg_active) || (state == S_RESTART);
wire [23:0] start_data = (state == S_RESTART) ? hold_data : s_axis_tdata;
wire        start_last = (state == S_RESTART) ? hold_last : s_axis_tlast;

always_comb begin
    state_n = state;
    col_n = col;
    row_n = row;
    clr_n = 1'b0;
    dropping_n = dropping;
    nosof_n = 1'b0;
    early_n = 1'b0;
    late_n = 1'b0;
    hold_n = 1'b0;
    fifo_push = 1'b0;
    fifo_push_data = s_axis_tdata;
    fifo_flush = 1'b0;

    case (state)
        S_WAIT, S_RESYNC, S_RESTART: begin
            if (start) begin
                dropping_n = 1'b0;
                clr_n = 1'b1;
                if (start_last) begin              // width >= 2: TLAST on pixel 0 is early
                    early_n = 1'b1;
                    state_n = S_RESYNC;
                end else begin
                    fifo_push = 1'b1;
                    fifo_push_data = start_data;
                    col_n = XW'(1);
                    row_n = '0;
                    state_n = S_FRAME;
                end
            end else if (accept && state == S_WAIT) begin
                nosof_n = 1'b1;
                dropping_n = 1'b1;
            end
        end
        S_FRAME: begin
            if (accept) begin
                if (s_axis_tuser) begin
                    // SOF inside a frame: abandon, the beat starts the next frame
                    late_n = 1'b1;
                    hold_n = 1'b1;
                    clr_n = 1'b1;
                    fifo_flush = 1'b1;
                    state_n = S_RESTART;
                end else if (s_axis_tlast && col + 1'b1 != width) begin
                    early_n = 1'b1;
                    clr_n = 1'b1;
                    fifo_flush = 1'b1;
                    state_n = S_RESYNC;
                end else if (!s_axis_tlast && col + 1'b1 == width) begin
                    late_n = 1'b1;
                    clr_n = 1'b1;
                    fifo_flush = 1'b1;
                    state_n = S_RESYNC;
                end else begin
                    fifo_push = 1'b1;
                    if (col + 1'b1 == width) begin
                        col_n = '0;
                        row_n = row + 1'b1;
                        if (row + 1'b1 == height) state_n = S_FLUSH;
                    end else begin
                        col_n = col + 1'b1;
                    end
                end
            end
        end
        S_FLUSH: begin
            if (rd_done) state_n = S_WAIT;
        end
        default: state_n = S_WAIT;
    endcase
end

always_ff @(posedge clk) begin
    if (rst) begin
        state <= S_WAIT;
        col <= '0;
        row <= '0;
        clr <= 1'b1;
        dropping <= 1'b0;
        err_nosof <= 1'b0;
        err_early <= 1'b0;
        err_late <= 1'b0;
        err_event <= 1'b0;
    end else begin
        state <= state_n;
        col <= col_n;
        row <= row_n;
        clr <= clr_n;
        dropping <= dropping_n;
        err_nosof <= nosof_n;
        err_early <= early_n;
        err_late <= late_n;
        err_event <= early_n || late_n || (nosof_n && !dropping);
        if (hold_n) begin
            hold_data <= s_axis_tdata;
            hold_last <= s_axis_tlast;
        end
    end
end

assign busy = (state == S_FRAME) || (state == S_FLUSH) || (state == S_RESTART);

endmodule

`resetall
