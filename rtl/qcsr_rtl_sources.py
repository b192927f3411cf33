"""The RTL core's source list, in compile order: the generated register package and block (rtl/gen/,
from `make regs`; they carry no `timescale, so they come before every file that does), the hand-written
packages (rtl/pkg/), then one module per file in rtl/. The tests, the synthesis and place-and-route reports
and the lint use it (`sys.path` gets rtl/, then `from qcsr_rtl_sources import rtl_sources`);
tests/test_fusesoc.py checks that qcsr.core lists the same files."""

from __future__ import annotations

from pathlib import Path

RTL = Path(__file__).resolve().parent
VLT = RTL / "qcsr.vlt"  # Verilator waivers for the generated files (no in-place waivers there)


def rtl_sources(directory: Path | None = None) -> list[Path]:
    """The generated package, the other generated files, the hand-written packages, then the modules."""
    d = Path(directory or RTL)
    gen = d / "gen"
    pkgs = sorted(gen.glob("*_pkg.sv"))
    others = sorted(p for p in gen.glob("*.sv") if p not in pkgs)
    files = pkgs + others + sorted((d / "pkg").glob("*.sv")) + sorted(list(d.glob("*.sv")) + list(d.glob("*.v")))
    if not files:
        raise FileNotFoundError(f"no .sv/.v sources in {d}")
    return files


def yosys_read(sources: list[Path] | None = None, rel: Path | None = None) -> str:
    """Yosys commands that read the sources: the generated register block through yosys-slang (`read_slang`,
    a complete SystemVerilog front end: PeakRDL-regblock's retimed readback uses unpacked arrays and
    functions Yosys' own parser rejects), everything else through `read_verilog -sv`. Paths relative to
    `rel` when given (YoWASP's Yosys sees only its working directory)."""
    files = list(sources or rtl_sources())

    def name(p: Path) -> str:
        return str(p.relative_to(rel)) if rel else str(p)

    gen = [p for p in files if p.parent.name == "gen" and p.suffix == ".sv"]
    pkgs = [p for p in gen if p.name.endswith("_pkg.sv")]
    tops = [p.stem for p in gen if p not in pkgs]
    hand = [p for p in files if p not in gen]
    cmds = []
    if tops:
        cmds.append("read_slang -j 1 " + " ".join(name(p) for p in gen) + "".join(f" --top {t}" for t in tops))
    cmds.append("read_verilog -sv " + " ".join(name(p) for p in pkgs + hand))
    return "; ".join(cmds)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--yosys"]:
        print(yosys_read(rel=RTL.parent))
    else:
        print(" ".join(str(p.relative_to(RTL.parent)) for p in rtl_sources()))
