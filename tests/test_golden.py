"""golden.engine (NumPy) == QuantQCSRNet exact mode (torch) on every named integer tensor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from skimage import data

from qcsr.fixedpoint.arch import Arch
from qcsr.fixedpoint.bicubic import upscale2x_u8
from qcsr.fixedpoint.colour import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb
from qcsr.fixedpoint.model_file import load_quant_model, save_quant_model
from qcsr.fixedpoint.quant_model import QuantFormats, QuantModel
from qcsr.golden.engine import GoldenEngine, pixel_shuffle, upscale
from qcsr.model import ZOO
from qcsr.model.checkpoint import load_model
from qcsr.model.network import QCSRNet
from qcsr.model.quant_net import QuantQCSRNet, calibrate, calibration_images

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]
ZOO_MODEL = ZOO / "qcsr_x2_bicubic.pt"


def lum(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else rgb_to_y(img)


def _checker(h: int, w: int, period: int) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return np.where(((yy // period) + (xx // period)) % 2, 255, 0).astype(np.uint8)


def _lines(h: int, w: int) -> np.ndarray:
    img = np.full((h, w), 40, np.uint8)
    img[h // 2, :] = 255
    img[:, w // 3] = 255
    img[:, -1] = 0
    return img


RNG = np.random.default_rng(7)
INPUTS: dict[str, np.ndarray] = {
    "camera": data.camera()[200:240, 220:268],
    "camera_large": data.camera()[100:196, 150:278],
    "astronaut_large_rgb": data.astronaut()[20:84, 150:246],
    "astronaut_rgb": data.astronaut()[60:96, 180:220],
    "coffee_rgb": data.coffee()[150:182, 300:340],
    "zeros": np.zeros((12, 10), np.uint8),
    "full": np.full((11, 9), 255, np.uint8),
    "checker1": _checker(16, 14, 1),
    "checker2": _checker(13, 17, 2),
    "saturating_noise": np.where(RNG.random((20, 18)) < 0.5, 0, 255).astype(np.uint8),
    "noise_rgb": RNG.integers(0, 256, (9, 11, 3), dtype=np.uint8),
    "lines": _lines(15, 12),
    "odd_7x5": RNG.integers(0, 256, (7, 5), dtype=np.uint8),
    "one_pixel": np.array([[200]], np.uint8),
    "two_by_three": np.array([[0, 255, 3], [255, 0, 128]], np.uint8),
    "one_row": RNG.integers(0, 256, (1, 9), dtype=np.uint8),
    "one_col_rgb": RNG.integers(0, 256, (6, 1, 3), dtype=np.uint8),
}
LUMA_NAMES = ["input", "head"] + [f"{k}{i}" for i in range(1, 7) for k in ("dw", "pw")] + ["tail"]
LUMA_NAMES += ["residual_hr", "bicubic", "y_hr"]


def assert_bit_exact(qnet: QuantQCSRNet, engine: GoldenEngine, img: np.ndarray) -> dict[str, np.ndarray]:
    """Golden and exact mode agree on every intermediate tensor and the output."""
    trace: dict[str, np.ndarray] = {}
    out = engine.upscale(img, trace)
    exact = qnet.run_exact(lum(img))
    names = ["input", *(s.name for s in qnet.specs), "residual_hr", "bicubic", "y_hr"]
    assert list(exact) == names
    for name in names:
        a, g = exact[name][0].numpy(), trace[name]
        assert a.shape == g.shape, name
        assert np.array_equal(a, g), f"{name}: {np.count_nonzero(a != g)} of {a.size} values differ"
    h, w = img.shape[:2]
    if img.ndim == 2:
        assert out.shape == (2 * h, 2 * w) and out.dtype == np.uint8
        assert np.array_equal(out, trace["y_hr"][0])
    else:
        assert out.shape == (2 * h, 2 * w, 3) and out.dtype == np.uint8
        ycc = rgb_to_ycbcr(img)
        assert np.array_equal(trace["ycbcr_lr"], ycc)
        chroma = [upscale2x_u8(ycc[..., c]) for c in (1, 2)]
        want = ycbcr_to_rgb(np.stack([exact["y_hr"][0, 0].numpy().astype(np.uint8), *chroma], axis=-1))
        assert np.array_equal(out, want)
    return trace


@pytest.fixture(scope="module")
def random_qnet() -> QuantQCSRNet:
    torch.manual_seed(11)
    return calibrate(QCSRNet().eval())


@pytest.fixture(scope="module")
def saturating_qnet(random_qnet: QuantQCSRNet) -> QuantQCSRNet:
    """Calibrated formats, then weights x4: weights clip at 10 bits and activations saturate."""
    net = QCSRNet().eval()
    net.load_state_dict(random_qnet.net.state_dict())
    with torch.no_grad():
        for conv in net.layers():
            conv.weight.mul_(4.0)
    return QuantQCSRNet(net, random_qnet.formats, "exact")


def test_golden_does_not_import_torch() -> None:
    code = (
        "import sys, qcsr.golden, qcsr.golden.engine, qcsr.fixedpoint.quant_model, qcsr.fixedpoint.model_file\n"
        "import qcsr.fixedpoint.format\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", list(INPUTS))
def test_random_model_bit_exact(random_qnet: QuantQCSRNet, name: str) -> None:
    engine = GoldenEngine(random_qnet.export(), strip_rows=8)
    assert_bit_exact(random_qnet, engine, INPUTS[name])


@pytest.mark.parametrize(
    "name", ["camera", "astronaut_rgb", "saturating_noise", "checker1", "full", "two_by_three"]
)
def test_saturating_model_bit_exact(saturating_qnet: QuantQCSRNet, name: str) -> None:
    engine = GoldenEngine(saturating_qnet.export(), strip_rows=8)
    trace = assert_bit_exact(saturating_qnet, engine, INPUTS[name])
    if name in ("camera", "saturating_noise"):
        pairs = list(zip(LUMA_NAMES[1:15], saturating_qnet.act_formats, strict=True))
        top = [n for n, f in pairs if trace[n].max() == f.max_int]
        bottom = [n for n, f in pairs if f.signed and trace[n].min() == f.min_int]
        assert len(top) >= 3 and bottom, (top, bottom)  # the saturation paths really are exercised


def test_saturating_model_clips_weights(saturating_qnet: QuantQCSRNet) -> None:
    ws = saturating_qnet.integer_weights()
    assert any(int(w.max()) == 511 or int(w.min()) == -512 for w in ws)


def test_strip_height_does_not_change_results(random_qnet: QuantQCSRNet) -> None:
    qm = random_qnet.export()
    img = INPUTS["camera"]
    ref: dict[str, np.ndarray] = {}
    GoldenEngine(qm, strip_rows=1000).upscale(img, ref)
    for rows in (1, 3, 7, 13):
        trace: dict[str, np.ndarray] = {}
        GoldenEngine(qm, strip_rows=rows).upscale(img, trace)
        assert all(np.array_equal(trace[n], ref[n]) for n in ref)


def test_other_architecture_and_wide_formats() -> None:
    """Non-default F, C, N, kernel and G (a gathered channel index), and int64 accumulators."""
    torch.manual_seed(5)
    net = QCSRNet(Arch(F=5, C=8, N=2, KH=1, KW=5, G=2)).eval()
    q = calibrate(net, [INPUTS["camera"]], weight_bits=16, act_bits=24)
    engine = GoldenEngine(q.export(), strip_rows=4)
    assert np.int64 in {lay.dtype for lay in engine.layers}  # 24-bit activations x 16-bit weights
    for name in ("camera", "astronaut_rgb", "odd_7x5", "one_pixel"):
        assert_bit_exact(q, engine, INPUTS[name])
    q8 = calibrate(net, [INPUTS["camera"]], weight_bits=8, act_bits=8)
    assert_bit_exact(q8, GoldenEngine(q8.export(), strip_rows=3), INPUTS["coffee_rgb"])


def test_default_formats_run_in_int32(random_qnet: QuantQCSRNet) -> None:
    """The int32 path is justified: every proven bound (with rounding addend) is below 2^31."""
    engine = GoldenEngine(random_qnet.export())
    assert all(lay.dtype == np.int32 for lay in engine.layers)
    assert all(lay.layer.requant_bound < 2**31 for lay in engine.layers)


def test_exported_file_drives_golden_and_exact(random_qnet: QuantQCSRNet, tmp_path: Path) -> None:
    p = tmp_path / "q.json"
    save_quant_model(random_qnet.export({"commit": "x"}), p)
    qm = load_quant_model(p)
    back = QuantQCSRNet.from_quant_model(qm)
    for a, b in zip(back.integer_weights(), random_qnet.integer_weights(), strict=True):
        assert torch.equal(a, b)
    img = INPUTS["astronaut_rgb"]
    assert np.array_equal(upscale(qm, img), GoldenEngine(random_qnet.export()).upscale(img))
    assert_bit_exact(back, GoldenEngine(qm), img)


def test_forward_modes(random_qnet: QuantQCSRNet) -> None:
    """exact forward == integer y_hr / 255; fake mode tracks it closely; gradients reach all weights."""
    y = lum(INPUTS["camera"])
    x = torch.from_numpy(y.astype(np.float32) / 255.0)[None, None]
    q = QuantQCSRNet(random_qnet.net, random_qnet.formats, "exact")
    exact = q.run_exact(y)["y_hr"][0, 0].numpy()
    assert np.array_equal(np.rint(q(x)[0, 0].numpy() * 255.0), exact)
    q.mode = "fake"
    fake = q(x)
    diff = np.abs(fake.detach()[0, 0].numpy() * 255.0 - exact)
    assert diff.max() <= 2.0 and (diff > 0).mean() < 0.02
    fake.square().mean().backward()
    assert all(c.weight.grad is not None and c.weight.grad.abs().sum() > 0 for c in q.convs())
    q.net.zero_grad()
    q.mode = "float"
    assert torch.equal(q(x), q.net(x))
    with pytest.raises(ValueError):
        q.mode = "int"  # type: ignore[assignment]


def test_fake_trace_names_match(random_qnet: QuantQCSRNet) -> None:
    y = torch.from_numpy(lum(INPUTS["odd_7x5"]).astype(np.float32))[None, None]
    with torch.no_grad():
        trace = random_qnet.run_fake(y)
    assert list(trace) == LUMA_NAMES
    for name, f in zip(LUMA_NAMES[1:15], random_qnet.act_formats, strict=True):
        codes = trace[name].double() * 2.0**f.frac
        assert torch.equal(codes, codes.round()) and codes.min() >= f.min_int and codes.max() <= f.max_int


def test_empty_and_wrong_inputs_are_rejected(random_qnet: QuantQCSRNet) -> None:
    engine = GoldenEngine(random_qnet.export())
    with pytest.raises(ValueError):
        engine.upscale(np.zeros((0, 4), np.uint8))
    with pytest.raises(ValueError):
        engine.upscale(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError):
        engine.upscale(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(ValueError):
        random_qnet.run_exact(torch.full((1, 1, 2, 2), 256))


def test_pixel_shuffle_matches_torch() -> None:
    t = np.arange(4 * 3 * 5).reshape(4, 3, 5)
    assert np.array_equal(pixel_shuffle(t), torch.nn.PixelShuffle(2)(torch.from_numpy(t)[None])[0].numpy())


def test_calibration_formats_are_tight(random_qnet: QuantQCSRNet) -> None:
    f = random_qnet.formats
    assert isinstance(f, QuantFormats) and f.weight_bits == 10 and f.act_bits == 14
    trace = random_qnet.run_exact(np.concatenate([c[:64, :64] for c in calibration_images()], axis=1))
    for name, fmt in zip(LUMA_NAMES[1:15], random_qnet.act_formats, strict=True):
        peak = int(trace[name].abs().max())
        assert peak <= fmt.max_abs and 2 * peak > fmt.max_int // 4, name  # in range, not wasteful


@pytest.mark.skipif(not ZOO_MODEL.is_file(), reason="model/zoo/qcsr_x2_bicubic.pt not trained yet")
def test_zoo_model_bit_exact() -> None:
    net, _ = load_model(ZOO_MODEL)
    q = calibrate(net)
    qm: QuantModel = q.export()
    engine = GoldenEngine(qm)
    for name in ("camera", "astronaut_rgb", "coffee_rgb", "saturating_noise", "two_by_three"):
        assert_bit_exact(q, engine, INPUTS[name])
