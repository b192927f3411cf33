"""The register map: one SystemRDL source, generated artefacts current, the C header and example compile,
and the driver's register logic against a model of the register semantics the map declares."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "rtl" / "regs"))


def test_generated_files_are_current():
    """`make regs` output committed and equal to what the pinned PeakRDL versions generate now."""
    from generate import stale

    bad = stale()
    assert not bad, f"stale generated files (run `make regs`): {bad}"


def test_offsets_written_only_in_the_rdl():
    """No register offset literal of the map in hand-written driver code: it reads qcsr/regmap.json."""
    import re

    text = (ROOT / "qcsr" / "driver.py").read_text()
    assert not re.search(r"0x(0[48C]|1[048C]|2[048C]|3[048C]|4[048C])\b", text), "an offset in qcsr/driver.py"


def test_vitis_control_layout():
    """CTRL/GIE/IER/ISR at 0x00..0x0C with the ap_ctrl_chain bits (UG1399 control register map)."""
    from qcsr.driver import load_regmap

    r = load_regmap()["registers"]
    assert [r[n]["offset"] for n in ("CTRL", "GIE", "IER", "ISR")] == [0x0, 0x4, 0x8, 0xC]
    bits = {n: f["lsb"] for n, f in r["CTRL"]["fields"].items()}
    assert bits == {"ap_start": 0, "ap_done": 1, "ap_idle": 2, "ap_ready": 3, "ap_continue": 4,
                    "auto_restart": 7, "interrupt": 9}
    assert r["CTRL"]["fields"]["ap_done"]["onread"] == "rclr"
    assert all(f["onwrite"] == "wot" for f in r["ISR"]["fields"].values())
    assert (r["IER"]["fields"]["done"]["lsb"], r["IER"]["fields"]["ready"]["lsb"]) == (0, 1)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
def test_c_header_and_example_compile(tmp_path):
    inc = ROOT / "sw" / "include"
    for src in (ROOT / "sw" / "example" / "qcsr_example.c",):
        r = subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", f"-I{inc}", str(src)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    # the header alone, C++ too (extern "C" guards)
    (tmp_path / "h.cpp").write_text('#include "qcsr_regs.h"\nint main() { return sizeof(qcsr_regs_t) != 0x50; }\n')
    if shutil.which("g++"):
        cmd = ["g++", "-std=c++17", "-Wall", "-Werror", "-fsyntax-only", f"-I{inc}", str(tmp_path / "h.cpp")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


class FakeCore:
    """The register semantics the RDL declares (clear-on-read, toggle-on-write, write-1-to-clear, a FIFO
    with vacancy), modelled independently of the driver, to test the driver's access sequences."""

    def __init__(self, depth: int = 8, drain_per_read: int = 3):
        from qcsr.driver import load_regmap

        self.map = load_regmap()["registers"]
        self.off = {r["offset"]: n for n, r in self.map.items()}
        self.vals = {n: 0 for n in self.map}
        self.vals["ID"] = 0x51435352
        self.vals["BUILD0"] = 2 | 16 << 8 | 6 << 16 | 4 << 24
        self.vals["BUILD1"] = 3 | 3 << 8 | 3 << 16 | 10 << 24 | 6 << 28
        self.vals["MAX_SIZE"] = 64 | 64 << 16
        self.depth, self.drain = depth, drain_per_read
        self.fifo: list[tuple[int, bool]] = []
        self.taken: list[tuple[int, bool]] = []
        self.overruns = 0

    def _field_mask(self, reg, pred):
        return sum(((1 << f["width"]) - 1) << f["lsb"] for f in self.map[reg]["fields"].values() if pred(f))

    def read(self, offset):
        reg = self.off[offset]
        if reg == "CFG_FIFO":        # the parser drains some words between two polls
            for _ in range(min(self.drain, len(self.fifo))):
                self.taken.append(self.fifo.pop(0))
            return (self.depth - len(self.fifo)) | len(self.fifo) << 16
        v = self.vals[reg]
        self.vals[reg] &= ~self._field_mask(reg, lambda f: f["onread"] == "rclr")
        return v

    def write(self, offset, value):
        reg = self.off[offset]
        if reg in ("CFG_DATA", "CFG_LAST"):
            if len(self.fifo) == self.depth:
                self.overruns += 1
            else:
                self.fifo.append((value, reg == "CFG_LAST"))
            return
        wot = self._field_mask(reg, lambda f: f["onwrite"] == "wot")
        w1c = self._field_mask(reg, lambda f: f["onwrite"] == "woclr")
        rw = self._field_mask(reg, lambda f: f["sw"] == "rw" and f["onwrite"] is None)
        v = self.vals[reg]
        v ^= value & wot
        v &= ~(value & w1c)
        v = (v & ~rw) | (value & rw)
        self.vals[reg] = v


