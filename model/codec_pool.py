"""The `codec` degradation: LR training material made by a real video codec (H.264, inter frames).

Encoding a video per training patch would cost more than the training step, so the material is made
once per run: for each training image, a two-frame pan (the window moves 2 HR px right and 1 down,
as the evaluation's pan sequences do) is downscaled with the protocol's bicubic, encoded as one video
(libx264, CRF drawn uniformly from CODEC_CRF, preset medium), and decoded; the second frame is a P
frame, and its (HR, decoded LR) pair joins the pool; `POOL_VARIANTS` pairs per image (different CRF
draws). Patches are aligned crops of a pair (HR at even offsets,
LR at half), with the same rot90/flip augmentation as the other degradations (no rescaling: that would
undo the codec's block grid). The pool is a deterministic function of the run's seed, so a resumed run
rebuilds the same pool.

HEVC is not in the pool: libx265 in PyAV 18.1's FFmpeg fails (EINVAL at mux, or heap corruption) on
some of the ~600 short clips of one pool build, while every one of them encodes alone (measured). The
evaluation's HEVC condition, a few hundred longer and larger clips, ran clean; a pool that sometimes
aborts a training run is not acceptable, so the pool is H.264 only (CODECS).
"""

from __future__ import annotations

import numpy as np

from qcsr.util.imaging import bicubic_downscale
from qcsr.util.progress import progress
from qcsr.util.video import codec_roundtrip

CODECS = ("h264",)
CODEC_CRF = (18, 38)
POOL_VARIANTS = 2


def pan_pair(img: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(HR frame 0, HR frame 1) of a two-frame pan, sized to multiples of 16 (LR multiples of 8)."""
    h, w = img.shape[:2]
    hh, ww = (h - 1) // 16 * 16, (w - 2) // 16 * 16
    if hh < 32 or ww < 32:
        return None
    return np.ascontiguousarray(img[:hh, :ww]), np.ascontiguousarray(img[1 : 1 + hh, 2 : 2 + ww])


Pair = tuple[np.ndarray, np.ndarray, str]


def build_pool(images: list[np.ndarray], seed: int, variants: int = POOL_VARIANTS) -> list[Pair]:
    """[(HR P-frame, decoded LR P-frame, 'codec:crfN')] for every training image and variant."""
    rng = np.random.default_rng([seed, 2])
    pool = []
    for img in progress(images, "codec pool"):
        frames = pan_pair(img)
        if frames is None:
            continue
        lrs = [bicubic_downscale(f) for f in frames]
        for _ in range(variants):
            codec = CODECS[int(rng.integers(len(CODECS)))]
            crf = int(rng.integers(CODEC_CRF[0], CODEC_CRF[1] + 1))
            dec = codec_roundtrip(lrs, codec, crf)
            pool.append((frames[1], dec[1], f"{codec}:crf{crf}"))
    return pool


def pool_patch(pool: list, patch: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An aligned (HR patch, LR patch) crop of a random pool pair with rot90/flip."""
    hr, lr, _ = pool[int(rng.integers(len(pool)))]
    h, w = hr.shape[:2]
    p = min(patch, h, w) // 2 * 2
    y, x = 2 * int(rng.integers((h - p) // 2 + 1)), 2 * int(rng.integers((w - p) // 2 + 1))
    hp, lp = hr[y : y + p, x : x + p], lr[y // 2 : (y + p) // 2, x // 2 : (x + p) // 2]
    k, flip = int(rng.integers(4)), bool(rng.integers(2))
    hp, lp = np.rot90(hp, k), np.rot90(lp, k)
    if flip:
        hp, lp = hp[:, ::-1], lp[:, ::-1]
    return np.ascontiguousarray(hp), np.ascontiguousarray(lp)
