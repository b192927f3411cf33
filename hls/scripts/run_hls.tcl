# run_hls.tcl -- Vitis HLS flow for the qcsr core (called by hls/hls.mk).
#   vitis_hls -f hls/scripts/run_hls.tcl -tclargs <synth|cosim|export> <part> <clock_ns> <vectors_dir>
# Project in build/hls/vitis/qcsr_prj, solution "sol1". Reports: sol1/syn/report/qcsr_top_csynth.rpt.

if {[llength $argv] < 4} {
    puts "usage: run_hls.tcl <synth|cosim|export> <part> <clock_ns> <vectors_dir>"
    exit 2
}
lassign $argv mode part clock_ns vectors

set root [file normalize [file join [file dirname [info script]] .. ..]]
set cflags "-std=c++14 -I$root/hls"

file mkdir $root/build/hls/vitis
cd $root/build/hls/vitis
open_project -reset qcsr_prj
set_top qcsr_top
add_files $root/hls/qcsr_top.cpp -cflags $cflags
add_files -tb $root/hls/tb/qcsr_tb.cpp -cflags "$cflags -Wno-unknown-pragmas"
open_solution -reset sol1 -flow_target vivado
set_part $part
create_clock -period $clock_ns -name default
config_compile -pipeline_loops 0
config_rtl -reset control -reset_level low

csynth_design

if {$mode eq "cosim" || $mode eq "export"} {
    if {$mode eq "cosim"} {
        # the quick set: the small vectors and the protocol scenarios, no intermediate dumps
        cosim_design -rtl verilog -trace_level none -argv "--quick $vectors"
    }
    if {$mode eq "export"} {
        export_design -format ip_catalog -rtl verilog -vendor qcsr -library hls -version 1.0 \
            -description "qcsr x2 super-resolution core (1080p60 -> 2160p60)" -display_name "qcsr_top"
    }
}
exit
