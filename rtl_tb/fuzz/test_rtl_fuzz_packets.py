"""Packets from the fuzzer (qcsr.fuzz_packets, Hypothesis) through the RTL core's s_axis_cfg, one after the
other: the loader's verdict on each (its accept / reject pulses, in order) must be the golden parser's.
QCSR_FUZZ_PACKETS packets (the batch `make fuzz` runs; CI runs a smaller one), QCSR_FUZZ_SEED."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb
import pytest
from qcsr_tbutil import QcsrTop

MAX_W = int(os.environ.get("QCSR_MAX_W", "64"))
MAX_H = int(os.environ.get("QCSR_MAX_H", "64"))


@cocotb.test()
async def packet_verdicts(dut):
    from cocotb.triggers import RisingEdge

    from qcsr.fuzz_packets import compare, generate
    from qcsr.golden.config_packet import config_words
    from qcsr.golden.packet_rules import Core
    from qcsr.resolver import open_model

    count = int(os.environ.get("QCSR_FUZZ_PACKETS", "50"))
    seed = int(os.environ.get("QCSR_FUZZ_SEED", "1"))
    model = open_model("qcsr_x2_proposed").quant()
    core = Core.of_model(model, MAX_W, MAX_H)
    packets = generate([int(x) for x in config_words(model, 24, 16)], core, count, seed)
    tb = QcsrTop(dut)
    await tb.reset()
    loader = dut.core_inst.cfg_inst
    verdicts: list[bool] = []

    async def watch():
        while True:
            await RisingEdge(dut.ap_clk)
            if int(loader.good.value):
                verdicts.append(True)
            if int(loader.reject.value):
                verdicts.append(False)

    cocotb.start_soon(watch())
    for i, p in enumerate(packets):
        await tb.send_cfg(p, timeout_cycles=20 * len(p) + 20_000)
        # the verdict is out a few cycles after TLAST; a good packet is then committed and loaded (the core
        # is idle), which holds TREADY low until the next packet may come
        for _ in range(40):
            await RisingEdge(dut.ap_clk)
            if len(verdicts) > i:
                break
        assert len(verdicts) == i + 1, f"packet {i} ({len(p)} words): {len(verdicts) - i} verdicts"
    r = compare(packets, core, verdicts)
    out = os.environ.get("QCSR_FUZZ_JSON")
    if out:
        Path(out).write_text(json.dumps(r, indent=1) + "\n")
    assert not r["disagreements"], r["disagreements"][:5]
    tb.log.info("%d packets, classes %s, 0 disagreements", r["cases"], r["classes"])


def test_fuzz_packets_rtl(tmp_path):
    """A batch of fuzzed packets through the RTL core (FOLD 1, MAX 64 x 64), verdicts equal golden's."""
    from qcsr_tbutil import rtl_sources, run_cocotb

    env = {"QCSR_MAX_W": "64", "QCSR_MAX_H": "64",
           "QCSR_FUZZ_PACKETS": os.environ.get("QCSR_FUZZ_PACKETS", "50"),
           "QCSR_FUZZ_JSON": os.environ.get("QCSR_FUZZ_JSON", str(tmp_path / "rtl.json"))}
    run_cocotb("qcsr_top", "test_rtl_fuzz_packets", rtl_sources(), {"MAX_W": 64, "MAX_H": 64, "FOLD": 1}, extra_env=env)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
