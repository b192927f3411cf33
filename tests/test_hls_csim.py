"""HLS core C simulation (hls/): builds both testbenches with g++ and runs them on the golden vectors:
the per-clock testbench (hls/tb/qcsr_tb.cpp, the project's stream model) and the one in Vitis' form
(hls/tb/qcsr_tb_vitis.cpp, Xilinx's hls_stream.h, what run_hls.tcl's csim/cosim run).

Also checks that the testbench can fail: one weight word, or one shift word, of a vector's
configuration packet is changed (a consistent model, so the golden engine re-derives the new
expected frame); the csim must then report a mismatch against the old expected frame, and match
the new one exactly -- the core computes with the loaded packet, nothing is built in.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from qcsr.fixedpoint.quant_model import QuantFormats, build_quant_model
from qcsr.golden.config_packet import model_from_words
from qcsr.golden.vectors import Vector, read_array, read_index, write_vectors

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


@pytest.fixture(scope="session", params=[1, 2], ids=lambda f: f"FOLD{f}")
def csim_fold(request) -> int:
    """Both csim binaries of the core built with FOLD = 1 or 2 (PIPELINE II = FOLD, ALLOCATION)."""
    if shutil.which("g++") is None or shutil.which("make") is None:
        pytest.skip("g++/make not available")
    fold = request.param
    r = subprocess.run(["make", "-s", "hls-csim-build", f"HLS_FOLDS={fold}"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return fold


@pytest.fixture()
def csim_bin(csim_fold) -> Path:
    return ROOT / "build" / "hls" / f"fold{csim_fold}" / "qcsr_csim"


@pytest.fixture(params=["per-clock", "vitis"])
def csim_kind(request, csim_fold) -> tuple[Path, str]:
    """Either testbench, with the prefix of its per-vector test names."""
    if request.param == "vitis":
        return ROOT / "build" / "hls" / f"fold{csim_fold}" / "qcsr_csim_vitis", "vitis:seq:"
    return ROOT / "build" / "hls" / f"fold{csim_fold}" / "qcsr_csim", "seq:"


def run_csim(binary: Path, vectors: Path, *args: str) -> tuple[int, str, int, int]:
    r = subprocess.run([str(binary), *args, str(vectors)], capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    m = SUMMARY.search(out)
    assert m, f"no summary line in the csim output:\n{out}"
    return r.returncode, out, int(m.group(1)), int(m.group(2))


def test_hls_csim_all_vectors(csim_bin, vectors_dir):
    rc, out, passed, failed = run_csim(csim_bin, vectors_dir)
    assert rc == 0 and failed == 0, out
    names = [v["name"] for v in read_index(vectors_dir)["vectors"]]
    for name in names:  # every vector was compared, none skipped silently
        assert f"PASS seq:{name}\n" in out, out
    for scenario in ("repeat:throughput", "switch:weights", "malformed:missing_sof", "malformed:early_eol",
                     "malformed:late_eol", "malformed:sof_mid_frame", "malformed:no_config",
                     "malformed:cfg_packets", "reset:", "backpressure:", "unit:requant",
                     "malformed:early_eol_queued_sof", "cfg:pending_packet_holds"):
        assert f"PASS {scenario}" in out, f"{scenario} did not pass:\n{out}"
    assert passed >= 2 * len(names)


def test_hls_csim_vitis_form(csim_fold, vectors_dir):
    """The Vitis-form testbench: every vector, weight switches, the data-level malformed frames and
    rejected packets (each followed by a good packet that must become active)."""
    binary = ROOT / "build" / "hls" / f"fold{csim_fold}" / "qcsr_csim_vitis"
    rc, out, passed, failed = run_csim(binary, vectors_dir)
    assert rc == 0 and failed == 0, out
    assert "WARNING: Hls::stream" not in out, out  # no read of an empty stream, no leftover data
    names = [v["name"] for v in read_index(vectors_dir)["vectors"]]
    for name in names:
        assert f"PASS vitis:seq:{name}\n" in out, out
    for scenario in ("vitis:repeat", "vitis:switch:weights", "vitis:malformed:missing_sof",
                     "vitis:malformed:no_config", "vitis:malformed:early_eol_row1", "vitis:malformed:late_eol_row0",
                     "vitis:malformed:sof_mid_frame", "vitis:malformed:sof_with_tlast", "vitis:malformed:cfg_packets"):
        assert f"PASS {scenario}" in out, f"{scenario} did not pass:\n{out}"


def test_vitis_form_builds_on_xilinx_stream_header(csim_fold):
    """The Vitis-form objects are compiled with the ap_types folder (Xilinx's hls_stream.h) and no
    project-local stream model on the include path; the compiler's dependency list proves which
    hls_stream.h it read."""
    r = subprocess.run(["make", "-s", "-n", "-B", f"build/hls/fold{csim_fold}/vitis/qcsr_top.o",
                        f"build/hls/fold{csim_fold}/vitis/qcsr_tb_vitis.o"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cmds = [line for line in r.stdout.splitlines() if " -c " in line]
    assert len(cmds) == 2, r.stdout
    for cmd in cmds:
        assert "hls/tb/sim" not in cmd, cmd
        deps = subprocess.run(cmd.replace(" -c ", " -M ").split(" -o ")[0].split(), cwd=ROOT, capture_output=True,
                              text=True)
        assert deps.returncode == 0, deps.stderr
        streams = [d for d in deps.stdout.replace("\\\n", " ").split() if d.endswith("hls_stream.h")]
        assert streams and all("ap_types" in d or "XILINX" in d.upper() for d in streams), streams


def _one_vector(vectors_dir: Path):
    index = read_index(vectors_dir)
    v = next(x for x in index["vectors"] if x["kind"] == "real")
    return index, v


def _perturbed_sets(tmp_path: Path, vectors_dir: Path, change: str) -> tuple[Path, Path, str]:
    """Two one-vector sets for the perturbed model: its own golden output, and the original one."""
    index, v = _one_vector(vectors_dir)
    d = vectors_dir / v["name"]
    words = read_array(d, v["files"]["cfg"])
    rgb = read_array(d, v["files"]["input_rgb"]).copy()
    fmt = index["models"][v["model"]]["formats"]
    fw, fa = list(fmt["fw"]), list(fmt["fa"])
    model = model_from_words(words, fw, fa)
    weights = [layer.weights.copy() for layer in model.layers]
    if change == "weight":  # one head weight, kept in range
        w = weights[0]
        w[0, 0, 1, 1] = w[0, 0, 1, 1] + 1 if w[0, 0, 1, 1] < 511 else w[0, 0, 1, 1] - 1
    else:  # one layer's shift: fw + 1 changes that layer's shift word only
        fw[6] += 1
    new = build_quant_model(model.arch, weights, QuantFormats(fw, fa, 10, 14))
    own = write_vectors(tmp_path / "own", {v["model"]: new}, [Vector(v["name"], v["kind"], v["model"], rgb)]).parent
    new_words = read_array(own / v["name"], {"file": "cfg.bin", "dtype": "uint32", "shape": [len(words)]})
    assert np.count_nonzero(new_words != words) == 1, "the perturbation must change exactly one packet word"
    new_out = read_array(own / v["name"], {"file": "output_rgb.bin", "dtype": "uint8", "shape": [2 * v["height"],
                                                                                               2 * v["width"], 3]})
    assert not np.array_equal(new_out, read_array(d, v["files"]["output_rgb"])), "perturbation has no effect"
    stale = tmp_path / "stale"
    shutil.copytree(own, stale)
    shutil.copyfile(d / v["files"]["output_rgb"]["file"], stale / v["name"] / "output_rgb.bin")
    return own, stale, v["name"]


@pytest.mark.parametrize("change", ["weight", "shift"])
def test_hls_csim_detects_a_changed_packet_word(csim_kind, vectors_dir, tmp_path, change):
    binary, prefix = csim_kind
    own, stale, name = _perturbed_sets(tmp_path, vectors_dir, change)
    rc, out, passed, failed = run_csim(binary, stale, "--only", prefix)
    assert rc != 0 and failed == 1 and passed == 0, out
    assert f"FAIL {prefix}{name}" in out, out
    rc, out, passed, failed = run_csim(binary, own, "--only", prefix)
    assert rc == 0 and passed == 1 and failed == 0, out
