"""LR degradation models: `bicubic` (clean) and `proposed` (the paper's eq. 2).

proposed: y = JPEG_q(down_2(x * k_sigma)) + n with sigma ~ U[0.2, 0.8], q ~ U{70..99},
n ~ N(0, std^2), std ~ U[0, 0.02] on the [0, 1] scale. down_2 is the same antialiased bicubic
downscale as the clean model (so sigma adds blur on top of it), the JPEG is Pillow's (4:2:0), and
the noisy result is rounded and clipped to 8 bits like a decoded video frame.

A clean fraction P (`DegradationRanges.clean_fraction`) makes each training image, with probability P,
the plain bicubic LR instead (eq. 2 skipped), so a compression-trained model keeps clean quality.

proposed-direct: the same with a direct downsampler: the Gaussian k_sigma is the only anti-aliasing
filter, sampled at the LR pixel centres (HR coordinate 2i + 0.5, the grid of the bicubic downscale,
so the LR image is not shifted against the evaluation's). Its LR images are sharper than bicubic ones
(sigma 0.2 is a 2x2 box average), where `proposed`'s are blurrier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

from qcsr.util.imaging import bicubic_downscale, jpeg_roundtrip

SIGMA_RANGE = (0.2, 0.8)
JPEG_QUALITY_RANGE = (70, 99)
NOISE_STD_RANGE = (0.0, 0.02)
DEGRADATIONS = ("bicubic", "proposed", "proposed-direct")  # per-image degradations (degrade())
TRAIN_DEGRADATIONS = (*DEGRADATIONS, "codec")  # codec: pool-based, model/codec_pool.py


@dataclass(frozen=True)
class DegradationParams:
    sigma: float = 0.0
    quality: int | None = None
    noise_std: float = 0.0
    clean: bool = False  # the clean bicubic LR (the clean-fraction draw)


@dataclass(frozen=True)
class DegradationRanges:
    """Uniform ranges of eq. 2's per-image parameters; defaults are the paper's.

    A (0, 0) sigma or noise range, or quality None, switches that step off (for ablations).
    """

    sigma: tuple[float, float] = SIGMA_RANGE
    quality: tuple[int, int] | None = JPEG_QUALITY_RANGE
    noise_std: tuple[float, float] = NOISE_STD_RANGE
    clean_fraction: float = 0.0  # probability that an image is the clean bicubic LR (eq. 2 skipped)

    def __post_init__(self) -> None:
        if not 0.0 <= self.clean_fraction <= 1.0:
            raise ValueError(f"clean fraction must be in [0, 1], got {self.clean_fraction}")
        for name, top in (("sigma", 5.0), ("noise_std", 1.0)):
            lo, hi = getattr(self, name)
            if not 0.0 <= lo <= hi <= top:
                raise ValueError(f"{name} range must satisfy 0 <= low <= high <= {top}, got {lo}, {hi}")
        if self.quality is not None:
            lo, hi = self.quality
            if not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi <= 100):
                raise ValueError(f"JPEG quality range must be integers 1 <= low <= high <= 100, got {lo}, {hi}")

    def to_dict(self) -> dict[str, list[float] | None]:
        q = list(self.quality) if self.quality is not None else None
        return {"sigma": list(self.sigma), "quality": q, "noise_std": list(self.noise_std),
                "clean_fraction": self.clean_fraction}  # fmt: skip


EQ2 = DegradationRanges()


def sample_params(rng: np.random.Generator, ranges: DegradationRanges = EQ2) -> DegradationParams:
    """Draw one image's parameters of the proposed degradation (same draws whatever is switched off)."""
    q_lo, q_hi = ranges.quality or JPEG_QUALITY_RANGE
    sigma = float(rng.uniform(*ranges.sigma))
    quality = int(rng.integers(q_lo, q_hi + 1))
    noise = float(rng.uniform(*ranges.noise_std))
    clean = bool(rng.uniform() < ranges.clean_fraction) if ranges.clean_fraction > 0 else False
    return DegradationParams(sigma=sigma, quality=quality if ranges.quality else None, noise_std=noise, clean=clean)


def gaussian_downscale(x: np.ndarray, sigma: float) -> np.ndarray:
    """x2 downscale by a Gaussian (sigma in HR pixels) sampled at the LR centres, reflect borders."""
    if sigma <= 0:
        raise ValueError(f"the direct downsampler needs a Gaussian with sigma > 0, got {sigma}")
    radius = max(1, int(np.ceil(4.0 * sigma)))
    offsets = np.arange(-radius + 1, radius + 1)  # HR pixels 2i + k around the centre 2i + 0.5
    w = np.exp(-0.5 * ((offsets - 0.5) / sigma) ** 2)
    w /= w.sum()
    y = x.astype(np.float64)
    for axis in (0, 1):
        n = y.shape[axis] // 2
        pad = [(0, 0)] * y.ndim
        pad[axis] = (radius, radius)
        yp = np.pad(y, pad, mode="symmetric")
        taps = [np.take(yp, radius + 2 * np.arange(n) + k, axis=axis) for k in offsets]
        y = sum(wk * t for wk, t in zip(w, taps, strict=True))
    return np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)


def apply(hr: np.ndarray, p: DegradationParams, rng: np.random.Generator, direct: bool = False) -> np.ndarray:
    """Blur, downscale x2, JPEG, add noise (each step skipped when its parameter is off).

    `direct`: blur and downscale in one step by `gaussian_downscale` instead of blur + bicubic.
    """
    x = hr
    if p.clean:
        return bicubic_downscale(x)
    if direct:
        x = gaussian_downscale(x, p.sigma)
    else:
        if p.sigma > 0:
            sig = (p.sigma, p.sigma, 0) if x.ndim == 3 else p.sigma
            x = np.clip(gaussian_filter(x.astype(np.float32), sig, mode="reflect") + 0.5, 0, 255)
            x = x.astype(np.uint8)
        x = bicubic_downscale(x)
    if p.quality is not None:
        x = jpeg_roundtrip(x, p.quality)
    if p.noise_std > 0:
        n = rng.normal(0.0, p.noise_std * 255.0, size=x.shape)
        x = np.clip(np.floor(x + n + 0.5), 0, 255).astype(np.uint8)
    return x


def degrade(hr: np.ndarray, kind: str, rng: np.random.Generator, ranges: DegradationRanges = EQ2) -> np.ndarray:
    """LR image (uint8) of an HR image (uint8, even size) under degradation `kind`."""
    if kind == "bicubic":
        return bicubic_downscale(hr)
    if kind in ("proposed", "proposed-direct"):
        return apply(hr, sample_params(rng, ranges), rng, direct=kind == "proposed-direct")
    raise ValueError(f"unknown degradation {kind!r}; choose from {', '.join(DEGRADATIONS)}")
