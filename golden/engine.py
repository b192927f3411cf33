"""Pure-NumPy integer golden engine: the whole SPEC section 1 pipeline, bit for bit (no torch).

RGB uint8 (or grey HxW) -> integer BT.601 YCbCr (fixedpoint.colour) -> CNN on Y (zero padding,
exact integer convs, requantization by fixedpoint.format.requantize) + fixed-point bicubic residual
(fixedpoint.bicubic) -> Y_f; Cb and Cr -> fixedpoint.bicubic.upscale2x_u8; -> integer YCbCr to RGB.

Exactness: every conv is a sum of integer products computed with integer NumPy arrays only
(elementwise multiply-adds of shifted slices; no float and no BLAS). A layer runs in int32 when
its proven bound (fan_in * max|a| * max|w| plus the rounding addend or left shift, see
fixedpoint.quant_model.QuantLayer.requant_bound) is below 2^31, which holds for the default 10/14-bit
formats (28-bit accumulators), and in int64 otherwise (the loader guarantees < 2^62).

Speed: the CNN runs on horizontal strips of LR rows, each extended by the network's receptive
radius (arch.halo rows above and below) so every strip is computed exactly; rows outside the image
are forced to zero after every layer, which is precisely the zero padding of the next layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from qcsr.fixedpoint.bicubic import upscale2x_raw, upscale2x_u8
from qcsr.fixedpoint.colour import rgb_to_ycbcr, ycbcr_to_rgb
from qcsr.fixedpoint.format import FixedFormat, align, requantize
from qcsr.fixedpoint.quant_model import BICUBIC_FRAC, OUTPUT_FORMAT, QuantLayer, QuantModel

INT32_LIMIT = 1 << 31
DEFAULT_STRIP_ROWS = 32

Trace = dict[str, np.ndarray]


@dataclass(frozen=True)
class _Tap:
    """One term of a conv: output channels += weight column * (source channels shifted by dy, dx)."""

    src: int | slice | np.ndarray  # int: the same input channel for every output (broadcast)
    dy: int
    dx: int
    w: np.ndarray  # (cout, 1, 1), in the layer's dtype


@dataclass(frozen=True)
class _Layer:
    """A QuantLayer prepared for the strip engine."""

    layer: QuantLayer
    dtype: type[np.signedinteger]
    taps: tuple[_Tap, ...]

    @property
    def out_format(self) -> FixedFormat:
        return self.layer.act_format


def _source_channels(cout: int, cout_g: int, cin_g: int, j: int) -> int | slice | np.ndarray:
    """Input channel read by each output channel for in-group index j, as cheap an index as possible."""
    src = (np.arange(cout) // cout_g) * cin_g + j
    if np.all(src == src[0]):
        return int(src[0])
    step = int(src[1] - src[0])
    if step > 0 and np.array_equal(src, src[0] + step * np.arange(cout)):
        return slice(int(src[0]), int(src[-1]) + 1, step)
    return src


def _prepare(layer: QuantLayer) -> _Layer:
    dtype = np.int32 if layer.requant_bound < INT32_LIMIT else np.int64
    w = layer.weights
    cout, cin_g, kh, kw = w.shape
    cout_g = cout // layer.spec.groups
    taps = []
    for j in range(cin_g):
        src = _source_channels(cout, cout_g, cin_g, j)
        for dy in range(kh):
            for dx in range(kw):
                col = w[:, j, dy, dx]
                if np.any(col):  # an all-zero column adds nothing
                    taps.append(_Tap(src, dy, dx, col.astype(dtype).reshape(cout, 1, 1)))
    return _Layer(layer, dtype, tuple(taps))


def pixel_shuffle(t: np.ndarray) -> np.ndarray:
    """(4, H, W) -> (1, 2H, 2W) in torch.nn.PixelShuffle(2) order: out[2h+dy, 2w+dx] = t[2*dy+dx, h, w]."""
    c, h, w = t.shape
    if c != 4:
        raise ValueError(f"pixel_shuffle expects 4 channels, got {c}")
    return t.reshape(2, 2, h, w).transpose(2, 0, 3, 1).reshape(1, 2 * h, 2 * w)


def checked_luma(y: np.ndarray) -> np.ndarray:
    """The input of upscale_luma: a non-empty uint8 (H, W) array; ValueError otherwise."""
    y = np.asarray(y)
    if y.ndim != 2 or y.dtype != np.uint8:
        raise ValueError(f"upscale_luma expects a uint8 (H, W) array, got {y.dtype} {y.shape}")
    if y.shape[0] == 0 or y.shape[1] == 0:
        raise ValueError("upscale_luma needs a non-empty image")
    return y


def checked_image(img: np.ndarray) -> np.ndarray:
    """The input of upscale: uint8 (H, W) grey or (H, W, 3) RGB; ValueError otherwise."""
    img = np.asarray(img)
    if img.dtype != np.uint8 or not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
        raise ValueError(f"upscale expects uint8 (H, W) or (H, W, 3), got {img.dtype} {img.shape}")
    return img


class GoldenEngine:
    """The integer reference implementation of one exported model."""

    def __init__(self, model: QuantModel, strip_rows: int = DEFAULT_STRIP_ROWS) -> None:
        if strip_rows < 1:
            raise ValueError("strip_rows must be positive")
        self.model = model
        self.strip_rows = strip_rows
        self.layers = tuple(_prepare(layer) for layer in model.layers)

    def _conv(self, lay: _Layer, x: np.ndarray) -> np.ndarray:
        """Zero-padded (columns) / valid (rows) conv of a strip, exact, in the layer's dtype."""
        spec = lay.layer.spec
        ph, pw = spec.kh // 2, spec.kw // 2
        if pw:
            x = np.pad(x, ((0, 0), (0, 0), (pw, pw)))
        rows, width = x.shape[1] - 2 * ph, x.shape[2] - 2 * pw
        acc = np.zeros((spec.out_channels, rows, width), dtype=lay.dtype)
        tmp = np.empty_like(acc)
        for t in lay.taps:
            np.multiply(x[t.src, t.dy : t.dy + rows, t.dx : t.dx + width], t.w, out=tmp)
            acc += tmp
        return acc

    def _strips(self, y: np.ndarray, trace: Trace | None) -> Iterator[tuple[int, int, np.ndarray]]:
        """Run the CNN strip by strip: yields (r0, r1, tail codes of LR rows r0..r1-1); fills `trace`."""
        h, w = y.shape
        halo = self.model.arch.halo
        if trace is not None:
            for lay in self.layers:
                trace[lay.layer.name] = np.empty((lay.layer.spec.out_channels, h, w), dtype=np.int64)
        for r0 in range(0, h, self.strip_rows):
            r1 = min(h, r0 + self.strip_rows)
            top = r0 - halo  # image row of the strip's first row
            x = np.zeros((1, r1 - r0 + 2 * halo, w), dtype=self.layers[0].dtype)
            lo, hi = max(top, 0), min(r1 + halo, h)
            x[0, lo - top : hi - top] = y[lo:hi]
            in_frac = self.model.input_format.frac
            for lay in self.layers:
                x = x.astype(lay.dtype, copy=False)
                acc = self._conv(lay, x)
                top += lay.layer.spec.kh // 2
                x = requantize(acc, in_frac + lay.layer.weight_format.frac, lay.out_format)
                in_frac = lay.out_format.frac
                if top < 0:  # rows above the image: the next layer's zero padding
                    x[:, :-top] = 0
                if top + x.shape[1] > h:  # rows below the image
                    x[:, h - top :] = 0
                if trace is not None:
                    trace[lay.layer.name][:, r0:r1] = x[:, r0 - top : r1 - top]
            yield r0, r1, x[:, r0 - top : r1 - top]

    def cnn(self, y: np.ndarray, trace: Trace | None = None) -> np.ndarray:
        """LR luma codes (H, W) -> tail codes (4, H, W) with fa_tail fraction bits; fills `trace`."""
        y = np.asarray(y)
        out = np.empty((self.layers[-1].layer.spec.out_channels, *y.shape), dtype=np.int64)
        for r0, r1, t in self._strips(y, trace):
            out[:, r0:r1] = t
        return out

    def upscale_luma(self, y: np.ndarray, trace: Trace | None = None) -> np.ndarray:
        """uint8 LR luma (H, W) -> uint8 HR luma (2H, 2W): Y_f = clip(round(Y_N + Y_c)); fills `trace`.

        Y_N comes from fixedpoint.bicubic.upscale2x_raw on the strip's LR rows extended by 2 edge-
        replicated rows each side, which is exactly what the full-frame filter reads for those rows.
        """
        y = checked_luma(y)
        h, w = y.shape
        fa_tail = self.model.layers[-1].act_format.frac
        frac = self.model.residual_frac
        out = np.empty((2 * h, 2 * w), dtype=np.uint8)
        if trace is not None:
            trace["input"] = y[None].astype(np.int64)
            for name in ("residual_hr", "bicubic", "y_hr"):
                trace[name] = np.empty((1, 2 * h, 2 * w), dtype=np.int64)
        for r0, r1, tail in self._strips(y, trace):
            rows = np.clip(np.arange(r0 - 2, r1 + 2), 0, h - 1)
            yn = upscale2x_raw(y[rows])[None, 4 : 4 + 2 * (r1 - r0)]
            res = pixel_shuffle(tail)
            total = align(yn, BICUBIC_FRAC, frac) + align(res.astype(np.int64), fa_tail, frac)
            y_hr = requantize(total, frac, OUTPUT_FORMAT)
            out[2 * r0 : 2 * r1] = y_hr[0]
            if trace is not None:
                trace["residual_hr"][:, 2 * r0 : 2 * r1] = res
                trace["bicubic"][:, 2 * r0 : 2 * r1] = yn
                trace["y_hr"][:, 2 * r0 : 2 * r1] = y_hr
        return out

    def upscale(self, img: np.ndarray, trace: Trace | None = None) -> np.ndarray:
        """uint8 RGB (H, W, 3) -> RGB (2H, 2W, 3), or grey (H, W) -> grey (2H, 2W); fills `trace`."""
        img = checked_image(img)
        if img.ndim == 2:
            return self.upscale_luma(img, trace)
        ycc = rgb_to_ycbcr(img)
        y_hr = self.upscale_luma(np.ascontiguousarray(ycc[..., 0]), trace)
        ycc_hr = np.stack([y_hr, upscale2x_u8(ycc[..., 1]), upscale2x_u8(ycc[..., 2])], axis=-1)
        rgb = ycbcr_to_rgb(ycc_hr)
        if trace is not None:
            trace["ycbcr_lr"] = ycc
            trace["ycbcr_hr"] = ycc_hr
            trace["rgb_hr"] = rgb
        return rgb


def upscale(model: QuantModel, img: np.ndarray, trace: Trace | None = None) -> np.ndarray:
    """One-shot GoldenEngine(model).upscale(img, trace)."""
    return GoldenEngine(model).upscale(img, trace)


def upscale_luma(model: QuantModel, y: np.ndarray, trace: Trace | None = None) -> np.ndarray:
    """One-shot GoldenEngine(model).upscale_luma(y, trace)."""
    return GoldenEngine(model).upscale_luma(y, trace)
