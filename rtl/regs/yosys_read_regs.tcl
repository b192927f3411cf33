# Yosys (Tcl mode, as edalize's yosys backend runs it): read the generated register block with yosys-slang.
# PeakRDL-regblock's retimed readback (--rt-read-fanin) uses unpacked arrays and functions that Yosys' own
# Verilog parser rejects; yosys-slang is a complete SystemVerilog front end (built into YoWASP's Yosys and
# the OSS CAD Suite; elsewhere loaded as the `slang` plugin). The package is read once more by read_verilog
# for the hand-written modules that use its types.
set gen [file normalize [file join [file dirname [info script]] .. gen]]
if {[catch {yosys read_slang -j 1 $gen/qcsr_regs_pkg.sv $gen/qcsr_regs.sv --top qcsr_regs}]} {
    yosys plugin -i slang
    yosys read_slang -j 1 $gen/qcsr_regs_pkg.sv $gen/qcsr_regs.sv --top qcsr_regs
}
