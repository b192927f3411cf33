"""Generate every register-map artefact from rtl/regs/qcsr_regs.rdl (`make regs`), or check that the
committed ones are current (`--check`, used by tests/test_regs.py).

PeakRDL does the work (https://peakrdl.readthedocs.io): `peakrdl regblock` (AXI4-Lite register block),
`peakrdl c-header`, `peakrdl markdown`, `peakrdl ip-xact`; systemrdl-compiler walks the same model for the
offsets the Python driver reads (qcsr/regmap.json). Nothing generated is edited by hand.

One post-processing step, mechanical and checked: PeakRDL-regblock declares its hwif and internal types as
unpacked structs, which Yosys (the synthesis reports) does not read; this map has no register arrays, so
every struct is a plain bundle of bit fields and `struct packed` describes the same signals (Verilator
simulates both forms; the regression runs the packed one).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RDL_REL = "rtl/regs/qcsr_regs.rdl"
RDL = ROOT / RDL_REL
HLS_RDL_REL = "rtl/regs/qcsr_hls_regs.rdl"     # the HLS core's map as UG1399 predicts it (driver offsets)

# generated file -> where it lives in the repository
OUTPUTS = {
    "qcsr_regs_pkg.sv": ROOT / "rtl" / "gen" / "qcsr_regs_pkg.sv",
    "qcsr_regs.sv": ROOT / "rtl" / "gen" / "qcsr_regs.sv",
    "qcsr_regs.xml": ROOT / "rtl" / "gen" / "qcsr_regs.xml",
    "qcsr_regs.h": ROOT / "sw" / "include" / "qcsr_regs.h",
    "registers.md": ROOT / "docs" / "registers.md",
    "regmap.json": ROOT / "qcsr" / "regmap.json",
    "registers_hls.md": ROOT / "docs" / "registers_hls.md",
    "regmap_hls.json": ROOT / "qcsr" / "regmap_hls.json",
}


def _peakrdl() -> str:
    exe = Path(sys.executable).parent / "peakrdl"
    return str(exe) if exe.exists() else "peakrdl"


def _run(args: list[str]) -> None:
    # run from the repository root with a relative RDL path: the outputs name the source, and must not
    # depend on where the clone lives
    r = subprocess.run([_peakrdl(), *args], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"error: peakrdl {' '.join(args[:1])} failed:\n{r.stdout}{r.stderr}")


def _pack_structs(path: Path) -> None:
    path.write_text(re.sub(r"\bstruct\s*\{", "struct packed {", path.read_text()))


def regmap_json(rdl: Path) -> dict:
    """Register offsets, fields, access and reset values, read from the compiled SystemRDL model."""
    from systemrdl import RDLCompiler
    from systemrdl.node import FieldNode, RegNode

    rdlc = RDLCompiler()
    rdlc.compile_file(str(rdl))
    top = rdlc.elaborate()
    if any(getattr(n, "is_array", False) for n in top.top.descendants()):
        raise SystemExit("error: the register map has an array: regblock's structs could not be packed")
    regs = {}
    for reg in top.top.descendants():
        if not isinstance(reg, RegNode):
            continue
        fields = {}
        for f in reg.fields():
            assert isinstance(f, FieldNode)
            fields[f.inst_name] = {
                "lsb": f.lsb,
                "width": f.width,
                "sw": f.get_property("sw").name,
                "onread": (f.get_property("onread").name if f.get_property("onread") else None),
                "onwrite": (f.get_property("onwrite").name if f.get_property("onwrite") else None),
                "reset": f.get_property("reset"),
            }
        regs[reg.inst_name] = {"offset": reg.address_offset, "fields": fields,
                               "desc": " ".join((reg.get_property("desc") or "").split())}
    return {"name": top.top.inst_name, "source": str(rdl.relative_to(ROOT)), "size": top.top.size, "registers": regs}


def generate(out: Path) -> None:
    """Write every artefact into the folder `out` (flat, named as the keys of OUTPUTS)."""
    rmap = regmap_json(RDL)           # (also refuses a map whose structs could not be packed)
    hls_map = regmap_json(ROOT / HLS_RDL_REL)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        # passthrough CPU interface: rtl/qcsr_axil_bridge.sv is the AXI4-Lite side, registered both ways (the
        # generated AXI4-Lite front end arbitrates and decodes combinationally: 9 LUT levels on Yosys' map);
        # --rt-read-fanin registers the readback multiplexer halfway (decode + partial OR, then an 8:1 select),
        # which keeps the read path within the 4 LUT levels of docs/timing.md
        _run(["regblock", RDL_REL, "-o", str(tmp / "rb"), "--cpuif", "passthrough", "--default-reset", "rst",
              "--err-if-bad-addr", "--err-if-bad-rw", "--rt-read-fanin"])
        for name in ("qcsr_regs_pkg.sv", "qcsr_regs.sv"):
            shutil.copy(tmp / "rb" / name, out / name)
            _pack_structs(out / name)
        _run(["c-header", RDL_REL, "-o", str(out / "qcsr_regs.h")])
        _run(["markdown", RDL_REL, "-o", str(out / "registers.md")])
        # the VLNV of qcsr.core (FuseSoC name qcsr:sr:qcsr_ip): vendor qcsr, library sr, version of the register map
        _run(["ip-xact", RDL_REL, "-o", str(out / "qcsr_regs.xml"), "--vendor", "qcsr", "--library", "sr",
              "--version", "1"])
        _run(["markdown", HLS_RDL_REL, "-o", str(out / "registers_hls.md")])
    (out / "regmap.json").write_text(json.dumps(rmap, indent=1, sort_keys=True) + "\n")
    (out / "regmap_hls.json").write_text(json.dumps(hls_map, indent=1, sort_keys=True) + "\n")


def stale() -> list[str]:
    """Generated files that differ from (or are missing next to) what the RDL produces now."""
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        generate(tmp)
        return [str(dst.relative_to(ROOT)) for name, dst in OUTPUTS.items()
                if not dst.exists() or not filecmp.cmp(tmp / name, dst, shallow=False)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report generated files that are stale")
    a = ap.parse_args(argv)
    if a.check:
        bad = stale()
        for b in bad:
            print(f"stale: {b} (run `make regs`)")
        return 1 if bad else 0
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        generate(tmp)
        for name, dst in OUTPUTS.items():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp / name, dst)
            print(f"wrote {dst.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
