"""Static checks of the HLS source (hls/) for constructs Vitis HLS would reject, serialise or
leave without reset (docs/hls.md, "Vendor-tool checks"). Comments are stripped before matching."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted([*ROOT.glob("hls/*.h"), *ROOT.glob("hls/*.cpp")])


def _code(path: Path) -> str:
    """The file without // and /* */ comments."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def test_core_files_found():
    names = {p.name for p in CORE}
    assert {"qcsr_top.cpp", "qcsr_cfg_loader.h", "qcsr_framer.h"} <= names


def test_no_non_blocking_stream_access():
    """UG1399 (2020.2-2022.2): non-blocking access only on ap_fifo ports, never on axis; the core has none."""
    found = [f"{p.name}: {m.group(0)}" for p in CORE
             for m in re.finditer(r"\.\s*(empty|full|read_nb|write_nb)\s*\(", _code(p))]
    assert not found, found


def test_top_ports_and_reset():
    top = _code(ROOT / "hls" / "qcsr_top.cpp")
    pragmas = re.findall(r"#pragma HLS (.*)", top)
    norm = [" ".join(p.replace("=", " = ").split()) for p in pragmas]
    # every AXI4-Stream port is axis, the packet-waiting input is a plain wire
    for port in ("s_axis_video", "m_axis_video", "s_axis_cfg"):
        assert any(p.startswith("INTERFACE mode = axis port = " + port) for p in norm), norm
    assert "INTERFACE mode = ap_none port = cfg_pending" in norm, norm
    # the carried control state is reset by ap_rst_n, the weight store is not
    assert "RESET variable = g_state" in norm, norm
    assert "RESET variable = g_store off" in norm, norm
    assert re.search(r"volatile const bool\s*\*\s*cfg_pending", top), "cfg_pending must be read at each decision"


def test_no_runtime_index_into_stream_arrays():
    """cfg_distribute's layer loop is unrolled, so layer_cfg[l] has a constant index; the region gets
    the active shifts as one packed scalar, not a sub-array selected by the active half."""
    loader = _code(ROOT / "hls" / "qcsr_cfg_loader.h")
    body = loader[loader.index("void cfg_distribute"):]
    body = body[:body.index("layer_cfg[l].write")]
    assert "#pragma HLS UNROLL" in body, body
    top = _code(ROOT / "hls" / "qcsr_top.cpp")
    assert not re.search(r"cfg\.s\[h\]", top), "a sub-array selected at run time crosses the region"


def test_loop_tripcounts_on_frame_loops():
    """Every loop bounded by the run-time frame size carries LOOP_TRIPCOUNT (csynth's latency)."""
    for name in ("qcsr_dw_stage.h", "qcsr_pw_stage.h", "qcsr_bicubic.h", "qcsr_framer.h", "qcsr_rgb2ycbcr.h",
                 "qcsr_residual.h", "qcsr_ycbcr2rgb.h", "qcsr_out_reorder.h", "qcsr_slot_delay.h"):
        code = _code(ROOT / "hls" / name)
        loops = len(re.findall(r"for \(step_t i|for \(int r = 0; r <= int\(H\)|for \(int j = 0; j < 2 \* int\(B\)",
                               code))
        assert loops >= 1, name
        assert code.count("LOOP_TRIPCOUNT") >= loops, name


def test_no_divider_in_weight_load():
    code = _code(ROOT / "hls" / "qcsr_cfg_loader.h")
    body = code[code.index("shift_t load_layer"):]
    assert "/ K" not in body and "% K" not in body, body


def test_tcl_runs_the_vitis_form_testbench():
    tcl = (ROOT / "hls" / "scripts" / "run_hls.tcl").read_text()
    tb = [line for line in tcl.splitlines() if line.strip().startswith("add_files -tb")]
    assert tb == ["add_files -tb $root/hls/tb/qcsr_tb_vitis.cpp -cflags $tbflags"], tb
    assert "hls/tb/sim" not in re.sub(r"#[^\n]*", "", tcl)
    assert "csim_design" in tcl and "cosim_design" in tcl
