"""PSNR and SSIM on the Y channel with the SR literature's protocol (SPEC section 6)."""

from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity


def shave(img: np.ndarray, border: int) -> np.ndarray:
    return img[border:-border, border:-border] if border > 0 else img


def psnr(ref: np.ndarray, test: np.ndarray, border: int = 2, peak: float = 255.0) -> float:
    """PSNR in dB between two luma images after shaving `border` pixels on each side."""
    a = shave(np.asarray(ref, np.float64), border)
    b = shave(np.asarray(test, np.float64), border)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {a.shape} vs {b.shape}")
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(peak * peak / mse)


def ssim(ref: np.ndarray, test: np.ndarray, border: int = 2, peak: float = 255.0) -> float:
    """SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03)."""
    a = shave(np.asarray(ref, np.float64), border)
    b = shave(np.asarray(test, np.float64), border)
    return float(
        structural_similarity(a, b, data_range=peak, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    )
