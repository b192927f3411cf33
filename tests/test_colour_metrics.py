import numpy as np
import pytest
from scipy.ndimage import correlate

from qcsr.fixedpoint.colour import (
    RGB_TO_YCBCR,
    YCBCR_OFFSET,
    YCBCR_TO_RGB,
    rgb_to_y,
    rgb_to_y_float,
    rgb_to_ycbcr,
    ycbcr_to_rgb,
)
from qcsr.util.metrics import psnr, ssim


def test_bt601_anchor_points():
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [128, 128, 128]]], dtype=np.uint8)
    ycc = rgb_to_ycbcr(rgb)
    np.testing.assert_array_equal(ycc[0, :, 0], [16, 235, 126])
    np.testing.assert_array_equal(ycc[0, :, 1:], 128)


def test_colour_conversion_matches_the_formula_on_a_grid_of_all_values():
    v = np.arange(0, 256, 5)
    grid = np.stack(np.meshgrid(v, v, v, indexing="ij"), -1).reshape(1, -1, 3).astype(np.uint8)
    x = grid.astype(np.int64)
    fwd = np.clip((x @ RGB_TO_YCBCR.T + (YCBCR_OFFSET << 16) + (1 << 15)) >> 16, 0, 255)
    inv = np.clip(((x - YCBCR_OFFSET) @ YCBCR_TO_RGB.T + (1 << 15)) >> 16, 0, 255)
    np.testing.assert_array_equal(rgb_to_ycbcr(grid), fwd)
    np.testing.assert_array_equal(ycbcr_to_rgb(grid), inv)


def test_integer_luma_is_rounded_float_luma(astronaut):
    y = rgb_to_y(astronaut).astype(float)
    coeff_err = 3 * 255 * 0.5 / 2**16  # each 16-bit coefficient is off by at most half a step
    assert np.abs(y - rgb_to_y_float(astronaut)).max() <= 0.5 + coeff_err
    np.testing.assert_array_equal(rgb_to_y(astronaut), rgb_to_ycbcr(astronaut)[..., 0])


def test_colour_round_trip_is_close(astronaut):
    back = ycbcr_to_rgb(rgb_to_ycbcr(astronaut)).astype(int)
    assert np.abs(back - astronaut).max() <= 2


def test_psnr_known_values():
    a = np.zeros((10, 10))
    b = np.ones((10, 10))
    assert psnr(a, b, border=0) == pytest.approx(20 * np.log10(255.0))
    b[0, :] = 100  # shaved away with border 1
    assert psnr(a, b, border=1) == pytest.approx(20 * np.log10(255.0))
    assert psnr(a, a) == float("inf")


def _ssim_reference(x: np.ndarray, y: np.ndarray) -> float:
    """Wang et al. 2004 written out: 11x11 Gaussian (sigma 1.5) window, valid region only."""
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()

    def filt(z):
        return correlate(z, w, mode="constant")[5:-5, 5:-5]

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = filt(x), filt(y)
    vx, vy, cxy = filt(x * x) - mx**2, filt(y * y) - my**2, filt(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(m.mean())


def test_ssim_matches_written_out_formula(camera):
    rng = np.random.default_rng(1)
    x = camera[:64, :80].astype(np.float64)
    y = np.clip(x + rng.normal(0, 12, x.shape), 0, 255)
    assert ssim(x, y, border=2) == pytest.approx(_ssim_reference(x[2:-2, 2:-2], y[2:-2, 2:-2]), abs=1e-9)
    assert ssim(x, x) == pytest.approx(1.0)
