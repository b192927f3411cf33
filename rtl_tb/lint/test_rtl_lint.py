"""Verilator -Wall lint of every RTL module (each as the top, so every module's own parameters and
ports are checked): no warning at all, and every in-place waiver carries its reason.

Also the language rule IEEE 1800 9.2.2.4 (a variable written by an always_ff is written by no other
process): no `initial` block in rtl/ except elaboration-time checks ($fatal under `ifndef SYNTHESIS`);
power-up values are declaration initialisers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from qcsr_tbutil import ensure_verilator, rtl_sources

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "rtl").glob("*.sv"))          # hand-written, one module per file
COMPILE = rtl_sources(ROOT / "rtl")                      # + the generated register block, in order
VLT = ROOT / "rtl" / "qcsr.vlt"                          # waivers for the generated files


def _module(path: Path) -> str:
    m = re.search(r"^module\s+(\w+)", path.read_text(), re.M)
    assert m, path
    return m.group(1)


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_verilator_lint_wall(src):
    ensure_verilator()
    cmd = ["verilator", "--lint-only", "-Wall", "--top-module", _module(src), str(VLT), *map(str, COMPILE)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "%Warning" not in out and "%Error" not in out, out


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_waivers_have_reasons(src):
    """A lint_off carries a // reason on its line, or a comment on the line before or after it."""
    lines = src.read_text().splitlines()
    for i, line in enumerate(lines):
        if "verilator lint_off" not in line:
            continue
        same = "//" in line.split("*/", 1)[-1]
        before = i > 0 and lines[i - 1].strip().startswith("//")
        after = i + 1 < len(lines) and "//" in lines[i + 1]
        assert same or before or after, f"{src.name}:{i + 1}: waiver without a reason: {line.strip()}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_no_initial_assignments(src):
    text = src.read_text()
    for m in re.finditer(r"^\s*initial\b(.*)$", text, re.M):
        before = text[:m.start()]
        guarded = before.rfind("`ifndef SYNTHESIS") > before.rfind("`endif")
        body = text[m.start():m.start() + 300]
        assert guarded and "$fatal" in body, f"{src.name}: an initial block that is not an elaboration check"
