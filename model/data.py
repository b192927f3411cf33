"""Training patches from the 291 images: random crops, scale/rot90/flip augmentation, LR on the fly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from qcsr.fixedpoint.colour import luma_ref, luma_u8
from qcsr.model.degradations import EQ2, DegradationRanges, degrade
from qcsr.util.errors import QcsrError
from qcsr.util.imaging import list_images, load_image
from qcsr.util.progress import progress

TRAIN_FOLDERS = ("T91", "BSD200")
SCALE_AUG = (1.0, 0.9, 0.8, 0.7, 0.6)


def load_training_images(data: str | Path, folders: tuple[str, ...] = TRAIN_FOLDERS) -> list[np.ndarray]:
    """All training images as uint8 RGB arrays (the 291 set by default)."""
    root = Path(data)
    if not root.is_dir():
        raise QcsrError(f"data folder not found: {root}")
    files: list[Path] = []
    for name in folders:
        files += list_images(root / name)
    images = []
    for f in progress(files, "loading training images"):
        img = load_image(f)
        images.append(img if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2))
    return images


class PatchSampler:
    """Draws (LR luma, HR luma) batches on the [0, 1] scale; fully determined by its seed."""

    def __init__(
        self,
        images: list[np.ndarray],
        patch: int,
        degradation: str,
        seed: int,
        ranges: DegradationRanges = EQ2,
        scales: tuple[float, ...] = SCALE_AUG,
    ) -> None:
        if patch % 2:
            raise ValueError(f"patch size must be even, got {patch}")
        if not scales or any(not 0.0 < s_ <= 1.0 for s_ in scales):
            raise QcsrError(f"scale augmentation factors must be in (0, 1], got {list(scales)}")
        self.scales = tuple(float(s_) for s_ in scales)
        self.images = [im for im in images if min(im.shape[:2]) >= patch]
        if not self.images:
            raise QcsrError(f"no training image is at least {patch}x{patch}")
        self.patch = patch
        self.degradation = degradation
        self.ranges = ranges
        self.rng = np.random.default_rng(seed)
        self.pool = None
        if degradation == "codec":  # real H.264/HEVC material, made once per run (deterministic in the seed)
            from qcsr.model.codec_pool import build_pool

            self.pool = build_pool(self.images, seed)
            if not self.pool:
                raise QcsrError("codec degradation: no training image is large enough for a 32x32 pan")

    def hr_patch(self) -> np.ndarray:
        rng, p = self.rng, self.patch
        img = self.images[int(rng.integers(len(self.images)))]
        s = float(rng.choice(self.scales))
        h, w = img.shape[:2]
        src = min(int(round(p / s)), h, w)
        y, x = int(rng.integers(h - src + 1)), int(rng.integers(w - src + 1))
        crop = img[y : y + src, x : x + src]
        if src != p:
            crop = np.asarray(Image.fromarray(crop).resize((p, p), Image.BICUBIC))
        crop = np.rot90(crop, int(rng.integers(4)))
        if rng.integers(2):
            crop = crop[:, ::-1]
        return np.ascontiguousarray(crop)

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        lrs, hrs = [], []
        for _ in range(size):
            if self.pool is not None:
                clean = self.ranges.clean_fraction > 0 and self.rng.uniform() < self.ranges.clean_fraction
                if clean:
                    hr = self.hr_patch()
                    lr = degrade(hr, "bicubic", self.rng)
                else:
                    from qcsr.model.codec_pool import pool_patch

                    hr, lr = pool_patch(self.pool, self.patch, self.rng)
                    if hr.shape[0] != self.patch:  # a small pool image: fall back to a clean patch
                        hr = self.hr_patch()
                        lr = degrade(hr, "bicubic", self.rng)
            else:
                hr = self.hr_patch()
                lr = degrade(hr, self.degradation, self.rng, self.ranges)
            lrs.append(luma_u8(lr).astype(np.float32) / 255.0)
            hrs.append(luma_ref(hr).astype(np.float32) / 255.0)
        return torch.from_numpy(np.stack(lrs)[:, None]), torch.from_numpy(np.stack(hrs)[:, None])

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state
