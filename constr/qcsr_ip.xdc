# qcsr_ip timing constraints (Vivado). The clock: FOLD = 2 at 297 MHz (3.367 ns) turns 1080p60 into 4K60;
# FOLD = 1 needs 148.5 MHz (6.734 ns): edit QCSR_PERIOD_NS or override in the block design.
set QCSR_PERIOD_NS 3.367
create_clock -name ap_clk -period $QCSR_PERIOD_NS [get_ports ap_clk]

# What is static during a frame (docs/ARCHITECTURE.md 4.1): the active configuration registers of the
# packet loader change only at a commit between frames, and the serial weight load that follows takes
# NW + 3 cycles before the next frame is admitted; the frame size, shifts and residual alignment are
# decoded into registers in front of their users. They are given two cycles to their datapath loads.
# (The weight chain's own shift, act_weights -> act_weights, stays single-cycle: it is excluded.)
set qcsr_static [get_cells -hierarchical -filter {NAME =~ *cfg_inst/act_width_reg* || NAME =~ *cfg_inst/act_height_reg* || NAME =~ *cfg_inst/act_shifts_reg* || NAME =~ *cfg_inst/act_yn_lshift_reg* || NAME =~ *cfg_inst/act_res_lshift_reg* || NAME =~ *cfg_inst/act_out_shift_reg*}]
set_multicycle_path -setup 2 -from $qcsr_static
set_multicycle_path -hold 1 -from $qcsr_static
set qcsr_weights [get_cells -hierarchical -filter {NAME =~ *cfg_inst/g_chain[*].act_weights_reg*}]
set qcsr_macs [get_cells -hierarchical -filter {NAME =~ *cnn_inst/*mac_inst/*}]
set_multicycle_path -setup 2 -from $qcsr_weights -to $qcsr_macs
set_multicycle_path -hold 1 -from $qcsr_weights -to $qcsr_macs

# ap_rst_n is registered once inside (qcsr_ip, qcsr_core): a synchronous, single-flop input.
set_false_path -from [get_ports ap_rst_n]
