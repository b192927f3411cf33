"""Integer BT.601 colour conversion (MATLAB rgb2ycbcr convention, Y in [16, 235]).

Coefficients are the MATLAB matrix scaled by 2^16 / 255 and rounded to integers; the chroma rows
sum to exactly zero so a grey pixel maps to Cb = Cr = 128. Every result is rounded half up
(add 2^15, arithmetic shift right by 16) and clipped to [0, 255]. The HLS core and the RTL use
the same integers (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import numpy as np

COLOUR_FRAC_BITS = 16

# rows: Y, Cb, Cr; columns: R, G, B
RGB_TO_YCBCR = np.array([[16829, 33039, 6416], [-9714, -19070, 28784], [28784, -24103, -4681]], dtype=np.int64)
YCBCR_OFFSET = np.array([16, 128, 128], dtype=np.int64)

# rows: R, G, B; columns: (Y - 16), (Cb - 128), (Cr - 128)
YCBCR_TO_RGB = np.array([[76309, 0, 104597], [76309, -25675, -53279], [76309, 132201, 0]], dtype=np.int64)


def _round_clip(acc: np.ndarray) -> np.ndarray:
    half = 1 << (COLOUR_FRAC_BITS - 1)
    return np.clip((acc + half) >> COLOUR_FRAC_BITS, 0, 255).astype(np.uint8)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 RGB -> uint8 HxWx3 YCbCr (integer BT.601)."""
    x = np.asarray(rgb).astype(np.int64)
    acc = x @ RGB_TO_YCBCR.T + (YCBCR_OFFSET << COLOUR_FRAC_BITS)
    return _round_clip(acc)


def rgb_to_y(rgb: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 RGB -> uint8 HxW luma (integer BT.601)."""
    x = np.asarray(rgb).astype(np.int64)
    acc = x @ RGB_TO_YCBCR[0] + (16 << COLOUR_FRAC_BITS)
    return _round_clip(acc)


def ycbcr_to_rgb(ycc: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 YCbCr -> uint8 HxWx3 RGB (integer BT.601 inverse)."""
    x = np.asarray(ycc).astype(np.int64) - YCBCR_OFFSET
    return _round_clip(x @ YCBCR_TO_RGB.T)


def rgb_to_y_float(rgb: np.ndarray) -> np.ndarray:
    """Exact (unrounded) BT.601 luma in [16, 235] as float64: the reference for PSNR/SSIM."""
    x = np.asarray(rgb, dtype=np.float64)
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0
