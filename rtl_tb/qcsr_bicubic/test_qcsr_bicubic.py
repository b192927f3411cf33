"""Unit test of qcsr_bicubic: Y_N (raw, 14 fraction bits) and rounded chroma of every LR position
against the vectors' bicubic.bin and ycbcr_hr.bin; borders, odd and minimum sizes; the DELAY_ROWS
parameter (late computation) must not change the values, only the latency; random clock-enable gaps."""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from qcsr_tbutil import drive_slots, start_clock, unpack, vector_array, vector_index

VECTORS = ["chelsea_64x48", "coffee_33x17", "min_2x2", "tall_2x9", "odd_9x3", "checker1_24x16", "ones255_16x12"]


@cocotb.test()
async def bicubic_matches_golden(dut):
    start_clock(dut)
    done = 0
    for k, v in enumerate(x for x in vector_index()["vectors"] if x["name"] in VECTORS):
        h, w = v["height"], v["width"]
        ycc = vector_array(v, "ycbcr_lr").astype(np.int64)
        yn = vector_array(v, "bicubic")[0].astype(np.int64)
        hr = vector_array(v, "ycbcr_hr").astype(np.int64)
        dut.width.value = w
        dut.height.value = h
        words = list(ycc[..., 0].ravel() | (ycc[..., 1].ravel() << 8) | (ycc[..., 2].ravel() << 16))
        got = await drive_slots(dut, words, h * w, ["out_row", "out_col", "out_yn", "out_cb", "out_cr"],
                                idle_prob=0.2 if k % 2 else 0.0, seed=k, data="in_ycc")
        for i, (row, col, y4, cb4, cr4) in enumerate(got):
            r, c = divmod(i, w)
            assert (row, col) == (r, c), f"{v['name']}: output {i} at ({row}, {col}), expected ({r}, {c})"
            ys = unpack(y4, 24, 4, signed=True)
            cbs, crs = unpack(cb4, 8, 4), unpack(cr4, 8, 4)
            for p in range(4):
                dy, dx = divmod(p, 2)
                hy, hx = 2 * r + dy, 2 * c + dx
                assert ys[p] == yn[hy, hx], f"{v['name']} Y_N at HR ({hy}, {hx}): {ys[p]} != {yn[hy, hx]}"
                assert cbs[p] == hr[hy, hx, 1], f"{v['name']} Cb at HR ({hy}, {hx}): {cbs[p]} != {hr[hy, hx, 1]}"
                assert crs[p] == hr[hy, hx, 2], f"{v['name']} Cr at HR ({hy}, {hx}): {crs[p]} != {hr[hy, hx, 2]}"
        dut._log.info("%s: %dx%d LR positions exact", v["name"], w, h)
        done += 1
    assert done == len(VECTORS), f"only {done} of {len(VECTORS)} vectors found"


@pytest.mark.parametrize("delay_rows", [3])   # the core itself uses 5 (qcsr_top tests); 0 when the CNN is shallow
def test_qcsr_bicubic(vectors_dir, delay_rows):
    from qcsr_tbutil import RTL_DIR, run_cocotb

    srcs = [RTL_DIR / f for f in ("qcsr_times_width.sv", "qcsr_line_buffer.sv", "qcsr_pipe.sv", "qcsr_valid_pipe.sv",
                                   "qcsr_const_mac.sv", "qcsr_bicubic.sv")]
    run_cocotb("qcsr_bicubic", "test_qcsr_bicubic", srcs, {"DELAY_ROWS": delay_rows, "MAX_W": 64, "MAX_H": 64},
               extra_env={"QCSR_VECTORS": str(vectors_dir)})  # fmt: skip
