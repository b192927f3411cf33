"""Unit tests of qcsr_pw_stage against the golden engine's layer tensors: every pointwise layer
(16 -> 16, ReLU, signed input) and the grouped tail (16 -> 4, G = 4, no ReLU) of the vectors' models,
including the saturating 'stress' formats, at FOLD = 1, 2 (and 4 for the tail). Random idle cycles between slots."""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from qcsr_tbutil import drive_slots, layer_cases, pack, start_clock, unpack

VECTORS = ["astronaut_48x32", "stress_saltpepper_24x16", "stress_ones255_16x12", "odd_9x3"]
CASES = {
    "pw": dict(CIN=16, COUT=16, G=1, IN_W=14, IN_SIGNED=1, RELU=1),
    "tail": dict(CIN=16, COUT=4, G=4, IN_W=14, IN_SIGNED=0, RELU=0),
}


@cocotb.test()
async def pw_stage_matches_golden(dut):
    start_clock(dut)
    case = os.environ["QCSR_CASE"]
    p = dict(CASES[case], FOLD=int(os.environ["QCSR_FOLD"]))
    k, n = 0, 0
    for v, model, t in layer_cases(VECTORS):
        pairs = [("tail", f"pw{model.arch.N}")] if case == "tail" else \
            [(f"pw{i}", f"dw{i}") for i in range(1, model.arch.N + 1)]
        for layer, src in pairs:
            lay = model.layer(layer)
            x, want = t[src], t[layer]
            c, h, w = x.shape
            dut.weights.value = pack(lay.weights.reshape(-1), 10)
            dut.shift.value = lay.shift & 0x7F
            words = [pack(x[:, i, j], p["IN_W"]) for i in range(h) for j in range(w)]
            got = await drive_slots(dut, words, h * w, ["out_data"], idle_prob=0.25 if k % 2 else 0.0, seed=k,
                                    fold=p["FOLD"])
            out = np.array([unpack(val, 14, p["COUT"], signed=not p["RELU"]) for (val,) in got]).T.reshape(-1, h, w)
            if not np.array_equal(out, want):
                bad = np.argwhere(out != want)
                raise AssertionError(f"{v['name']}/{layer}: {len(bad)} values differ, first {bad[:3].tolist()}")
            dut._log.info("%s %s (s = %d): exact, %d saturated", v["name"], layer, lay.shift,
                          int(np.sum((want >= 16383) | (want <= -8192) | ((want >= 8191) & (p["RELU"] == 0)))))
            k += 1
        n += 1
    assert n == len(VECTORS), f"only {n} of {len(VECTORS)} vectors have intermediates"


@pytest.mark.parametrize("case,fold", [("pw", 1), ("pw", 2), ("tail", 1), ("tail", 2), ("tail", 4)])
def test_qcsr_pw_stage(vectors_dir, case, fold):
    from qcsr_tbutil import RTL_DIR, run_cocotb

    files = ["qcsr_pipe.sv", "qcsr_valid_pipe.sv", "qcsr_requant.sv", "qcsr_mac_array.sv", "qcsr_pw_stage.sv"]
    run_cocotb("qcsr_pw_stage", "test_qcsr_pw_stage", [RTL_DIR / f for f in files], dict(CASES[case], FOLD=fold),
               extra_env={"QCSR_VECTORS": str(vectors_dir), "QCSR_CASE": case, "QCSR_FOLD": str(fold)})  # fmt: skip
