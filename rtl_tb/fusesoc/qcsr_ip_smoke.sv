// SPDX-License-Identifier: MIT
// FuseSoC `sim` target (Verilator --binary --timing): qcsr_ip out of reset answers on AXI4-Lite with its
// ID and build parameters, a rejected packet written through CFG_LAST raises the cfg_rejected interrupt
// and counts, ISR clears on write, an unmapped read gets SLVERR. Exits non-zero on any mismatch.
// (The full regression, bit-exact frames included, is rtl_tb/qcsr_ip/test_qcsr_ip.py.)

`timescale 1ns / 1ps
`default_nettype none

module qcsr_ip_smoke;

localparam integer FOLD = 2, MAX_W = 64, MAX_H = 64;

logic clk = 1'b0, rst_n = 1'b0;
always #5 clk = !clk;

logic        awvalid = 1'b0, wvalid = 1'b0, bready = 1'b1, arvalid = 1'b0, rready = 1'b1;
logic [6:0]  awaddr = '0, araddr = '0;
logic [31:0] wdata = '0;
wire         awready, wready, bvalid, arready, rvalid, irq;
wire  [1:0]  bresp, rresp;
wire  [31:0] rdata;
wire         vin_ready, vout_valid, cfg_ready;
wire  [95:0] vout_data;
wire  [0:0]  vout_user, vout_last;
wire  [11:0] vout_keep, vout_strb;

qcsr_ip #(.FOLD(FOLD), .MAX_W(MAX_W), .MAX_H(MAX_H)) dut (
    .ap_clk(clk), .ap_rst_n(rst_n),
    .s_axi_control_AWVALID(awvalid), .s_axi_control_AWREADY(awready), .s_axi_control_AWADDR(awaddr),
    .s_axi_control_AWPROT(3'b000), .s_axi_control_WVALID(wvalid), .s_axi_control_WREADY(wready),
    .s_axi_control_WDATA(wdata), .s_axi_control_WSTRB(4'hf), .s_axi_control_BVALID(bvalid),
    .s_axi_control_BREADY(bready), .s_axi_control_BRESP(bresp), .s_axi_control_ARVALID(arvalid),
    .s_axi_control_ARREADY(arready), .s_axi_control_ARADDR(araddr), .s_axi_control_ARPROT(3'b000),
    .s_axi_control_RVALID(rvalid), .s_axi_control_RREADY(rready), .s_axi_control_RDATA(rdata),
    .s_axi_control_RRESP(rresp), .interrupt(irq),
    .s_axis_video_TDATA(24'd0), .s_axis_video_TVALID(1'b0), .s_axis_video_TREADY(vin_ready),
    .s_axis_video_TUSER(1'b0), .s_axis_video_TLAST(1'b0), .s_axis_video_TKEEP(3'h7), .s_axis_video_TSTRB(3'h7),
    .m_axis_video_TDATA(vout_data), .m_axis_video_TVALID(vout_valid), .m_axis_video_TREADY(1'b1),
    .m_axis_video_TUSER(vout_user), .m_axis_video_TLAST(vout_last), .m_axis_video_TKEEP(vout_keep),
    .m_axis_video_TSTRB(vout_strb),
    .s_axis_cfg_TDATA(32'd0), .s_axis_cfg_TVALID(1'b0), .s_axis_cfg_TREADY(cfg_ready), .s_axis_cfg_TLAST(1'b0),
    .s_axis_cfg_TKEEP(4'hf), .s_axis_cfg_TSTRB(4'hf)
);

int errors = 0;

// the testbench drives on the falling edge and samples on the rising one (no race with the DUT)
task automatic axil_write(input logic [6:0] a, input logic [31:0] d, output logic [1:0] resp);
    logic aw_done = 1'b0, w_done = 1'b0;
    @(negedge clk);
    awaddr = a; awvalid = 1'b1; wdata = d; wvalid = 1'b1;
    while (!(aw_done && w_done)) begin
        @(posedge clk);
        if (awready) aw_done = 1'b1;
        if (wready) w_done = 1'b1;
        @(negedge clk);
        if (aw_done) awvalid = 1'b0;
        if (w_done) wvalid = 1'b0;
    end
    do @(posedge clk); while (!bvalid);
    resp = bresp;
endtask

task automatic axil_read(input logic [6:0] a, output logic [31:0] d, output logic [1:0] resp);
    @(negedge clk);
    araddr = a; arvalid = 1'b1;
    do @(posedge clk); while (!arready);
    @(negedge clk);
    arvalid = 1'b0;
    while (!rvalid) @(posedge clk);
    d = rdata;
    resp = rresp;
endtask

task automatic expect_read(input logic [6:0] a, input logic [31:0] want, input string what);
    logic [31:0] d;
    logic [1:0] r;
    axil_read(a, d, r);
    if (r != 2'b00 || d !== want) begin
        $display("FAIL %s: read 0x%02x = 0x%08x resp %0d, expected 0x%08x OKAY", what, a, d, r, want);
        errors++;
    end
endtask

initial begin
    logic [1:0] r;
    logic [31:0] d;
    repeat (8) @(posedge clk);
    rst_n = 1'b1;
    repeat (8) @(posedge clk);
    expect_read(7'h10, 32'h5143_5352, "ID");
    expect_read(7'h18, {8'd4, 8'd6, 8'd16, 8'(FOLD)}, "BUILD0");
    expect_read(7'h20, {16'(MAX_H), 16'(MAX_W)}, "MAX_SIZE");
    axil_write(7'h08, 32'h08, r);               // IER: cfg_rejected
    axil_write(7'h04, 32'h01, r);               // GIE
    axil_write(7'h48, 32'h0BAD_F00D, r);        // a one-word packet (bad magic), TLAST
    repeat (20) @(posedge clk);
    if (!irq) begin $display("FAIL: no cfg_rejected interrupt"); errors++; end
    expect_read(7'h40, 32'd1, "PKTS_REJECTED");
    expect_read(7'h0C, 32'h08, "ISR");
    axil_write(7'h0C, 32'h08, r);               // toggle-on-write clears it
    repeat (4) @(posedge clk);
    if (irq) begin $display("FAIL: interrupt stays high after ISR write"); errors++; end
    axil_read(7'h60, d, r);
    if (r != 2'b10) begin $display("FAIL: unmapped read answered %0d, expected SLVERR", r); errors++; end
    if (errors != 0) $fatal(1, "qcsr_ip smoke test: %0d failures", errors);
    $display("qcsr_ip smoke test passed");
    $finish;
end

initial begin
    #1ms $fatal(1, "qcsr_ip smoke test: timeout");
end

endmodule

`resetall
