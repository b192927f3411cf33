"""The fast engine (Numba) gives the golden engine's integers: np.array_equal, never a tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from qcsr.fixedpoint.arch import Arch
from qcsr.fixedpoint.quant_model import QuantFormats, build_quant_model, random_quant_model
from qcsr.golden.engine import GoldenEngine
from qcsr.golden.fast import FastEngine
from qcsr.golden.vectors import adversarial_inputs, read_array, read_index, stress_model
from qcsr.resolver import shipped_models


@pytest.fixture(scope="module")
def models():
    return shipped_models()


def random_model(arch: Arch, seed: int, fw: int = 9, fa: int = 8):
    """Random 10-bit weights on a given architecture: saturating activations, odd formats, int64 layers."""
    return random_quant_model(arch, seed, (fw - 2, fw + 3), (fa - 3, fa + 4))


def test_every_vector_equals_the_golden_output(vectors_dir, models):
    index = read_index(vectors_dir)
    engines = {k: FastEngine(m) for k, m in models.items()}
    for v in index["vectors"]:
        d = vectors_dir / v["name"]
        rgb = read_array(d, v["files"]["input_rgb"])
        out = engines[v["model"]].upscale(np.ascontiguousarray(rgb))
        assert np.array_equal(out, read_array(d, v["files"]["output_rgb"])), v["name"]


@pytest.mark.parametrize("arch", [Arch(), Arch(C=8, N=2, KH=1, KW=5, G=1), Arch(F=5, C=4, N=3, KW=5)],
                         ids=["default", "horizontal", "wide-kernels"])  # fmt: skip
@pytest.mark.parametrize("seed", [0, 1])
def test_random_models_and_adversarial_inputs(arch, seed):
    qm = random_model(arch, seed)
    gold, fast = GoldenEngine(qm), FastEngine(qm)
    for name, img in adversarial_inputs(seed).items():
        assert np.array_equal(fast.upscale(img), gold.upscale(img)), name
        grey = np.ascontiguousarray(img[..., 1])
        assert np.array_equal(fast.upscale(grey), gold.upscale(grey)), name


def test_int64_accumulators_when_the_bound_needs_them(models):
    """Stress formats push some layers past the int32 bound: those run in int64, still exact."""
    qm = stress_model(models["proposed"])
    arch = Arch()
    rng = np.random.default_rng(5)
    weights = [rng.integers(-512, 512, spec.weight_shape) for spec in arch.layers()]
    n = len(weights)  # fa alternates 2, -4 with fw 0: every other layer shifts left by 6, past 2^31
    big = build_quant_model(arch, weights, QuantFormats([0] * n, [2 if i % 2 == 0 else -4 for i in range(n)], 10, 14),
                            {"source": "left shifts"})  # fmt: skip
    assert any(lay.requant_bound >= 1 << 31 for lay in big.layers)
    for m in (qm, big):
        rng = np.random.default_rng(2)
        img = rng.integers(0, 256, (23, 31, 3), dtype=np.uint8)
        assert np.array_equal(FastEngine(m).upscale(img), GoldenEngine(m).upscale(img))


def test_full_1080p_frame(models):
    from qcsr.bench import test_frame

    frame = test_frame()
    assert frame.shape == (1080, 1920, 3)
    qm = models["proposed"]
    assert np.array_equal(FastEngine(qm).upscale(frame), GoldenEngine(qm).upscale(frame))


def test_bad_input_is_rejected(models):
    fast = FastEngine(models["proposed"])
    with pytest.raises(ValueError, match="uint8"):
        fast.upscale(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="non-empty"):
        fast.upscale_luma(np.zeros((0, 4), np.uint8))


# ---------------------------------------------------------------- the compiled int16 kernels (golden/_simd.c)
simd = pytest.importorskip("qcsr.golden.simd")
needs_kernels = pytest.mark.skipif(not simd.available(), reason="qcsr.golden._simd not built (no C compiler)")


def _inputs(seed: int) -> dict[str, np.ndarray]:
    """Adversarial frames, a real crop, odd widths and widths split into several column tiles."""
    from skimage import data

    from qcsr.fixedpoint.colour import luma_u8

    rng = np.random.default_rng(seed)
    out = {k: np.ascontiguousarray(v[..., 1]) for k, v in adversarial_inputs(seed).items()}
    out["camera_37x601"] = data.camera()[200:237, 3:604]
    out["noise_5x257"] = rng.integers(0, 256, (5, 257), dtype=np.uint8)
    out["astronaut_64x513"] = luma_u8(data.astronaut()[100:164, :513])
    out["one_row_1x300"] = rng.integers(0, 256, (1, 300), dtype=np.uint8)
    return out


def _fitting_model(arch: Arch, seed: int):
    """Random full-range weights with formats whose accumulators the kernels hold in int32."""
    return random_quant_model(arch, seed, (7, 11), (2, 7))


def _left_shift_model():
    """Fraction bits alternating 2, 4 with integer weights: every other layer requantizes by a left shift."""
    arch = Arch(C=8, N=2)
    n = len(arch.layers())
    rng = np.random.default_rng(5)
    weights = [rng.integers(-512, 512, s.weight_shape) for s in arch.layers()]
    qm = build_quant_model(arch, weights, QuantFormats([0] * n, [2 if i % 2 == 0 else 4 for i in range(n)], 10, 14))
    fracs = [qm.input_format.frac] + [lay.act_format.frac for lay in qm.layers]
    assert min(fracs[i] + qm.layers[i].weight_format.frac - fracs[i + 1] for i in range(n)) < 0
    return qm


@needs_kernels
@pytest.mark.parametrize("generic", [False, True], ids=["dispatch", "portable"])
@pytest.mark.parametrize("which", ["proposed", "bicubic", "stress", "default", "horizontal", "wide-kernels",
                                   "odd-pairs", "left-shifts"])  # fmt: skip
def test_int16_kernels_equal_the_golden_cnn(models, which, generic):
    archs = {"default": Arch(), "horizontal": Arch(C=8, N=2, KH=1, KW=5, G=1),
             "wide-kernels": Arch(F=5, C=4, N=3, KW=5), "odd-pairs": Arch(C=6, N=2, G=2)}  # fmt: skip
    if which == "left-shifts":
        qm = _left_shift_model()
    else:
        qm = models[which] if which in models else _fitting_model(archs[which], 3)
    assert simd.SimdCNN.supports(qm), which  # else this test would not test the kernels
    cnn = simd.SimdCNN(qm, threads=2, generic=generic)
    gold = GoldenEngine(qm)
    for name, y in _inputs(4).items():
        h, w = y.shape
        out = np.full((qm.arch.out_channels, h, w + 6), 77, np.int16)
        cnn.run(y, out, 3)
        assert np.array_equal(out[:, :, 3 : 3 + w], gold.cnn(y)), (which, name)
        assert (out[:, :, :3] == 77).all() and (out[:, :, 3 + w :] == 77).all(), "wrote outside its columns"


@needs_kernels
@pytest.mark.parametrize("generic", [False, True], ids=["dispatch", "portable"])
@pytest.mark.parametrize("which", ["proposed", "stress", "wide-kernels", "left-shifts"])
@pytest.mark.parametrize("max_tile", [1024, 40], ids=["tile-per-thread", "narrow-tiles"])
def test_finished_luma_in_the_kernels_equals_golden(models, which, generic, max_tile, monkeypatch):
    """The CNN, the bicubic and the residual add per tile row (SimdCNN.luma): golden's HR luma exactly, on the
    vector and the portable path, with tiles whose widths leave remainders of the 16-column blocks."""
    monkeypatch.setattr(simd, "MAX_TILE", max_tile)
    if which == "left-shifts":
        qm = _left_shift_model()
    elif which == "wide-kernels":
        qm = _fitting_model(Arch(F=5, C=4, N=3, KW=5), 3)
    else:
        qm = models[which]
    post = FastEngine(qm)._post
    assert post is not None and post.fits, which  # else this test would not test the fused path
    cnn = simd.SimdCNN(qm, threads=2, generic=generic)
    gold = GoldenEngine(qm)
    for name, y in _inputs(6).items():
        h, w = y.shape
        out = cnn.luma(y, post, np.empty((2 * h, 2 * w), np.uint8))
        assert np.array_equal(out, gold.upscale_luma(y)), (which, name)


def _rgb_inputs(seed: int) -> dict[str, np.ndarray]:
    """RGB frames: the adversarial set (saturating colours, checkerboards, noise, minimum sizes), a real crop with
    an odd width split into several tiles, a 1-row frame."""
    from skimage import data

    rng = np.random.default_rng(seed)
    out = dict(adversarial_inputs(seed))
    out["astronaut_40x517"] = np.ascontiguousarray(data.astronaut()[60:100, 3:520])
    out["noise_1x301"] = rng.integers(0, 256, (1, 301, 3), dtype=np.uint8)
    out["saturated_9x77"] = rng.choice(np.array([0, 255], np.uint8), (9, 77, 3))
    return out


@needs_kernels
@pytest.mark.parametrize("generic", [False, True], ids=["dispatch", "portable"])
@pytest.mark.parametrize("which", ["proposed", "stress"])
@pytest.mark.parametrize("max_tile", [1024, 40], ids=["tile-per-thread", "narrow-tiles"])
def test_finished_rgb_in_the_kernels_equals_golden(models, which, generic, max_tile, monkeypatch):
    """The whole frame per tile row (SimdCNN.rgb: luma, chroma bicubic, YCbCr -> RGB): golden's RGB exactly."""
    from qcsr.fixedpoint.colour import COLOUR_FRAC_BITS
    from qcsr.golden.fast import _COLOUR, _FWD, _FWD_OFF, _colour_split

    monkeypatch.setattr(simd, "MAX_TILE", max_tile)
    qm = models[which]
    post = FastEngine(qm)._post
    cnn = simd.SimdCNN(qm, threads=2, generic=generic)
    gold = GoldenEngine(qm)
    for name, img in _rgb_inputs(8).items():
        h, w = img.shape[:2]
        ycc = np.empty((3, h, w), np.uint8)
        _colour_split(np.ascontiguousarray(img), _FWD, _FWD_OFF, COLOUR_FRAC_BITS, ycc)
        out = cnn.rgb(ycc, post, _COLOUR, np.empty((2 * h, 2 * w, 3), np.uint8))
        assert np.array_equal(out, gold.upscale(img)), (which, name)


