"""Unit test of qcsr_requant (4-stage pipeline, shift decoded into registers) against
fixedpoint.format.requantize for every shift the loader accepts (s in [-16, 48]: left shifts for
s <= 0), ties, saturation at both ends and extreme accumulators, with and without ReLU (unsigned /
signed 14-bit outputs); LANES = 2 checks that lanes sharing one shift decode stay independent
(each lane gets its own rotation of the accumulator sequence)."""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from cocotb.triggers import FallingEdge

IN_W = 29   # the dw/pw accumulator width of the default core (14 + 1 + 10 + clog2(16))


def cases(s: int, rng) -> list[int]:
    lo, hi = -(1 << (IN_W - 1)), (1 << (IN_W - 1)) - 1
    vals = [0, 1, -1, 2, -2, lo, hi, lo + 1, hi - 1]
    if s > 0:
        half = 1 << (s - 1)
        for k in (-3, -1, 1, 3, 16383, -8193):        # exact ties and their neighbours
            t = k * half
            vals += [t - 1, t, t + 1]
    for q in (16383, 16384, 8191, 8192, -8192, -8193):   # around the saturation limits
        t = q << s if s >= 0 else q >> -s
        vals += [t - 1, t, t + 1]
    vals += [int(v) for v in rng.integers(lo, hi, 60)]
    vals += [int(v) for v in rng.integers(-(1 << 15), 1 << 15, 40)]
    return [min(hi, max(lo, v)) for v in vals]


@cocotb.test()
async def requant_matches_reference(dut):
    from qcsr.fixedpoint.format import FixedFormat, requantize

    relu = int(os.environ["QCSR_RELU"])
    lanes = int(os.environ["QCSR_LANES"])
    fmt = FixedFormat(14, 0, not relu)
    rng = np.random.default_rng(3)
    n = 0
    from qcsr_tbutil import start_clock

    start_clock(dut)
    lat = 4
    for s in range(-16, 49):
        accs = cases(s, rng)
        want = requantize(np.array(accs, dtype=np.int64), s, fmt)   # acc_frac = s, out frac 0
        dut.shift.value = s & 0x7F
        for _ in range(4):                  # the decode registers follow the new shift (3 stages)
            await FallingEdge(dut.clk)
        seqs = [accs[ln:] + accs[:ln] for ln in range(lanes)]   # lane ln: the sequence rotated by ln
        wants = [want[ln:].tolist() + want[:ln].tolist() for ln in range(lanes)]
        got: list[list[int]] = [[] for _ in range(lanes)]
        mask = (1 << IN_W) - 1
        for i in range(len(accs) + lat):
            if i < len(accs):
                dut.acc.value = sum((seqs[ln][i] & mask) << (ln * IN_W) for ln in range(lanes))
            await FallingEdge(dut.clk)
            if i >= lat - 1 and len(got[0]) < len(accs):
                qv = int(dut.q.value)
                for ln in range(lanes):
                    q = (qv >> (14 * ln)) & 0x3FFF
                    got[ln].append(q - (1 << 14) if (not relu and q >> 13) else q)
        for ln in range(lanes):
            for a, g, w in zip(seqs[ln], got[ln], wants[ln], strict=True):
                assert g == int(w), f"relu={relu} s={s} lane {ln} acc={a}: core {g}, reference {int(w)}"
                n += 1
    dut._log.info("relu=%d lanes=%d: %d accumulator/shift pairs exact", relu, lanes, n)


@pytest.mark.parametrize("relu,lanes", [(0, 1), (1, 1), (0, 2)])
def test_qcsr_requant(relu, lanes):
    from qcsr_tbutil import RTL_DIR, run_cocotb

    run_cocotb("qcsr_requant", "test_qcsr_requant", [RTL_DIR / "qcsr_requant.sv"],
               {"IN_W": IN_W, "OUT_W": 14, "RELU": relu, "LANES": lanes},
               extra_env={"QCSR_RELU": str(relu), "QCSR_LANES": str(lanes)})  # fmt: skip
