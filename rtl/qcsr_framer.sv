// SPDX-License-Identifier: MIT
/*
 * qcsr_framer: input AXI4-Stream video framing, error handling, back-pressure and the
 * slot source of the free-running datapath (docs/ARCHITECTURE.md section 4).
 *
 * Three decoupled parts, each reading only registers for its decisions (logic depth,
 * docs/timing.md):
 *
 * Input skid (4 entries): s_axis_tready is a register computed from the skid's own fill
 * and this cycle's accept (fill + accept <= 3), never from what the framing logic does
 * with the beat; between frames it also drops while the loader holds a packet.
 *
 * Framing: the beat at the head of the skid (distributed RAM) is classified (SOF, line
 * and frame end, errors) and the pixels of a frame go, one cycle later, into an 8-entry
 * pixel FIFO.  Fills of both FIFOs are thermometer codes (no adder: `not empty` and
 * `full` are single flip-flops); line and frame ends are down-counters read by their
 * sign bit (no comparator).
 *
 * Issue side: one slot (a pixel from the FIFO or, after the frame's last pixel, a flush
 * slot with zero data) at most every FOLD cycles: slot_valid pulses for one cycle and
 * slot_data holds until the next slot.  A frame has exactly height*width + lag slots:
 * the flush pushes the last positions through the line buffers (lag = the core's total
 * slot lag).  Slot k >= lag completes output position k - lag; it is issued only while
 * the output reorder buffer has room for that position: the credit starts at 2*width
 * (two LR rows of the ping-pong buffer), each such slot takes one, and `freed` gives
 * them back as odd HR row beats are read (one counter, `allow`, holds the lag slots
 * and the credit together).  So nothing downstream ever stalls: back-pressure
 * on m_axis_video fills the reorder buffer, the credit runs out, slots stop, the pixel
 * FIFO and then the skid fill and s_axis_tready drops.
 *
 * Framing (docs/ARCHITECTURE.md section 2, "Malformed input and status"):
 *   - waiting for SOF: a beat without TUSER, or any beat before the first valid
 *     configuration, is dropped and flags `err_nosof` (one event per run of drops);
 *   - TLAST before column W-1 (on the SOF beat too): `err_early`; no TLAST on column
 *     W-1, or TUSER in the middle of a frame: `err_late`.  The frame is abandoned and
 *     beats are dropped silently until the next TUSER beat; a TUSER beat that broke a
 *     frame stays at the head of the skid and starts the new frame itself.
 * After an abandon and after reset the core first drains: DRAIN cycles without slots,
 * so that every slot still in the (free-running, unreset) pipelines has left before
 * `clr` clears the stages' state for the next frame; beats wait in the skid meanwhile.
 * Frames do not overlap: the next frame's SOF leaves the skid once the last beat of this
 * one was read out of the reorder RAM (rd_done).  A pending configuration is committed
 * only between frames, in a cycle in which no SOF can leave the skid (`w_en`, the
 * registered "waiting and no packet pending" flag, is low); the loader's serial weight
 * load (`cfg_busy`) then holds the next SOF in the skid.
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
    input  wire           admit,          // a frame may start (IP control: ap_start or auto_restart)

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
    output logic          err_event,
    output logic          ev_sof,         // pulses: a SOF was taken (a frame started),
    output wire           ev_done,        //   a frame finished (its last beat read out),
    output wire           ev_abandon      //   a started frame was abandoned
);

localparam integer SD = 4;                     // input skid entries
localparam integer FD = 8;                     // pixel FIFO entries (covers the slot start-up and FOLD)
localparam integer GW = $clog2(FOLD + 1);

// ---------------------------------------------------------------- input skid
// {tuser, tlast, tdata} per entry, in distributed RAM; `sk_occ` is the fill as a thermometer code
// (bit i: more than i entries), so `not empty` and `full` are single flip-flops.
localparam integer SKW = 26;
logic           waiting = 1'b0;                // (framing) waiting for SOF
logic [SKW-1:0] sk [0:SD-1];
logic [SD-1:0]  sk_occ = '0;
logic [1:0]     sk_rp = '0, sk_wp = '0;
logic           sk_pop;

wire accept = s_axis_tvalid && s_axis_tready;
wire [SKW-1:0] sk_head = sk[sk_rp];
wire        h_nz = sk_occ[0];
wire        h_user = sk_head[25];
wire        h_last = sk_head[24];
wire [23:0] h_data = sk_head[23:0];

always_ff @(posedge clk) begin
    if (accept) sk[sk_wp] <= {s_axis_tuser, s_axis_tlast, s_axis_tdata};
end

always_ff @(posedge clk) begin
    if (rst) begin
        sk_occ <= '0;
        sk_rp <= '0;
        sk_wp <= '0;
        s_axis_tready <= 1'b0;
    end else begin
        if (accept) sk_wp <= sk_wp + 1'b1;
        if (sk_pop) sk_rp <= sk_rp + 1'b1;
        if (accept && !sk_pop) sk_occ <= {sk_occ[SD-2:0], 1'b1};
        else if (sk_pop && !accept) sk_occ <= {1'b0, sk_occ[SD-1:1]};
        // room for a beat next cycle whatever the framing does now (fill + accept <= SD - 1), and,
        // between frames, no packet in the loader's hands: a configuration switch back-pressures the
        // video input (`waiting` is a cycle late, so a beat or two of the next frame may wait in the skid)
        s_axis_tready <= !sk_occ[SD-1] && !(sk_occ[SD-2] && accept) &&
                         !(waiting && (cfg_pending || cfg_judging || cfg_busy || cfg_commit));
    end
end

// ---------------------------------------------------------------- pixel FIFO
// Written one cycle after the framing decision (`push_q`, `push_data` registers), so its write
// enable and fill update start at flip-flops. `room` therefore leaves one entry for a write still
// in flight (at most FD - 1 entries are used).
logic [23:0]   fifo [0:FD-1];
logic [FD-1:0] fifo_occ = '0;
logic [2:0]    fifo_rp = '0, fifo_wp = '0;
logic          fifo_push, fifo_pop, fifo_flush;
logic          push_q = 1'b0;
logic [23:0]   push_data = '0;
wire           fifo_nz = fifo_occ[0];
wire           room = !fifo_occ[FD-2];

always_ff @(posedge clk) begin
    push_data <= h_data;
    if (rst || fifo_flush) push_q <= 1'b0;
    else push_q <= fifo_push;
end

always_ff @(posedge clk) begin
    if (push_q) fifo[fifo_wp] <= push_data;
end

always_ff @(posedge clk) begin
    if (rst || fifo_flush) begin
        fifo_occ <= '0;
        fifo_rp <= '0;
        fifo_wp <= '0;
    end else begin
        if (push_q) fifo_wp <= fifo_wp + 1'b1;
        if (fifo_pop) fifo_rp <= fifo_rp + 1'b1;
        if (push_q && !fifo_pop) fifo_occ <= {fifo_occ[FD-2:0], 1'b1};
        else if (fifo_pop && !push_q) fifo_occ <= {1'b0, fifo_occ[FD-1:1]};
    end
end

// width - 2, width - 3 and height - 2, one bit wider (two's complement), decoded once (static
// between frames): the reload values of the line and frame down-counters below
logic [XW:0] wm2 = '0, wm3 = '0;
logic [YW:0] hm2 = '0;
always_ff @(posedge clk) begin
    wm2 <= {1'b0, width} - (XW+1)'(2);
    wm3 <= {1'b0, width} - (XW+1)'(3);
    hm2 <= {1'b0, height} - (YW+1)'(2);
end

// ---------------------------------------------------------------- framing
logic silent = 1'b0;       // ... after an abandoned frame: drops are not flagged
logic st_frame = 1'b0;
logic st_flush = 1'b0;     // all pixels accepted; slots and output finishing
logic st_drain = 1'b1;     // after an abandon or reset: let the pipelines empty
logic w_en = 1'b0;         // waiting, admitted, and last cycle no packet was pending, judged, loaded or committed
logic fin_q = 1'b0;        // the flush has finished (registered)
logic f_err_q = 1'b0;      // the frame was abandoned last cycle
// the drain counter minus one, one bit wider: it has run out when the top (sign) bit is set
localparam integer DW = $clog2(DRAIN + 1) + 1;
logic [DW-1:0] drain_m1 = DW'(DRAIN - 1);
wire           drain_done = drain_m1[DW-1];

// Line and frame ends as down-counters kept minus one: `col_m1` = columns after the next beat's,
// minus one, and `row_m1` = rows after the next beat's, minus one; the next beat is the last of its
// line (of the frame) exactly while the top (sign) bit is set: no comparator in the framing logic.
logic [XW:0]   col_m1 = '0;
logic [YW:0]   row_m1 = '0;
wire           col_end = col_m1[XW];
wire           row_end = row_m1[YW];
logic          dropping = 1'b0;
logic          active;          // issue side: slots of the current frame are being issued

// a SOF may leave the skid only while w_en, and a packet is committed only while waiting and it may
// not (a registered pulse, one cycle long while the loader drops cfg_pending)
always_ff @(posedge clk) begin
    if (rst) cfg_commit <= 1'b0;
    else cfg_commit <= waiting && !w_en && cfg_pending && !cfg_busy && !clr && !cfg_commit;
end

// the head beat, classified: each term reads flip-flops only (the skid head is entry 0)
wire w_pop   = w_en && h_nz;                                    // waiting: every beat leaves
wire w_start = w_pop && h_user && cfg_active;                   // a frame starts (or is early at once)
wire w_drop  = w_pop && !(h_user && cfg_active);
wire f_v     = st_frame && h_nz;
wire f_user  = f_v && h_user;                                   // SOF inside: abandon, keep the beat
wire f_early = f_v && !h_user && h_last && !col_end && room;
wire f_late  = f_v && !h_user && !h_last && col_end && room;
wire f_good  = f_v && !h_user && (h_last == col_end) && room;
wire s_early = w_start && h_last;                              // width >= 2: TLAST on pixel 0 is early
// an error abandons the frame (or the SOF beat with TLAST): drain, then resynchronise silently
wire f_err   = f_user || f_early || f_late || s_early;
wire f_eof   = f_good && col_end && row_end;
wire s_ok    = w_start && !h_last;
wire nosof   = w_drop && !silent;
wire drained = st_drain && drain_done;
wire waiting_n = drained || fin_q || (waiting && !w_start);

// every beat in a frame leaves once the pixel FIFO has room (a bad one too: it is dropped)
assign sk_pop = h_nz && (w_en || (st_frame && !h_user && room));
assign fifo_push = s_ok || f_good;
assign fifo_flush = f_err;
assign busy = st_frame || st_flush;
// every error abandons a started frame: inside one (f_user, f_early, f_late) or its SOF beat (s_early)
assign ev_done = fin_q;
assign ev_abandon = f_err_q;

always_ff @(posedge clk) begin
    if (rst) begin
        waiting <= 1'b0;
        silent <= 1'b0;
        st_frame <= 1'b0;
        st_flush <= 1'b0;
        st_drain <= 1'b1;
        drain_m1 <= DW'(DRAIN - 1);
        w_en <= 1'b0;
        fin_q <= 1'b0;
        f_err_q <= 1'b0;
        ev_sof <= 1'b0;
        clr <= 1'b0;
        dropping <= 1'b0;
        err_nosof <= 1'b0;
        err_early <= 1'b0;
        err_late <= 1'b0;
        err_event <= 1'b0;
    end else begin
        st_drain <= f_err || (st_drain && !drain_done);
        waiting <= waiting_n;
        w_en <= waiting_n && admit && !cfg_pending && !cfg_judging && !cfg_busy && !cfg_commit;
        if (f_err) silent <= 1'b1;                   // resynchronise silently after an error
        else if (fin_q || s_ok) silent <= 1'b0;      // (a drain after reset follows silent = 0)
        st_frame <= s_ok || (st_frame && !f_err && !f_eof);
        st_flush <= f_eof || (st_flush && !fin_q);
        fin_q <= st_flush && !active && rd_done && !clr && !fin_q;
        f_err_q <= f_err;
        ev_sof <= w_start;
        drain_m1 <= f_err ? DW'(DRAIN - 1) : drain_done ? drain_m1 : drain_m1 - 1'b1;
        clr <= drained || w_start;
        if (w_start) dropping <= 1'b0;
        else if (nosof) dropping <= 1'b1;
        err_nosof <= nosof;
        err_early <= f_early || s_early;
        err_late <= f_late || f_user;
        err_event <= f_early || s_early || f_late || f_user || (nosof && !dropping);
    end
end

always_ff @(posedge clk) begin
    if (s_ok) begin                             // pixel 0 accepted: the next is column 1 of row 0
        col_m1 <= wm3;
        row_m1 <= hm2;
    end else if (f_good) begin
        col_m1 <= col_end ? wm2 : col_m1 - 1'b1;
        if (col_end) row_m1 <= row_m1 - 1'b1;
    end
end

// ---------------------------------------------------------------- issue side
logic          start_q = 1'b0;      // the clr of this cycle starts a frame
logic [1:0]    hold = '0;           // cycles after clr before the first slot
logic [GW-1:0] gap = '0;            // cycles until the next slot may issue
logic          ready = 1'b0;        // active && hold == 0 && gap == 0, as a register (logic depth)
logic          pix_left = 1'b0;
// the same down-counters for the pixel about to be issued
logic [XW:0]   i_col_m1 = '0;
logic [YW:0]   i_row_m1 = '0;
wire           i_col_end = i_col_m1[XW];
wire           i_row_end = i_row_m1[YW];
// Slot k >= lag needs a credit, slot k < lag does not: both are one allowance, lag + 2*width at
// the frame start, one per slot, plus `freed`. The flush and allowance counters are kept minus
// one, one bit wider: a count is non-zero exactly while the top (sign) bit of its register is
// clear, so the issue decision reads one flip-flop per counter instead of a 24-input zero test.
logic [LW:0]   flush_m1 = '1, allow_m1 = '1;
wire           flush_nz = !flush_m1[LW];
wire           allow_nz = !allow_m1[LW];

// one LUT each: ready, the two counter signs, pix_left and the FIFO's `not empty` flip-flop
wire issue_pix = ready && allow_nz && pix_left && fifo_nz;
wire issue_flush = ready && allow_nz && !pix_left && flush_nz;
wire issue = issue_pix || issue_flush;
// allowance change this cycle, freed - issue in -1 .. 2, as 3-bit two's complement (freed is a
// register in qcsr_out_reorder): one adder, from flip-flops and the issue decision
wire [2:0] allow_d = {issue && freed == 2'd0, issue ? freed == 2'd0 : freed[1], freed[0] ^ issue};
assign fifo_pop = issue_pix;

always_ff @(posedge clk) begin
    start_q <= s_ok;
end

// Control flip-flops with a reset. The counters below have none (clr loads them before a frame,
// and nothing reads them while `active` is low): each is written under its own enable, so the
// enable and the data are separate small cones (logic depth).
always_ff @(posedge clk) begin
    if (rst) begin
        active <= 1'b0;
        frame_live <= 1'b0;
        slot_valid <= 1'b0;
        ready <= 1'b0;
    end else if (clr) begin
        active <= start_q;
        frame_live <= start_q;
        ready <= 1'b0;
        slot_valid <= 1'b0;
    end else begin
        // abandon: the output stops at once; the pixel FIFO is flushed in the same cycle, so no
        // pixel slot follows (and flush slots need pix_left low), `active` falls a cycle later
        if (f_err) frame_live <= 1'b0;
        if (f_err_q || (active && !pix_left && !flush_nz)) active <= 1'b0;
        ready <= active && (hold <= 2'd1) && (issue ? (FOLD == 1) : (gap == '0 || gap == GW'(1)));
        slot_valid <= issue;
    end
end

always_ff @(posedge clk) begin
    if (clr) hold <= 2'd2;
    else if (hold != 0) hold <= hold - 1'b1;
end

always_ff @(posedge clk) begin
    if (clr) gap <= '0;
    else if (issue) gap <= GW'(FOLD - 1);
    else if (gap != 0) gap <= gap - 1'b1;
end

always_ff @(posedge clk) begin
    if (issue) slot_data <= issue_pix ? fifo[fifo_rp] : 24'd0;
end

always_ff @(posedge clk) begin
    if (clr) flush_m1 <= {1'b0, lag} - 1'b1;
    else if (issue_flush) flush_m1 <= flush_m1 - 1'b1;
end

always_ff @(posedge clk) begin
    if (clr) allow_m1 <= {1'b0, lag} + (LW+1)'({width, 1'b0}) - 1'b1;
    else allow_m1 <= allow_m1 + {{(LW-2){allow_d[2]}}, allow_d};
end

always_ff @(posedge clk) begin
    if (clr) begin
        pix_left <= 1'b1;
        i_col_m1 <= wm2;
        i_row_m1 <= hm2;
    end else if (issue_pix) begin
        i_col_m1 <= i_col_end ? wm2 : i_col_m1 - 1'b1;
        if (i_col_end) begin
            i_row_m1 <= i_row_m1 - 1'b1;
            if (i_row_end) pix_left <= 1'b0;
        end
    end
end

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