def test_driver_packet_never_overruns_the_fifo():
    from qcsr.driver import Qcsr

    core = FakeCore(depth=8, drain_per_read=3)
    words = np.arange(100, 137, dtype=np.uint32)
    Qcsr(core).load_packet(words)
    for _ in range(20):
        core.read(core.map["CFG_FIFO"]["offset"])
    assert core.overruns == 0
    assert [w for w, _ in core.taken] == list(range(100, 137))
    assert [last for _, last in core.taken] == [False] * 36 + [True]


def test_driver_interrupt_ack_and_errors():
    from qcsr.driver import Qcsr

    core = FakeCore()
    drv = Qcsr(core)
    drv.enable_interrupts(["done", "stream_error"])
    assert core.vals["IER"] == 0b101 and core.vals["GIE"] == 1
    core.vals["ISR"] = 0b1001        # done and cfg_rejected pending
    assert drv.ack(["done"]) == ["done"]
    assert core.vals["ISR"] == 0b1000, "ack must write only set bits (toggle on write)"
    core.vals["ERRORS"] = 0b10110
    assert drv.errors() == {"nosof": 0, "early_eol": 1, "late_eol": 1, "cfg_rejected": 0, "cfg_overrun": 1}
    drv.clear_errors()
    assert core.vals["ERRORS"] == 0
    core.vals["CTRL"] = 0b0110       # ap_done, ap_idle
    drv.wait_done(0.1)
    assert core.vals["CTRL"] & 0b10 == 0, "ap_done is clear on read"


def test_driver_refuses_other_builds():
    from qcsr.driver import Qcsr
    from qcsr.resolver import open_model
    from qcsr.util.errors import QcsrError

    core = FakeCore()
    core.vals["BUILD0"] = 2 | 8 << 8 | 6 << 16 | 4 << 24     # C = 8
    with pytest.raises(QcsrError, match="C core 8 model 16"):
        Qcsr(core).check_build(open_model("qcsr_x2_proposed").quant())
    core.vals["ID"] = 0
    with pytest.raises(QcsrError, match="no qcsr core"):
        Qcsr(core).check_build()


def test_hls_map_against_the_vitis_driver():
    """Where Vitis has run csynth (QCSR_HLS_DRIVER = path of its xqcsr_top_hw.h), the offsets it chose are
    the ones rtl/regs/qcsr_hls_regs.rdl predicts and the driver uses."""
    import os
    import re

    from qcsr.driver import load_regmap

    hdr = os.environ.get("QCSR_HLS_DRIVER")
    if not hdr:
        pytest.skip("no Vitis-generated driver header (set QCSR_HLS_DRIVER to xqcsr_top_hw.h)")
    defs = dict(re.findall(r"#define\s+XQCSR_TOP_CONTROL_ADDR_(\w+)\s+0x([0-9a-fA-F]+)", Path(hdr).read_text()))
    regs = load_regmap("hls")["registers"]
    want = {"AP_CTRL": regs["CTRL"]["offset"], "GIE": regs["GIE"]["offset"], "IER": regs["IER"]["offset"],
            "ISR": regs["ISR"]["offset"], "STATUS_DATA": regs["STATUS"]["offset"],
            "STATUS_CTRL": regs["STATUS_CTRL"]["offset"]}
    got = {k: int(defs[k], 16) for k in want if k in defs}
    assert got == want, (got, want)
