"""CI's bounded sample of `make fuzz` for configuration packets: a few hundred Hypothesis packets through the
golden parser and the HLS loader (C simulation of cfg_parse_packet), verdicts equal on every one; the RTL
batch is rtl_tb/fuzz/test_rtl_fuzz_packets.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hls_exe() -> Path:
    if shutil.which("g++") is None or shutil.which("make") is None:
        pytest.skip("g++/make not available")
    exe = ROOT / "build" / "hls" / "fold1" / "qcsr_packet_verdicts"
    r = subprocess.run(["make", "-s", str(exe.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return exe


def test_golden_and_hls_agree(hls_exe, tmp_path):
    from qcsr.fuzz_packets import run

    r = run(400, hls_exe, tmp_path, seed=7, progress=lambda _m: None)
    assert r["cases"] == 400
    assert not r["disagreements"], r["disagreements"][:5]
    # the sample reaches both verdicts and most rule classes (else it would prove nothing)
    c = r["classes"]
    assert c.get("accepted", 0) >= 50, c
    assert len([k for k in c if k != "accepted"]) >= 8, c


def test_hls_harness_sees_a_broken_loader(hls_exe, tmp_path):
    """The comparison can fail: verdicts flipped on a few packets are reported as disagreements."""
    from qcsr.fuzz_packets import compare, generate, hls_verdicts
    from qcsr.golden.config_packet import config_words
    from qcsr.golden.packet_rules import Core
    from qcsr.resolver import open_model

    model = open_model("qcsr_x2_proposed").quant()
    core = Core.of_model(model)
    packets = generate([int(x) for x in config_words(model, 32, 32)], core, 30, seed=3)
    v = hls_verdicts(hls_exe, packets, tmp_path)
    assert not compare(packets, core, v)["disagreements"]
    flipped = [not x if i % 7 == 0 else x for i, x in enumerate(v)]
    assert len(compare(packets, core, flipped)["disagreements"]) == len(range(0, 30, 7))
