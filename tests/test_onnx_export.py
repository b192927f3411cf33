"""`qcsr export --format onnx`: ONNX Runtime (an executor this project did not write) against PyTorch float on
real images and a 1080p frame, the exported model's Set5/Set14 PSNR against `qcsr eval --engine float`, and
the CLI's refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qcsr.cli import main

ort = pytest.importorskip("onnxruntime")
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture(scope="module", params=["qcsr_x2_proposed", "qcsr_x2_bicubic"])
def exported(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("onnx") / f"{request.param}.onnx"
    assert main(["export", request.param, str(out)]) == 0
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    return request.param, ort.InferenceSession(str(out), so, providers=["CPUExecutionProvider"])


def _torch(model: str, y: np.ndarray) -> np.ndarray:
    import torch

    from qcsr.resolver import open_model

    net = open_model(model).float_net().float()
    with torch.no_grad():
        out = net(torch.from_numpy(y.astype(np.float32) / 255.0)[None, None]) * 255.0
    return torch.clamp(out, 0, 255)[0, 0].numpy()


def _ort(sess, y: np.ndarray) -> np.ndarray:
    return sess.run(None, {"y": y.astype(np.float32)[None, None]})[0][0, 0]


def _real_images() -> dict[str, np.ndarray]:
    from skimage import data

    from qcsr.fixedpoint.colour import luma_u8

    return {"camera": data.camera()[100:300, 50:330], "astronaut": luma_u8(data.astronaut()[:301, :257]),
            "coffee": luma_u8(data.coffee()[:180, :240]), "coins": data.coins()}


def test_ort_equals_torch_on_real_images(exported):
    model, sess = exported
    for name, y in _real_images().items():
        a, b = _ort(sess, y), _torch(model, y)
        assert a.shape == (2 * y.shape[0], 2 * y.shape[1])
        err = float(np.abs(a - b).max())
        assert err <= 1e-4 * 255, f"{model} {name}: |ORT - torch| up to {err} (on the 0..255 scale)"


def test_ort_equals_torch_at_1080p(exported):
    from skimage import data
    from skimage.transform import resize

    from qcsr.fixedpoint.colour import luma_u8

    model, sess = exported
    if model != "qcsr_x2_proposed":
        pytest.skip("one model at 1080p is enough")
    y = (resize(luma_u8(data.astronaut()), (1080, 1920), order=1) * 255).round().astype(np.uint8)
    a, b = _ort(sess, y), _torch(model, y)
    assert a.shape == (2160, 3840)
    assert float(np.abs(a - b).max()) <= 1e-4 * 255


def test_graph_is_standard_onnx(exported, tmp_path):
    import onnx

    model, _ = exported
    out = tmp_path / "m.onnx"
    assert main(["export", model, str(out)]) == 0
    g = onnx.load(str(out))
    assert all(o.domain in ("", "ai.onnx") for o in g.opset_import)
    ops = {n.op_type for n in g.graph.node}
    assert {"Conv", "Relu", "DepthToSpace", "Pad", "Clip", "Add"} <= ops, ops
    dims = [d.dim_param or d.dim_value for d in g.graph.input[0].type.tensor_type.shape.dim]
    assert isinstance(dims[2], str) and isinstance(dims[3], str), dims      # dynamic height and width


@pytest.mark.skipif(not (DATA / "Set5").is_dir(), reason="../shared/datasets absent")
def test_psnr_equals_float_engine(exported):
    """Set5 and Set14 PSNR through ONNX Runtime (rounded half up, as the float engine) within 0.01 dB."""
    from qcsr.evaluate import SCALE, make_lr
    from qcsr.fixedpoint.colour import luma_ref, luma_u8
    from qcsr.pipeline import luma_upscaler
    from qcsr.util.imaging import list_images, load_image, modcrop
    from qcsr.util.metrics import psnr

    model, sess = exported
    if model != "qcsr_x2_proposed":
        pytest.skip("one model on the datasets is enough")
    ref_fn = luma_upscaler(model, "float")
    for s in ("Set5", "Set14"):
        a, b = [], []
        for f in list_images(DATA / s):
            hr = modcrop(load_image(f), SCALE)
            lr = make_lr(hr, "clean")
            y_ort = np.clip(np.floor(_ort(sess, luma_u8(lr)).astype(np.float64) + 0.5), 0, 255).astype(np.uint8)
            a.append(psnr(luma_ref(hr), y_ort, SCALE))
            b.append(psnr(luma_ref(hr), ref_fn(lr), SCALE))
        assert abs(np.mean(a) - np.mean(b)) < 0.01, (s, np.mean(a), np.mean(b))


def test_export_refuses_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a model")
    for args, text in [([str(bad), str(tmp_path / "o.onnx")], "not a qcsr model file"),
                       (["qcsr_x2_proposed", str(tmp_path / "o.onnx"), "--format", "tflite"], "unknown export format"),
                       (["bicubic", str(tmp_path / "o.onnx")], "baseline"),
                       (["qcsr_x2_proposed", str(tmp_path / "o.txt")], ".onnx")]:
        rc = main(["export", *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and err[0].startswith("qcsr: error:") and text in err[0], (args, err)
        assert not list(tmp_path.glob("o*")) and not list(tmp_path.glob(".o*"))
