"""`qcsr export --format qonnx / qonnx-f64`: qonnx's own executor (`execute_onnx`: Quant in NumPy, every
standard node in ONNX Runtime) reproduces the golden engine's integers, np.array_equal, on the vector set
and on random full-range models."""

from __future__ import annotations

import numpy as np
import pytest

from qcsr.cli import main
from qcsr.fixedpoint.bicubic import upscale2x_u8
from qcsr.fixedpoint.colour import rgb_to_ycbcr, ycbcr_to_rgb
from qcsr.golden.engine import GoldenEngine
from qcsr.golden.vectors import adversarial_inputs, read_array, read_index
from qcsr.resolver import shipped_models

pytest.importorskip("qonnx")
from qcsr.interop_report import random_full_range_model  # noqa: E402
from qcsr.qonnx_export import FLOAT32_EXACT, accumulator_peaks, build_qonnx, execute  # noqa: E402


@pytest.fixture(scope="module")
def models():
    return shipped_models()


def _vectors(vectors_dir):
    index = read_index(vectors_dir)
    for v in index["vectors"]:
        rgb = read_array(vectors_dir / v["name"], v["files"]["input_rgb"])
        yield v, rgb, read_array(vectors_dir / v["name"], v["files"]["output_rgb"])


def _luma(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ycc = rgb_to_ycbcr(rgb)
    return np.ascontiguousarray(ycc[..., 0]), ycc


def _check_vectors(vectors_dir, models, precision: str, only: set[str] | None = None) -> int:
    protos = {k: build_qonnx(m, precision) for k, m in models.items()}
    n = 0
    for v, rgb, expected_rgb in _vectors(vectors_dir):
        if only is not None and v["name"] not in only:
            continue
        y, ycc = _luma(rgb)
        y_hr = execute(protos[v["model"]], y)
        assert np.array_equal(y_hr, GoldenEngine(models[v["model"]]).upscale_luma(y)), v["name"]
        # with the fixed chroma path, the vector's stored RGB output (written by `make golden`)
        rgb_hr = ycbcr_to_rgb(np.stack([y_hr, upscale2x_u8(ycc[..., 1]), upscale2x_u8(ycc[..., 2])], axis=-1))
        assert np.array_equal(rgb_hr, expected_rgb), v["name"]
        n += 1
    return n


def test_float32_graph_is_exact_on_every_vector(vectors_dir, models):
    lumas: dict[str, list[np.ndarray]] = {}
    for v, rgb, _ in _vectors(vectors_dir):
        lumas.setdefault(v["model"], []).append(_luma(rgb)[0])
    for k, ys in lumas.items():  # the documented precondition: every partial sum a float32 integer
        peaks = accumulator_peaks(models[k], ys)
        assert max(peaks.values()) < FLOAT32_EXACT, (k, peaks)
    assert _check_vectors(vectors_dir, models, "float32") == sum(len(v) for v in lumas.values())


@pytest.mark.slow  # in CI the float64 graph runs on the random full-range model below
def test_float64_graph_is_exact_on_every_vector(vectors_dir, models):
    assert _check_vectors(vectors_dir, models, "float64") > 20


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_random_full_range_model(seed):
    qm = random_full_range_model(seed)
    adv = adversarial_inputs()
    frames = [_luma(adv[k])[0] for k in ("saltpepper_24x16", "ones255_16x12", "noise_rgb_20x14")]
    # the regime float32 cannot guarantee (partial sums past 2^24): the float64 graph must still be exact
    assert max(accumulator_peaks(qm, frames).values()) >= FLOAT32_EXACT
    f64 = build_qonnx(qm, "float64")
    for y in frames:
        assert np.array_equal(execute(f64, y), GoldenEngine(qm).upscale_luma(y))


def test_export_cli_writes_a_qonnx_model(tmp_path):
    import onnx

    out = tmp_path / "p.onnx"
    assert main(["export", "qcsr_x2_proposed", str(out), "--format", "qonnx"]) == 0
    m = onnx.load(out)
    ops = {n.op_type for n in m.graph.node}
    assert {"Quant", "Conv", "DepthToSpace", "Pad", "Add"} <= ops
    quant = [n for n in m.graph.node if n.op_type == "Quant"]
    assert all(n.domain == "qonnx.custom_op.general" for n in quant)
    props = {p.key: p.value for p in m.metadata_props}
    assert props["qcsr.model"] == "qcsr_x2_proposed" and props["qcsr.precision"] == "float32"


def test_export_cli_refuses_a_baseline(tmp_path, capsys):
    out = tmp_path / "b.onnx"
    assert main(["export", "bicubic", str(out), "--format", "qonnx"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("qcsr: error:") and "baseline" in err[0]
    assert not out.exists()