@needs_kernels
def test_the_residual_stays_out_of_the_kernels_when_int32_cannot_hold_it():
    from qcsr.golden.fast import TAPS

    assert simd.Post(TAPS, 0, 8, 14, 1 << 13).fits  # the shipped model's constants
    assert not simd.Post(TAPS, 9, 8, 23, 1 << 13).fits  # Y_N << 9 passes 2^31
    assert not simd.Post(TAPS, 0, 18, 24, 1 << 13).fits  # the tail code << 18 with Y_N passes it
    assert not simd.Post(TAPS, -1, 8, 14, 1 << 13).fits and not simd.Post(TAPS, 0, 8, 0, 1 << 13).fits


@needs_kernels
def test_fast_engine_runs_the_cnn_in_the_kernels(models):
    assert FastEngine(models["proposed"])._simd is not None
    assert FastEngine(models["proposed"], simd=False)._simd is None
    wide = Arch(C=8, N=1)
    n = len(wide.layers())
    rng = np.random.default_rng(1)
    weights = [rng.integers(-512, 512, s.weight_shape) for s in wide.layers()]
    big = build_quant_model(wide, weights, QuantFormats([0] * n, [2 if i % 2 == 0 else -4 for i in range(n)], 10, 14))
    assert not simd.SimdCNN.supports(big) and FastEngine(big)._simd is None  # int64 bound: the Numba kernels


def test_threads_may_share_the_engine(models):
    """Numba's work-queue layer aborts the process on concurrent launches; the engine serialises its own."""
    import threading

    qm = models["proposed"]
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (20 + i, 30 + i, 3), dtype=np.uint8) for i in range(4)]
    refs = [GoldenEngine(qm).upscale(x) for x in imgs]
    engines = [FastEngine(qm, simd=False), FastEngine(qm)]
    bad: list = []

    def work(k: int) -> None:
        for j, x in enumerate(imgs):
            if not np.array_equal(engines[k % 2].upscale(x), refs[j]):
                bad.append((k, j))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad
