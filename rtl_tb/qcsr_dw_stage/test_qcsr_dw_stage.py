"""Unit tests of qcsr_dw_stage (window, line buffers, depthwise MACs, requantization) against the
golden engine's layer tensors: the head layer (CIN = 1, 8-bit input, ReLU), every depthwise layer of
the vectors' models (real, odd, 2x2, saturating 'stress' formats), and a 1x5 depthwise kernel of a
random model (another KH, KW and C), at FOLD = 1, 2, 4. Random idle cycles between slots."""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from qcsr_tbutil import drive_slots, layer_cases, pack, random_layer_case, start_clock, unpack

VECTORS = ["chelsea_64x48", "stress_checker1_24x16", "odd_7x5", "min_2x2", "tall_2x9"]
CASES = {  # name -> HDL parameters
    "head": dict(CIN=1, COUT=16, KH=3, KW=3, IN_W=8, IN_SIGNED=0, RELU=1),
    "dw": dict(CIN=16, COUT=16, KH=3, KW=3, IN_W=14, IN_SIGNED=0, RELU=0),
    "dw1x5": dict(CIN=4, COUT=4, KH=1, KW=5, IN_W=14, IN_SIGNED=0, RELU=0),
}


async def check_layer(dut, name: str, model, tensors: dict, layer: str, src: str, k: int) -> None:
    p = dict(CASES[os.environ["QCSR_CASE"]], FOLD=int(os.environ["QCSR_FOLD"]))
    lay = model.layer(layer)
    x = tensors[src]                       # (C, H, W) input codes
    want = tensors[layer]
    c, h, w = x.shape
    assert c == p["CIN"], f"{layer}: {c} input channels, core built for {p['CIN']}"
    dut.width.value = w
    dut.height.value = h
    dut.weights.value = pack(lay.weights.reshape(-1), 10)
    dut.shift.value = lay.shift & 0x7F
    words = [pack(x[:, i, j], p["IN_W"]) for i in range(h) for j in range(w)]
    got = await drive_slots(dut, words, h * w, ["out_data"], idle_prob=0.25 if k % 2 else 0.0, seed=k,
                            fold=p["FOLD"])
    out = np.array([unpack(v, 14, p["COUT"], signed=not p["RELU"]) for (v,) in got]).T.reshape(-1, h, w)
    if not np.array_equal(out, want):
        bad = np.argwhere(out != want)
        raise AssertionError(f"{name}/{layer}: {len(bad)} values differ, first {bad[:3].tolist()}")
    dut._log.info("%s %s (s = %d): %dx%dx%d exact, %d saturated", name, layer, lay.shift, c, h, w,
                  int(np.sum(np.abs(want) >= 8191)))


@cocotb.test()
async def dw_stage_matches_golden(dut):
    start_clock(dut)
    case = os.environ["QCSR_CASE"]
    k = 0
    if case == "dw1x5":
        arch = dict(F=3, C=4, N=2, KH=1, KW=5, G=2)
        # random weights; then small weights with left shifts (s <= 0) and saturation
        for w, h, shifts in [(21, 6, None), (2, 3, None), (13, 7, [-2, -1, 0, -2, 1, 3])]:
            model, t = random_layer_case(arch, w, h, seed=w, shifts=shifts)
            for layer, src in [("dw1", "head"), ("dw2", "pw1")]:
                await check_layer(dut, f"random{w}x{h}", model, t, layer, src, k)
                k += 1
        return
    n = 0
    for v, model, t in layer_cases(VECTORS):
        pairs = [("head", "input")] if case == "head" else \
            [(f"dw{i}", "head" if i == 1 else f"pw{i - 1}") for i in range(1, model.arch.N + 1)]
        for layer, src in pairs:
            await check_layer(dut, v["name"], model, t, layer, src, k)
            k += 1
        n += 1
    assert n == len(VECTORS), f"only {n} of {len(VECTORS)} vectors have intermediates"


# "dw1x5" (another kernel shape and width) is also covered by qcsr_top's variant build; run it with
# `pytest rtl_tb/qcsr_dw_stage -k dw1x5` (not in the default regression, to save a Verilator build)
@pytest.mark.parametrize("case,fold", [("head", 1), ("head", 2), ("dw", 1), ("dw", 2), ("dw", 4),
                                       pytest.param("dw1x5", 2, marks=pytest.mark.slow)])
def test_qcsr_dw_stage(vectors_dir, case, fold):
    from qcsr_tbutil import RTL_DIR, run_cocotb

    files = ["qcsr_times_width.sv", "qcsr_line_buffer.sv", "qcsr_window.sv", "qcsr_pipe.sv", "qcsr_valid_pipe.sv",
             "qcsr_requant.sv", "qcsr_mac_array.sv", "qcsr_dw_stage.sv"]
    params = dict(CASES[case], MAX_W=64, MAX_H=64, FOLD=fold)
    run_cocotb("qcsr_dw_stage", "test_qcsr_dw_stage", [RTL_DIR / f for f in files], params,
               extra_env={"QCSR_VECTORS": str(vectors_dir), "QCSR_CASE": case, "QCSR_FOLD": str(fold)})  # fmt: skip
