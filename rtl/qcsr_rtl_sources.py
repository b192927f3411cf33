"""The RTL core's source list, in compile order: the generated register package and block (rtl/gen/,
from `make regs`), then one module per file in rtl/. The tests, the synthesis and place-and-route reports
and the lint use it (`sys.path` gets rtl/, then `from qcsr_rtl_sources import rtl_sources`);
tests/test_fusesoc.py checks that qcsr.core lists the same files."""

from __future__ import annotations

from pathlib import Path

RTL = Path(__file__).resolve().parent
VLT = RTL / "qcsr.vlt"  # Verilator waivers for the generated files (no in-place waivers there)


def rtl_sources(directory: Path | None = None) -> list[Path]:
    """Packages first (rtl/gen/*_pkg.sv), then the other generated files, then the hand-written modules."""
    d = Path(directory or RTL)
    gen = d / "gen"
    pkgs = sorted(gen.glob("*_pkg.sv"))
    others = sorted(p for p in gen.glob("*.sv") if p not in pkgs)
    files = pkgs + others + sorted(list(d.glob("*.sv")) + list(d.glob("*.v")))
    if not files:
        raise FileNotFoundError(f"no .sv/.v sources in {d}")
    return files


if __name__ == "__main__":
    print(" ".join(str(p.relative_to(RTL.parent)) for p in rtl_sources()))
