// SPDX-License-Identifier: MIT
/*
 * qcsr_out_reorder: 4 HR pixels per LR slot -> AXI4-Stream, 4 pixels per beat, raster.
 *
 * LR position (r, c) yields HR pixels (2r + dy, 2c + dx); HR row 2r cannot leave
 * before the whole LR row r is done, and row 2r + 1 only after row 2r.  A ping-pong
 * buffer of two LR rows (bank = r & 1) holds both HR rows of each: four 48-bit wide
 * RAMs {even, odd HR row} x {low, high half of a beat}, address {bank, c >> 1}; LR
 * column c writes the pixel pair (2c, 2c + 1) into half c & 1 of beat c >> 1.
 *
 * The reader sends a finished LR row as HR row 2r (ceil(W/2) beats) then 2r + 1, at
 * one beat per cycle, through a 4-entry FIFO and a registered output stage (TVALID,
 * TDATA, TUSER and TLAST come straight from flip-flops).  The writer never waits: it
 * writes every valid position.  Instead the core admits a slot at its input only when
 * the position that slot will complete has room here (qcsr_framer keeps that credit):
 * `freed` reports, per odd-row beat issued, the LR positions (1 or 2) whose both HR
 * pixels have left the buffer.  A simulation-only check stops the simulation if a
 * write would ever overwrite a beat that was not read.
 *
 * For odd W the last beat of each HR row carries 2 pixels in its low 48 bits and
 * zeros above (UG934 padding).  Positions at or beyond `height` (the flush) are ignored.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

// Declaration initialisers give registers their power-up value (the FPGA's INIT; IEEE 1800 6.8,
// not a second writer in the sense of 9.2.2.4); control state that ap_rst_n must restore is also
// assigned in its reset branch. Verilator's PROCASSINIT is an ASIC-flow caution (ASIC flops have no
// initial value), so it is waived for this file.
/* verilator lint_off PROCASSINIT */

module qcsr_out_reorder #(
    parameter integer MAX_W = 1920,
    parameter integer MAX_H = 1080,
    parameter integer XW = $clog2(MAX_W + 1),
    parameter integer YW = $clog2(MAX_H + 1) + 1
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             clr,
    input  wire [XW-1:0]    width,
    input  wire [YW-1:0]    height,

    input  wire             rd_enable,    // the frame is live (after an abandon: no more beats)
    input  wire             in_valid,
    input  wire [YW-1:0]    in_row,
    input  wire [XW-1:0]    in_col,
    input  wire [4*24-1:0]  in_pix,       // HR pixel (2r+dy, 2c+dx) at [(2dy+dx)*24 +: 24], UG934
    output logic [1:0]      freed,        // LR positions freed this cycle (registered)
    output wire             rd_done,      // all beats of the frame issued

    output wire [95:0]      m_axis_tdata,
    output wire             m_axis_tvalid,
    input  wire             m_axis_tready,
    output wire             m_axis_tuser,
    output wire             m_axis_tlast
);

localparam integer BMAX = (MAX_W + 1) / 2;        // beats per HR row
localparam integer BW = $clog2(BMAX + 1);
localparam integer AW = $clog2(2 * BMAX);          // {bank, beat}
localparam integer DEPTH = 2 * BMAX;

// width - 1 and beats - 1 (beats = ceil(width / 2), so beats - 1 = (width - 1) >> 1: one carry
// chain, not two), decoded once (static during a frame): line ends are equalities
logic [XW-1:0] wm1 = '0;
logic [BW-1:0] bm1 = '0;
wire  [XW-1:0] wm1_n = width - 1'b1;
always_ff @(posedge clk) begin
    wm1 <= wm1_n;
    bm1 <= BW'(wm1_n >> 1);
end

// ---------------------------------------------------------------- RAMs
// ram index: 0 even/low, 1 even/high, 2 odd/low, 3 odd/high
logic [47:0] ram0 [0:DEPTH-1];
logic [47:0] ram1 [0:DEPTH-1];
logic [47:0] ram2 [0:DEPTH-1];
logic [47:0] ram3 [0:DEPTH-1];

// ---------------------------------------------------------------- writer
logic [YW-1:0] wr_row = '0;     // LR rows completely written
logic [YW-1:0] rd_row = '0;     // LR rows completely issued
logic          rd_half = 1'b0;  // 0: HR row 2r, 1: HR row 2r + 1
logic [BW-1:0] rd_beat = '0;

wire          wr_en_req = in_valid && (in_row < height);
wire [BW-1:0] wr_beat = BW'(in_col >> 1);
wire          wr_en = wr_en_req;

`ifndef SYNTHESIS
wire          wr_bank_free = (32'(wr_row) < 32'(rd_row) + 2) ||
                             (rd_half && rd_beat > wr_beat);   // reader is past this beat
always_ff @(posedge clk) begin
    if (!rst && !clr && wr_en && !wr_bank_free) begin
        $fatal(1, "qcsr_out_reorder: LR (%0d, %0d) written over a beat not yet read", in_row, in_col);
    end
end
`endif
wire [AW-1:0] wr_a = in_row[0] ? AW'(BMAX) + AW'(wr_beat) : AW'(wr_beat);

