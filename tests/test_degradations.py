import numpy as np
import pytest
from PIL import Image

from qcsr.model import degradations as d
from qcsr.util.imaging import bicubic_downscale


def test_parameter_ranges():
    rng = np.random.default_rng(0)
    ps = [d.sample_params(rng) for _ in range(3000)]
    sig = np.array([p.sigma for p in ps])
    q = np.array([p.quality for p in ps])
    n = np.array([p.noise_std for p in ps])
    assert 0.2 <= sig.min() and sig.max() <= 0.8 and sig.max() - sig.min() > 0.55
    assert q.min() == 70 and q.max() == 99 and set(q) == set(range(70, 100))
    assert 0.0 <= n.min() and n.max() <= 0.02 and n.max() > 0.019


@pytest.mark.parametrize("kind", d.DEGRADATIONS)
def test_deterministic_for_a_seed(kind, astronaut):
    hr = astronaut[:96, :128]
    a = d.degrade(hr, kind, np.random.default_rng(5))
    b = d.degrade(hr, kind, np.random.default_rng(5))
    assert a.dtype == np.uint8 and a.shape == (48, 64, 3)
    np.testing.assert_array_equal(a, b)


def test_proposed_varies_with_seed_and_differs_from_clean(astronaut):
    hr = astronaut[:96, :128]
    a = d.degrade(hr, "proposed", np.random.default_rng(1))
    b = d.degrade(hr, "proposed", np.random.default_rng(2))
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, d.degrade(hr, "bicubic", np.random.default_rng(1)))


def test_bicubic_degradation_is_pil_bicubic(camera):
    hr = camera[:100, :60]
    ref = np.asarray(Image.fromarray(hr).resize((30, 50), Image.BICUBIC))
    np.testing.assert_array_equal(d.degrade(hr, "bicubic", np.random.default_rng(0)), ref)


def test_each_step_of_the_proposed_model_acts(camera):
    hr = camera[:128, :128]
    rng = np.random.default_rng(0)
    clean = bicubic_downscale(hr)
    blurred = d.apply(hr, d.DegradationParams(sigma=0.8), rng)
    jpeg = d.apply(hr, d.DegradationParams(quality=70), rng)
    noisy = d.apply(hr, d.DegradationParams(noise_std=0.02), rng)
    # blur lowers the high-frequency energy, JPEG and noise change pixels
    assert np.abs(np.diff(blurred.astype(int), axis=1)).mean() < np.abs(np.diff(clean.astype(int), axis=1)).mean()
    assert np.abs(jpeg.astype(int) - clean).mean() > 0.5
    assert 3.0 < (noisy.astype(float) - clean).std() < 7.0  # 0.02 * 255 = 5.1


def test_grey_images_are_supported(camera):
    lr = d.degrade(camera[:64, :64], "proposed", np.random.default_rng(0))
    assert lr.shape == (32, 32)


def test_unknown_degradation():
    with pytest.raises(ValueError, match="unknown degradation"):
        d.degrade(np.zeros((4, 4), np.uint8), "nope", np.random.default_rng(0))


