"""Unit tests of qcsr_rgb2ycbcr and qcsr_ycbcr2rgb against fixedpoint/colour.py and the vectors.

Inputs: the vectors' LR frames (-> ycbcr_lr) and HR YCbCr frames (-> output_rgb), plus random and
extreme pixels checked against the NumPy reference; random idle cycles between slots.
"""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from qcsr_tbutil import drive_slots, start_clock, vector_array, vector_index

VECTORS = ["astronaut_48x32", "primaries_6x3", "noise_rgb_20x14", "ones255_16x12"]


def ug934(rgb: np.ndarray) -> list[int]:
    r, g, b = (rgb[..., i].astype(np.int64).ravel() for i in range(3))
    return list(g | (b << 8) | (r << 16))


def ycc_word(ycc: np.ndarray) -> list[int]:
    y, cb, cr = (ycc[..., i].astype(np.int64).ravel() for i in range(3))
    return list(y | (cb << 8) | (cr << 16))


def extremes(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    corners = np.array([[r, g, b] for r in (0, 1, 127, 128, 254, 255) for g in (0, 128, 255) for b in (0, 255)])
    return np.concatenate([corners, rng.integers(0, 256, (4000, 3))]).astype(np.uint8)


@cocotb.test()
async def colour_matches_reference(dut):
    from qcsr.fixedpoint.colour import rgb_to_ycbcr, ycbcr_to_rgb

    start_clock(dut)
    direction = os.environ["QCSR_DIRECTION"]
    cases = []
    for v in vector_index()["vectors"]:
        if v["name"] in VECTORS:
            if direction == "rgb2ycbcr":
                cases.append((v["name"], vector_array(v, "input_rgb"), vector_array(v, "ycbcr_lr")))
            else:
                cases.append((v["name"], vector_array(v, "ycbcr_hr"), vector_array(v, "output_rgb")))
    x = extremes(5)[:, None, :]
    if direction == "rgb2ycbcr":
        cases.append(("random", x, rgb_to_ycbcr(x)))
    else:
        cases.append(("random", x, ycbcr_to_rgb(x)))
    assert len(cases) > 1, "vectors with intermediates missing"
    for k, (name, inp, want) in enumerate(cases):
        words = ug934(inp) if direction == "rgb2ycbcr" else ycc_word(inp)
        sig = "out_ycc" if direction == "rgb2ycbcr" else "out_rgb"
        got = await drive_slots(dut, words, len(words), [sig], idle_prob=0.3 if k % 2 else 0.0, seed=k,
                                data="in_rgb" if direction == "rgb2ycbcr" else "in_ycc")
        g = np.array([w for (w,) in got], dtype=np.int64)
        b0, b1, b2 = g & 255, (g >> 8) & 255, (g >> 16) & 255
        if direction == "rgb2ycbcr":
            arr = np.stack([b0, b1, b2], -1)          # Y, Cb, Cr
        else:
            arr = np.stack([b2, b0, b1], -1)          # UG934 G, B, R -> R, G, B
        want = want.reshape(-1, 3)
        assert np.array_equal(arr, want), f"{name}: {int(np.any(arr != want, -1).sum())} pixels differ"
        dut._log.info("%s %s: %d pixels exact", direction, name, len(words))


@pytest.mark.parametrize("direction", ["rgb2ycbcr", "ycbcr2rgb"])
def test_qcsr_colour(vectors_dir, direction):
    from qcsr_tbutil import RTL_DIR, run_cocotb

    files = ["qcsr_const_mac.sv", "qcsr_valid_pipe.sv", f"qcsr_{direction}.sv"]
    run_cocotb(f"qcsr_{direction}", "test_qcsr_colour", [RTL_DIR / f for f in files],
               extra_env={"QCSR_VECTORS": str(vectors_dir), "QCSR_DIRECTION": direction})  # fmt: skip
