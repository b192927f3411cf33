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


def _convert(x: np.ndarray, m: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 -> uint8 HxWx3: row r is clip((sum_c m[r, c] * x[..., c] + offset[r]) >> 16, 0, 255).

    int32 is exact: |m| <= 132201 and |x| <= 255, so |sum| <= 255 * 181000 + 2^24 < 2^27, far below 2^31.
    `offset` already holds the rounding constant 2^15 and any input offsets folded in (m @ -x_offset).
    """
    x = np.asarray(x)
    chans = [x[..., c].astype(np.int32) for c in range(3)]
    out = np.empty(x.shape, dtype=np.uint8)
    for r in range(3):
        acc = int(m[r, 0]) * chans[0] + int(m[r, 1]) * chans[1] + int(m[r, 2]) * chans[2] + int(offset[r])
        out[..., r] = np.clip(acc >> COLOUR_FRAC_BITS, 0, 255)
    return out


_HALF = 1 << (COLOUR_FRAC_BITS - 1)
_FWD_OFFSET = (YCBCR_OFFSET << COLOUR_FRAC_BITS) + _HALF
_INV_OFFSET = -(YCBCR_TO_RGB @ YCBCR_OFFSET) + _HALF


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 RGB -> uint8 HxWx3 YCbCr (integer BT.601)."""
    return _convert(rgb, RGB_TO_YCBCR, _FWD_OFFSET)


def rgb_to_y(rgb: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 RGB -> uint8 HxW luma (integer BT.601)."""
    x = np.asarray(rgb)
    m = RGB_TO_YCBCR[0]
    acc = sum(int(m[c]) * x[..., c].astype(np.int32) for c in range(3)) + int(_FWD_OFFSET[0])
    return np.clip(acc >> COLOUR_FRAC_BITS, 0, 255).astype(np.uint8)


def ycbcr_to_rgb(ycc: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 YCbCr -> uint8 HxWx3 RGB (integer BT.601 inverse, offsets folded into the constant)."""
    return _convert(ycc, YCBCR_TO_RGB, _INV_OFFSET)


def rgb_to_y_float(rgb: np.ndarray) -> np.ndarray:
    """Exact (unrounded) BT.601 luma in [16, 235] as float64: the reference for PSNR/SSIM."""
    x = np.asarray(rgb, dtype=np.float64)
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0


def luma_u8(img: np.ndarray) -> np.ndarray:
    """The pipeline's integer luma: grey images are their own luma, RGB goes through BT.601."""
    return img if img.ndim == 2 else rgb_to_y(img)


def luma_ref(img: np.ndarray) -> np.ndarray:
    """Reference luma for PSNR/SSIM (float64): grey as is, RGB through exact BT.601."""
    return img.astype(np.float64) if img.ndim == 2 else rgb_to_y_float(img)