def test_direct_downsampler_is_centred_gaussian_sampling():
    """proposed-direct: Gaussian weights at HR offsets k - 0.5 around LR centre 2i + 0.5, no shift."""
    rng = np.random.default_rng(3)
    hr = rng.integers(0, 256, (40, 36)).astype(np.uint8)
    sigma = 0.6
    k = np.arange(-2, 4)  # radius ceil(4 * 0.6) = 3: HR pixels 2i-2 .. 2i+3
    w = np.exp(-0.5 * ((k - 0.5) / sigma) ** 2)
    w /= w.sum()
    pad = np.pad(hr.astype(float), 3, mode="symmetric")
    ref = np.empty((20, 18))
    for i in range(20):
        for j in range(18):
            rows = 3 + 2 * i + k
            cols = 3 + 2 * j + k
            ref[i, j] = w @ pad[np.ix_(rows, cols)] @ w
    np.testing.assert_array_equal(d.gaussian_downscale(hr, sigma), np.floor(ref + 0.5).astype(np.uint8))
    # a horizontal ramp keeps its phase: LR pixel i sits at HR 2i + 0.5 as in the bicubic downscale
    ramp = np.tile(np.arange(0, 120, 1.0) * 2, (6, 1)).astype(np.uint8)
    lr = d.gaussian_downscale(ramp, 0.8).astype(int)[:, 4:-4]
    np.testing.assert_allclose(lr, (2 * (2 * np.arange(4, 56) + 0.5))[None].repeat(3, 0), atol=1)
    assert np.abs(lr - bicubic_downscale(ramp).astype(int)[:, 4:-4]).max() <= 1
    with pytest.raises(ValueError, match="sigma > 0"):
        d.gaussian_downscale(hr, 0.0)


@pytest.mark.parametrize("sigma", [0.2, 0.5, 0.8])
def test_direct_variant_is_sharper_than_proposed(camera, sigma):
    p = d.DegradationParams(sigma=sigma)
    direct = d.apply(camera, p, np.random.default_rng(0), direct=True)
    blurred = d.apply(camera, p, np.random.default_rng(0))
    hf = [np.abs(np.diff(x.astype(int), axis=1)).mean() for x in (direct, blurred)]
    assert hf[0] > hf[1] * 1.05


def test_ranges_default_to_eq2_and_draw_the_same_sequence():
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    assert [d.sample_params(a) for _ in range(20)] == [d.sample_params(b, d.DegradationRanges()) for _ in range(20)]
    assert d.EQ2.to_dict() == {"sigma": [0.2, 0.8], "quality": [70, 99], "noise_std": [0.0, 0.02],
                               "clean_fraction": 0.0}


def test_clean_fraction_gives_the_clean_lr_that_often(astronaut):
    """With clean fraction P an image is the plain bicubic LR with probability P, eq. 2 otherwise."""
    from qcsr.util.imaging import bicubic_downscale

    hr = astronaut[:64, :64]
    clean = bicubic_downscale(hr)
    rng = np.random.default_rng(0)
    always = d.DegradationRanges(clean_fraction=1.0)
    assert all(np.array_equal(d.degrade(hr, "proposed", rng, always), clean) for _ in range(5))
    half = d.DegradationRanges(clean_fraction=0.5)
    hits = sum(np.array_equal(d.degrade(hr, "proposed", rng, half), clean) for _ in range(200))
    assert 70 <= hits <= 130, hits  # binomial(200, 0.5): 6 sigma
    never = sum(np.array_equal(d.degrade(hr, "proposed", rng), clean) for _ in range(20))
    assert never == 0
    with pytest.raises(ValueError, match="clean fraction"):
        d.DegradationRanges(clean_fraction=-0.1)


def test_narrowed_ranges_are_respected():
    r = d.DegradationRanges(sigma=(0.5, 0.6), quality=(90, 92), noise_std=(0.0, 0.005))
    rng = np.random.default_rng(0)
    ps = [d.sample_params(rng, r) for _ in range(500)]
    assert all(0.5 <= p.sigma <= 0.6 and p.noise_std <= 0.005 for p in ps)
    assert {p.quality for p in ps} == {90, 91, 92}


def test_every_step_switched_off_is_the_clean_degradation(astronaut):
    off = d.DegradationRanges(sigma=(0.0, 0.0), quality=None, noise_std=(0.0, 0.0))
    hr = astronaut[:96, :128]
    lr = d.degrade(hr, "proposed", np.random.default_rng(0), off)
    np.testing.assert_array_equal(lr, bicubic_downscale(hr))
    # JPEG alone (quality pinned) is exactly the evaluation's JPEG condition
    jpeg = d.DegradationRanges(sigma=(0.0, 0.0), quality=(80, 80), noise_std=(0.0, 0.0))
    ref = d.jpeg_roundtrip(bicubic_downscale(hr), 80)
    np.testing.assert_array_equal(d.degrade(hr, "proposed", np.random.default_rng(0), jpeg), ref)


