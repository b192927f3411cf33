"""The FuseSoC core description (qcsr.core): its source lists are rtl/qcsr_rtl_sources.py's, the lint and
sim targets pass under FuseSoC + edalize (Verilator), and the Vivado target's project setup names every
source, the part and the XDC."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "rtl"))
from qcsr_rtl_sources import rtl_sources  # noqa: E402

CORE = "qcsr:sr:qcsr_ip"


def core_yaml() -> dict:
    return yaml.safe_load((ROOT / "qcsr.core").read_text().split("\n", 1)[1])


def fusesoc(*args: str, build_root: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "fusesoc"
    env = dict(os.environ)
    root = Path(sys.executable).parent.parent / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    ver = root / "site-packages" / "verilator"
    if ver.is_dir():
        env.setdefault("VERILATOR_ROOT", str(ver))
        env["PATH"] = f"{ver / 'bin'}:{Path(sys.executable).parent}:{env['PATH']}"
    return subprocess.run([str(exe), "--cores-root", str(ROOT), "run", "--build-root", str(build_root), *args, CORE],
                          cwd=ROOT, capture_output=True, text=True, env=env)


def test_core_lists_the_rtl_sources_in_order():
    fs = core_yaml()["filesets"]
    listed = fs["regs"]["files"] + fs["rtl"]["files"]
    assert listed == [str(p.relative_to(ROOT)) for p in rtl_sources(ROOT / "rtl")]
    assert fs["constraints"]["files"] == ["constr/qcsr_ip.xdc"]


def test_vivado_setup_names_sources_part_and_xdc(tmp_path):
    r = fusesoc("--setup", "--target", "vivado", build_root=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    tcl = next(tmp_path.rglob("qcsr_sr_qcsr_ip_0.1.0.tcl")).read_text()
    assert "set_property part xczu7ev-ffvc1156-2-e [current_project]" in tcl
    read = [line.split("{", 1)[1].rstrip("}").split("/", 2)[2] for line in tcl.splitlines()
            if line.startswith("read_verilog -sv")]
    assert read == [str(p.relative_to(ROOT)) for p in rtl_sources(ROOT / "rtl")]
    assert "read_xdc {src/qcsr_sr_qcsr_ip_0.1.0/constr/qcsr_ip.xdc}" in tcl
    assert "set_property top qcsr_ip [current_fileset]" in tcl
    assert "FOLD=2" in tcl and "MAX_W=1920" in tcl


def test_lint_target(tmp_path):
    r = fusesoc("--target", "lint", build_root=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "%Warning" not in out and "%Error" not in out, out


def test_sim_target(tmp_path):
    """The Verilator smoke simulation of qcsr_ip (rtl_tb/fusesoc/qcsr_ip_smoke.sv) through FuseSoC."""
    r = fusesoc("--target", "sim", build_root=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "qcsr_ip smoke test passed" in out, out[-4000:]


def test_synth_setup_names_sources_and_yosys_flow(tmp_path):
    """The Yosys target's generated script: the register block through yosys-slang (the Tcl file, before any
    read_verilog), every other source through read_verilog, the parameters, synth_xilinx for UltraScale+."""
    r = fusesoc("--setup", "--target", "synth", build_root=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    procs = next(tmp_path.rglob("edalize_yosys_procs.tcl")).read_text()
    lines = [ln for ln in procs.splitlines() if ln.startswith(("read_verilog -sv", "source {"))]
    assert lines[0].startswith("source {") and lines[0].endswith("rtl/regs/yosys_read_regs.tcl}"), lines
    read = [ln.split("{", 1)[1].rstrip("}").split("/", 2)[2] for ln in lines[1:]]
    srcs = [str(p.relative_to(ROOT)) for p in rtl_sources(ROOT / "rtl")]
    assert read == [s for s in srcs if s != "rtl/gen/qcsr_regs.sv"]
    # the Tcl file finds the block beside the package in the exported tree
    tcl = next(tmp_path.rglob("yosys_read_regs.tcl"))
    assert (tcl.parent.parent / "gen" / "qcsr_regs.sv").is_file()
    assert "read_slang" in tcl.read_text()
    assert "synth_xilinx -family xcup -top $top" in procs
    assert "chparam -set FOLD 2 qcsr_ip" in procs