always_ff @(posedge clk) begin
    if (wr_en) begin
        if (!in_col[0]) begin
            ram0[wr_a] <= in_pix[47:0];     // (2r, 2c), (2r, 2c+1)
            ram2[wr_a] <= in_pix[95:48];    // (2r+1, 2c), (2r+1, 2c+1)
        end else begin
            ram1[wr_a] <= in_pix[47:0];
            ram3[wr_a] <= in_pix[95:48];
        end
    end
end

always_ff @(posedge clk) begin
    if (rst || clr) begin
        wr_row <= '0;
    end else if (wr_en && in_col == wm1) begin
        wr_row <= wr_row + 1'b1;
    end
end


// ---------------------------------------------------------------- reader
localparam integer FD = 4;
logic [95:0] fifo_data [0:FD-1];
logic [FD-1:0] fifo_user = '0, fifo_last = '0;
logic [2:0]  fifo_cnt = '0;
logic [1:0]  fifo_rp = '0, fifo_wp = '0;
logic        rd_inflight = 1'b0;
logic        rq_half = 1'b0, rq_user = 1'b0, rq_last = 1'b0, rq_mask = 1'b0;
logic [47:0] rd0, rd1, rd2, rd3;

wire rd_issue = rd_enable && (rd_row < wr_row) && (rd_row < height) &&
                (32'(fifo_cnt) + 32'(rd_inflight) < FD);
wire [AW-1:0] rd_a = rd_row[0] ? AW'(BMAX) + AW'(rd_beat) : AW'(rd_beat);
wire rd_line_end = (rd_beat == bm1);

always_ff @(posedge clk) begin
    if (rd_issue) begin
        rd0 <= ram0[rd_a];
        rd1 <= ram1[rd_a];
        rd2 <= ram2[rd_a];
        rd3 <= ram3[rd_a];
    end
end

always_ff @(posedge clk) begin
    if (rst || clr) begin
        rd_row <= '0;
        rd_half <= 1'b0;
        rd_beat <= '0;
        freed <= '0;
    end else begin
        // an odd-row beat read frees the LR positions of its pixels (the last of an odd W: 1)
        freed <= (rd_issue && rd_half) ? ((rd_line_end && width[0]) ? 2'd1 : 2'd2) : 2'd0;
        if (rd_issue) begin
            if (rd_line_end) begin
                rd_beat <= '0;
                rd_half <= !rd_half;
                if (rd_half) rd_row <= rd_row + 1'b1;
            end else begin
                rd_beat <= rd_beat + 1'b1;
            end
        end
    end
end

// all beats of the frame issued: registered, since it crosses into qcsr_framer's next-state logic
logic rd_done_q = 1'b0;
always_ff @(posedge clk) begin
    if (rst || clr) rd_done_q <= 1'b0;
    else rd_done_q <= (rd_row >= height);
end
assign rd_done = rd_done_q;

wire [95:0] rd_beat_data = rq_half ? {rq_mask ? 48'd0 : rd3, rd2} : {rq_mask ? 48'd0 : rd1, rd0};

// registered output stage, loaded from the FIFO head
logic        ob_valid = 1'b0;
logic [95:0] ob_data = '0;
logic        ob_user = 1'b0, ob_last = 1'b0;
wire         ob_load = (fifo_cnt != 0) && (!ob_valid || m_axis_tready);
wire         fifo_push = rd_inflight;

// the in-flight read, the FIFO and the output register are not cleared by clr: beats
// already read still leave
always_ff @(posedge clk) begin
    if (rst) begin
        rd_inflight <= 1'b0;
    end else begin
        rd_inflight <= rd_issue;
    end
    if (rd_issue) begin
        rq_half <= rd_half;
        rq_user <= (rd_row == 0) && !rd_half && (rd_beat == 0);
        rq_last <= rd_line_end;
        rq_mask <= rd_line_end && width[0];
    end
end

always_ff @(posedge clk) begin
    if (rst) begin
        fifo_cnt <= '0;
        fifo_rp <= '0;
        fifo_wp <= '0;
        ob_valid <= 1'b0;
    end else begin
        if (fifo_push) begin
            fifo_data[fifo_wp] <= rd_beat_data;
            fifo_user[fifo_wp] <= rq_user;
            fifo_last[fifo_wp] <= rq_last;
            fifo_wp <= fifo_wp + 1'b1;
        end
        if (ob_load) begin
            ob_data <= fifo_data[fifo_rp];
            ob_user <= fifo_user[fifo_rp];
            ob_last <= fifo_last[fifo_rp];
            fifo_rp <= fifo_rp + 1'b1;
            ob_valid <= 1'b1;
        end else if (m_axis_tready) begin
            ob_valid <= 1'b0;
        end
        fifo_cnt <= fifo_cnt + 3'(fifo_push) - 3'(ob_load);
    end
end

assign m_axis_tvalid = ob_valid;
assign m_axis_tdata = ob_data;
assign m_axis_tuser = ob_user;
assign m_axis_tlast = ob_last;

endmodule

/* verilator lint_on PROCASSINIT */

`resetall