@pytest.mark.parametrize(
    "bad", [dict(sigma=(0.5, 0.2)), dict(noise_std=(-0.1, 0.0)), dict(quality=(0, 50)), dict(quality=(90.0, 95.0))]
)
def test_bad_ranges_are_rejected(bad):
    with pytest.raises(ValueError, match="range"):
        d.DegradationRanges(**bad)


def test_codec_pool_pairs_are_aligned_real_codec_frames(astronaut, camera):
    """The codec degradation's pool: (HR P frame, decoded LR) pairs, aligned crops, a real codec's error."""
    from qcsr.model.codec_pool import build_pool, pool_patch
    from qcsr.util.imaging import bicubic_downscale

    imgs = [astronaut[:150, :200], np.repeat(camera[:120, :90, None], 3, axis=2), astronaut[:20, :20]]
    pool = build_pool(imgs, seed=3)
    assert len(pool) == 4  # two variants per image; the 20x20 image is too small for a pan
    assert all(lr.shape[:2] == (hr.shape[0] // 2, hr.shape[1] // 2) for hr, lr, _ in pool)
    again = build_pool(imgs, seed=3)
    assert all(np.array_equal(a[1], b[1]) and a[2] == b[2] for a, b in zip(pool, again, strict=True))  # seeded
    for hr, lr, what in pool:
        clean = bicubic_downscale(hr)
        assert not np.array_equal(lr, clean), what  # the codec changed it
        assert 20 < 10 * np.log10(255**2 / np.mean((lr.astype(float) - clean) ** 2)) < 60, what
    hp, lp = pool_patch(pool, 32, np.random.default_rng(0))
    assert hp.shape[:2] == (32, 32) and lp.shape[:2] == (16, 16)


def test_qat_uses_the_ranges_the_model_was_trained_with():
    """quantize's QAT samples the degradation recorded in the float model's provenance, not eq. 2's defaults."""
    from qcsr.model.quantize import recorded_ranges

    r = d.DegradationRanges(sigma=(0.0, 0.4), quality=(70, 99), noise_std=(0.0, 0.01), clean_fraction=0.5)
    assert recorded_ranges({"degradation_ranges": r.to_dict()}) == r
    off = d.DegradationRanges(quality=None)
    assert recorded_ranges({"degradation_ranges": off.to_dict()}) == off
    assert recorded_ranges({}) == d.EQ2


def _dihedral(img: np.ndarray) -> list[np.ndarray]:
    out = []
    for k in range(4):
        r = np.rot90(img, k)
        out += [r, r[:, ::-1]]
    return out


def test_scale_augmentation_factors(astronaut):
    """scales=(1.0,): every HR patch is a verbatim crop (up to rot90/flip); 0.5: a resized 2x crop."""
    from qcsr.model.data import PatchSampler

    img = np.ascontiguousarray(astronaut[100:140, 150:190])
    plain = PatchSampler([img], 16, "bicubic", seed=3, scales=(1.0,))
    for _ in range(6):
        hr = plain.hr_patch()
        assert any(
            np.array_equal(hr, t[y : y + 16, x : x + 16])
            for t in _dihedral(img)
            for y in range(t.shape[0] - 15)
            for x in range(t.shape[1] - 15)
        )
    half = PatchSampler([img], 16, "bicubic", seed=3, scales=(0.5,))
    hr = half.hr_patch()
    assert not any(np.array_equal(hr, t[y : y + 16, x : x + 16]) for t in _dihedral(img)
                   for y in range(25) for x in range(25))  # fmt: skip
    for bad in ((), (0.0,), (1.2,)):
        with pytest.raises(Exception, match="scale augmentation"):
            PatchSampler([img], 16, "bicubic", seed=3, scales=bad)
