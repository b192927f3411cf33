// SPDX-License-Identifier: MIT
/*
 * qcsr_framer: input AXI4-Stream video framing, error handling, back-pressure and the
 * slot source of the free-running datapath (docs/ARCHITECTURE.md section 4).
 *
 * Accept side: beats are framed as they are accepted (errors below) and the pixels of a
 * frame go into an 8-entry input FIFO.  s_axis_tready is a register, computed from the
 * next state and the FIFO fill, so it never depends combinationally on anything.
 *
 * Issue side: one slot (a pixel from the FIFO or, after the frame's last pixel, a flush
 * slot with zero data) at most every FOLD cycles: slot_valid pulses for one cycle and
 * slot_data holds until the next slot.  A frame has exactly height*width + lag slots:
 * the flush pushes the last positions through the line buffers (lag = the core's total
 * slot lag).  Slot k >= lag completes output position k - lag; it is issued only while
 * the output reorder buffer has room for that position: `credit` starts at 2*width (two
 * LR rows of the ping-pong buffer), each such slot takes one, and `freed` gives them
 * back as odd HR row beats are read.  So nothing downstream ever stalls: back-pressure
 * on m_axis_video fills the reorder buffer, the credit runs out, slots stop, the input
 * FIFO fills and s_axis_tready drops.
 *
 * Framing (docs/ARCHITECTURE.md section 2, "Malformed input and status"):
 *   - waiting for SOF: a beat without TUSER, or any beat before the first valid
 *     configuration, is dropped and flags `err_nosof` (one event per run of drops);
 *   - TLAST before column W-1: `err_early`; no TLAST on column W-1, or TUSER in the
 *     middle of a frame: `err_late`.  The frame is abandoned and beats are dropped
 *     silently until the next TUSER beat; a TUSER beat that broke a frame starts the new
 *     frame itself.
 * After an abandon and after reset the core first drains: DRAIN cycles without slots
 * and with s_axis_tready low, so that every slot still in the (free-running, unreset)
 * pipelines has left before `clr` clears the stages' state for the next frame.  Frames do
 * not overlap: the next frame is accepted once the last beat of this one was read out of
 * the reorder RAM (rd_done).  A pending configuration is committed only between frames,
 * in a cycle in which no beat can be accepted; the loader's serial weight load (`cfg_busy`)
 * then keeps s_axis_tready low.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_framer #(
    parameter integer FOLD = 1,
    parameter integer DRAIN = 512,
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1,
    parameter integer LW = 24              // width of lag and credit counters
) (
    input  wire           clk,
    input  wire           rst,

    input  wire [23:0]    s_axis_tdata,
    input  wire           s_axis_tvalid,
    output logic          s_axis_tready,
    input  wire           s_axis_tuser,
    input  wire           s_axis_tlast,

    input  wire           cfg_active,     // a configuration is loaded
    input  wire           cfg_pending,    // a new one waits in the shadow storage
    input  wire           cfg_judging,    // a packet is complete, the loader's verdict not out yet
    input  wire           cfg_busy,       // the loader is copying it into the active set
    output logic          cfg_commit,     // start that copy (pulse, registered)
    input  wire [XW-1:0]  width,
    input  wire [YW-1:0]  height,
    input  wire [LW-1:0]  lag,            // total slot lag of the datapath for this width

    input  wire [1:0]     freed,          // reorder buffer positions freed
    input  wire           rd_done,        // all beats of the frame read

    output logic          slot_valid,
    output logic [23:0]   slot_data,
    output logic          clr,            // clears the stages' state (frame start, after a drain)
    output logic          frame_live,     // a frame is being processed (its output may leave)

    output wire           busy,
    output logic          err_nosof,      // one-cycle pulses
    output logic          err_early,
    output logic          err_late,
    output logic          err_event
);

localparam [2:0]
    S_WAIT    = 3'd0,   // waiting for SOF (drops are flagged)
    S_RESYNC  = 3'd1,   // waiting for SOF after an abandoned frame (drops are silent)
    S_FRAME   = 3'd2,
    S_FLUSH   = 3'd3,   // all pixels accepted; slots and output finishing
    S_RESTART = 3'd4,   // a TUSER beat broke the frame: it starts the next one
    S_DRAIN   = 3'd5;   // after an abandon or reset: let the pipelines empty

localparam integer FD = 8;                     // input FIFO entries (covers the slot start-up and FOLD)
localparam integer DW = $clog2(DRAIN + 1);
localparam integer GW = $clog2(FOLD + 1);

logic [2:0]    state = S_DRAIN;
logic [2:0]    after_drain = S_WAIT;           // S_WAIT, S_RESYNC or S_RESTART
logic [DW-1:0] drain_cnt = DW'(DRAIN);
logic [XW-1:0] col = '0;
logic [YW-1:0] row = '0;
logic          dropping = 1'b0;

// held TUSER beat for S_RESTART
logic [23:0] hold_data = '0;
logic        hold_last = 1'b0;

// ---------------------------------------------------------------- input FIFO
logic [23:0] fifo [0:FD-1];
logic [3:0]  fifo_cnt = '0;
logic [2:0]  fifo_rp = '0, fifo_wp = '0;
logic        fifo_push, fifo_pop, fifo_flush;
logic [23:0] fifo_push_data;

always_ff @(posedge clk) begin
    if (rst || fifo_flush) begin
        fifo_cnt <= '0;
        fifo_rp <= '0;
        fifo_wp <= '0;
    end else begin
        if (fifo_push) begin
            fifo[fifo_wp] <= fifo_push_data;
            fifo_wp <= fifo_wp + 1'b1;
        end
        if (fifo_pop) fifo_rp <= fifo_rp + 1'b1;
        fifo_cnt <= fifo_cnt + 4'(fifo_push) - 4'(fifo_pop);
    end
end

// width - 1, height - 1 (and - 2), decoded once (static between frames): line and frame ends are
// equalities
logic [XW-1:0] wm1 = '0, wm2 = '0;
logic [YW-1:0] hm1 = '0, hm2 = '0;
always_ff @(posedge clk) begin
    wm1 <= width - 1'b1;
    hm1 <= height - 1'b1;
    wm2 <= width - XW'(2);
    hm2 <= height - YW'(2);
end

// col == wm1 and row == hm1 as registers, updated with col and row (the accept side's line and
// frame ends read one flip-flop each: logic depth, docs/timing.md)
logic col_end = 1'b0, row_end = 1'b0;

// ---------------------------------------------------------------- accept side
wire waiting = (state == S_WAIT) || (state == S_RESYNC);
wire accept = s_axis_tvalid && s_axis_tready;
// a registered pulse (it drives the loader's enables across the module boundary); !cfg_commit keeps
// it one cycle long while the loader drops cfg_pending, and s_axis_tready stays low meanwhile
// (tready_n needs !cfg_pending and !cfg_commit)
always_ff @(posedge clk) begin
    if (rst) cfg_commit <= 1'b0;
    else cfg_commit <= waiting && cfg_pending && !cfg_busy && !s_axis_tready && !clr && !cfg_commit;
end

logic [2:0]    state_n, after_n;
logic [XW-1:0] col_n;
logic [YW-1:0] row_n;
logic          clr_n, start_n, dropping_n, nosof_n, early_n, late_n, hold_n, drain_n;

// a frame starts with an accepted TUSER beat, or with the beat that broke the last one
wire        start = (waiting && accept && s_axis_tuser && cfg_active) || (state == S_RESTART);
wire [23:0] start_data = (state == S_RESTART) ? hold_data : s_axis_tdata;
wire        start_last = (state == S_RESTART) ? hold_last : s_axis_tlast;
wire        slots_done;

always_comb begin
    state_n = state;
    after_n = after_drain;
    col_n = col;
    row_n = row;
    clr_n = 1'b0;
    start_n = 1'b0;
    dropping_n = dropping;
    nosof_n = 1'b0;
    early_n = 1'b0;
    late_n = 1'b0;
    hold_n = 1'b0;
    drain_n = 1'b0;
    fifo_push = 1'b0;
    fifo_push_data = s_axis_tdata;
    fifo_flush = 1'b0;

    case (state)
        S_DRAIN: begin
            if (drain_cnt == 0) begin
                clr_n = 1'b1;
                state_n = after_drain;
            end
        end
        S_WAIT, S_RESYNC, S_RESTART: begin
            if (start) begin
                dropping_n = 1'b0;
                clr_n = 1'b1;
                if (start_last) begin              // width >= 2: TLAST on pixel 0 is early
                    early_n = 1'b1;
                    state_n = S_RESYNC;
                end else begin
                    start_n = 1'b1;
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
                    drain_n = 1'b1;
                    after_n = S_RESTART;
                end else if (s_axis_tlast && !col_end) begin
                    early_n = 1'b1;
                    drain_n = 1'b1;
                    after_n = S_RESYNC;
                end else if (!s_axis_tlast && col_end) begin
                    late_n = 1'b1;
                    drain_n = 1'b1;
                    after_n = S_RESYNC;
                end else begin
                    fifo_push = 1'b1;
                    if (col_end) begin
                        col_n = '0;
                        row_n = row + 1'b1;
                        if (row_end) state_n = S_FLUSH;
                    end else begin
                        col_n = col + 1'b1;
                    end
                end
            end
        end
        S_FLUSH: begin
            if (slots_done && rd_done && !clr) state_n = S_WAIT;
        end
        default: begin
            drain_n = 1'b1;
            after_n = S_WAIT;
        end
    endcase
    if (drain_n) begin
        fifo_flush = 1'b1;
        state_n = S_DRAIN;
    end
end

// s_axis_tready for the next cycle: in a frame while the FIFO has room for one more beat whatever
// this cycle does (fifo_cnt <= FD - 2: a registered count, not the next one)
wire waiting_n = (state_n == S_WAIT) || (state_n == S_RESYNC);
wire tready_n = (state_n == S_FRAME && 32'(fifo_cnt) <= FD - 2) ||
                (waiting_n && !cfg_pending && !cfg_judging && !cfg_busy && !cfg_commit);

// the end flags follow col_n / row_n: column 1 at a frame start; column 0 of the next row after a
// line end (width >= 2, so never the last); col + 1 otherwise
always_ff @(posedge clk) begin
    if (start_n) begin
        col_end <= (wm1 == XW'(1));
        row_end <= (hm1 == '0);
    end else if (state == S_FRAME && fifo_push) begin
        col_end <= col_end ? 1'b0 : (col == wm2);
        if (col_end) row_end <= (row == hm2);
    end
end

always_ff @(posedge clk) begin
    if (rst) begin
        state <= S_DRAIN;
        after_drain <= S_WAIT;
        drain_cnt <= DW'(DRAIN);
        col <= '0;
        row <= '0;
        clr <= 1'b0;
        dropping <= 1'b0;
        err_nosof <= 1'b0;
        err_early <= 1'b0;
        err_late <= 1'b0;
        err_event <= 1'b0;
        s_axis_tready <= 1'b0;
    end else begin
        state <= state_n;
        after_drain <= after_n;
        drain_cnt <= drain_n ? DW'(DRAIN) : (drain_cnt != 0) ? drain_cnt - 1'b1 : drain_cnt;
        col <= col_n;
        row <= row_n;
        clr <= clr_n;
        dropping <= dropping_n;
        err_nosof <= nosof_n;
        err_early <= early_n;
        err_late <= late_n;
        err_event <= early_n || late_n || (nosof_n && !dropping);
        s_axis_tready <= tready_n;
        if (hold_n) begin
            hold_data <= s_axis_tdata;
            hold_last <= s_axis_tlast;
        end
    end
end

assign busy = (state == S_FRAME) || (state == S_FLUSH) || (state == S_RESTART);

// ---------------------------------------------------------------- issue side
logic          active = 1'b0;       // slots of the current frame are being issued
logic          start_q = 1'b0;      // the clr of this cycle starts a frame
logic [1:0]    hold = '0;           // cycles after clr before the first slot
logic [GW-1:0] gap = '0;            // cycles until the next slot may issue
logic          ready = 1'b0;        // hold == 0 && gap == 0, as a register (logic depth)
logic          pix_left = 1'b0;
logic [XW-1:0] i_col = '0;
logic [YW-1:0] i_row = '0;
// The three slot counters are kept minus one, one bit wider: a count is non-zero exactly while
// the top (sign) bit of its register is clear, so the issue decision reads one flip-flop per
// counter instead of a 24-input zero test (logic depth, docs/timing.md).
logic [LW:0]   flush_m1 = '1, pre_m1 = '1, credit_m1 = '1;
wire           flush_nz = !flush_m1[LW];
wire           pre_nz = !pre_m1[LW];
wire           credit_nz = !credit_m1[LW];

wire can_issue = active && ready && (pre_nz || credit_nz);
wire issue_pix = can_issue && pix_left && fifo_cnt != 0;
wire issue_flush = can_issue && !pix_left && flush_nz;
wire issue = issue_pix || issue_flush;
assign fifo_pop = issue_pix;
assign slots_done = !active;

always_ff @(posedge clk) begin
    start_q <= start_n;
end

always_ff @(posedge clk) begin
    if (rst) begin
        active <= 1'b0;
        frame_live <= 1'b0;
        slot_valid <= 1'b0;
        credit_m1 <= '1;          // credit 0
    end else if (clr) begin
        active <= start_q;
        frame_live <= start_q;
        hold <= 2'd2;
        gap <= '0;
        ready <= 1'b0;
        pix_left <= 1'b1;
        i_col <= '0;
        i_row <= '0;
        flush_m1 <= {1'b0, lag} - 1'b1;
        pre_m1 <= {1'b0, lag} - 1'b1;
        credit_m1 <= (LW+1)'({width, 1'b0}) - 1'b1;
        slot_valid <= 1'b0;
    end else begin
        if (drain_n) begin          // abandon: stop issuing at once
            active <= 1'b0;
            frame_live <= 1'b0;
        end else if (active && !pix_left && !flush_nz) begin
            active <= 1'b0;
        end
        if (hold != 0) hold <= hold - 1'b1;
        gap <= issue ? GW'(FOLD - 1) : (gap != 0) ? gap - 1'b1 : gap;
        ready <= (hold <= 2'd1) && (issue ? (FOLD == 1) : (gap == '0 || gap == GW'(1)));
        slot_valid <= issue && !drain_n;
        if (issue) begin
            slot_data <= issue_pix ? fifo[fifo_rp] : 24'd0;
            if (pre_nz) pre_m1 <= pre_m1 - 1'b1;
        end
        credit_m1 <= credit_m1 - (LW+1)'(issue && !pre_nz) + (LW+1)'(freed);
        if (issue_pix) begin
            if (i_col == wm1) begin
                i_col <= '0;
                i_row <= i_row + 1'b1;
                if (i_row == hm1) pix_left <= 1'b0;
            end else begin
                i_col <= i_col + 1'b1;
            end
        end
        if (issue_flush) flush_m1 <= flush_m1 - 1'b1;
    end
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
