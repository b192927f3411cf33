# run_hls.tcl -- Vitis HLS flow for the qcsr core (called by hls/hls.mk).
#   vitis_hls -f hls/scripts/run_hls.tcl -tclargs <csim|synth|cosim|export> <part> <clock_ns> <vectors_dir> [fold]
# FOLD = 1 at 6.734 ns (148.5 MHz) or FOLD = 2 at 3.367 ns (297 MHz) turn 1080p60 into 2160p60
# (docs/ARCHITECTURE.md 4.1). Project in build/hls/vitis/qcsr_prj_fold<FOLD>, solution "sol1".
# Reports: sol1/syn/report/qcsr_top_csynth.rpt (what to check first: docs/hls.md).

if {[llength $argv] < 4} {
    puts "usage: run_hls.tcl <csim|synth|cosim|export> <part> <clock_ns> <vectors_dir> \[fold\]"
    exit 2
}
lassign $argv mode part clock_ns vectors fold
if {$fold eq ""} { set fold 1 }

set root [file normalize [file join [file dirname [info script]] .. ..]]
set cflags "-std=c++14 -I$root/hls -DQCSR_FOLD=$fold"
# The testbench in Vitis' form (hls/tb/qcsr_tb_vitis.cpp): one call of qcsr_top per start of frame,
# streams filled before the call and drained after it, Vitis' own hls_stream.h -- what csim_design
# and cosim_design can run. The per-clock testbench (hls/tb/qcsr_tb.cpp, coroutine on the project's
# stream model) is for g++ only (make hls-csim).
set tbflags "$cflags -Wno-unknown-pragmas"

file mkdir $root/build/hls/vitis
cd $root/build/hls/vitis
open_project -reset qcsr_prj_fold$fold
set_top qcsr_top
add_files $root/hls/qcsr_top.cpp -cflags $cflags
add_files -tb $root/hls/tb/qcsr_tb_vitis.cpp -cflags $tbflags
open_solution -reset sol1 -flow_target vivado
set_part $part
create_clock -period $clock_ns -name default
# every static (framing, status, configuration registers) gets ap_rst_n -- also by the RESET pragma
# on g_state, since -reset state may leave class members out; the weight store carries RESET off and
# the line buffers are local (docs/hls.md)
config_rtl -reset state -reset_level low
config_compile -pipeline_loops 0

if {$mode eq "csim"} {
    csim_design -argv "$vectors"
    exit
}

csynth_design

if {$mode eq "cosim" || $mode eq "export"} {
    if {$mode eq "cosim"} {
        # the quick set: the small vectors and the protocol scenarios, no intermediate dumps
        cosim_design -rtl verilog -trace_level none -argv "--quick $vectors"
    }
    if {$mode eq "export"} {
        export_design -format ip_catalog -rtl verilog -vendor qcsr -library hls -version 2.0 \
            -description "qcsr x2 super-resolution core (1080p60 -> 2160p60), FOLD $fold" -display_name "qcsr_top"
    }
}
exit
