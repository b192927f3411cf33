"""The fast exact engine: the golden engine's integers, compiled with Numba and run on all cores.

Same contract as `qcsr.golden.engine.GoldenEngine` (SPEC section 3, docs/ARCHITECTURE.md section 1),
same results bit for bit (`tests/test_fast_engine.py` asserts `np.array_equal` against the golden
engine on the vector set, adversarial inputs, random models and full 1080p frames); the golden
engine stays pure NumPy and remains the reference.

How it is fast: activations live as (C, H, W) int16 planes (14-bit codes) with zero side columns,
each layer is one compiled loop nest over the frame, rows in parallel (`numba.prange`), the loop
over a row's pixels innermost (contiguous, no border tests) so that LLVM turns it into SIMD
multiply-adds on an L1-resident row accumulator; accumulators are int32 where the layer's proven bound
(`QuantLayer.requant_bound`) is below 2^31 (the default 10/14-bit formats) and int64 otherwise.
Colour conversion, the bicubic paths and the residual add are compiled the same way.
"""

from __future__ import annotations

import os
import threading

import numba as nb
import numpy as np

from qcsr.fixedpoint.bicubic import BICUBIC_FRAC_BITS, PHASE_TAPS_5
from qcsr.fixedpoint.colour import _FWD_OFFSET, _INV_OFFSET, COLOUR_FRAC_BITS, RGB_TO_YCBCR, YCBCR_TO_RGB
from qcsr.fixedpoint.quant_model import BICUBIC_FRAC, OUTPUT_FORMAT, QuantModel
from qcsr.golden.engine import checked_image, checked_luma
from qcsr.golden.simd import Colour, Post, SimdCNN
from qcsr.golden.simd import available as simd_available
from qcsr.util.errors import QcsrError

# Numba's threading layer: its own work queue unless the user chose one (NUMBA_THREADING_LAYER). The OpenMP
# layer's threads spin after every parallel region, and here they spun while the int16 kernels' threads ran
# the next frame's CNN: 1080p luma 0.120 s with OpenMP, 0.108 s with the work queue. The work queue takes one
# launch at a time (a concurrent one aborts the process), so FastEngine's entry points hold _LAUNCH.
if "NUMBA_THREADING_LAYER" not in os.environ:
    nb.config.THREADING_LAYER = "workqueue"
_LAUNCH = threading.RLock()

INT32_LIMIT = 1 << 31
TAPS = np.array(PHASE_TAPS_5, dtype=np.int32)
assert TAPS[0, 4] == 0 and TAPS[1, 0] == 0  # _bicubic_rows' interior: four taps per phase


def _jit(fn):
    """A kernel whose outer `nb.prange` loop runs on all cores."""
    return nb.njit(parallel=True, cache=True, boundscheck=False)(fn)


def _jit_serial(fn):
    """A helper called inside a parallel loop (serial: nested parallel regions would be a pool per row)."""
    return nb.njit(parallel=False, cache=True, boundscheck=False, inline="always")(fn)



@_jit_serial
def _requant_row(acc, shift, lo, hi, out, k, r, off):  # pragma: no cover - compiled
    """out[k, r, off + i] = sat(round_half_up(acc[i] >> shift)) (exact left shift when shift <= 0).

    `out` is a whole C-contiguous plane stack, indexed here, so that the store loop vectorises (a row
    view passed in would be typed as non-contiguous)."""
    n = acc.shape[0]
    if shift > 0:
        half = 1 << (shift - 1)
        for i in range(n):
            out[k, r, off + i] = min(max((acc[i] + half) >> shift, lo), hi)
    else:
        for i in range(n):
            out[k, r, off + i] = min(max(acc[i] << (-shift), lo), hi)


@_jit
def _spatial(x, w, pad, shift, lo, hi, proto, out):  # pragma: no cover - compiled
    """Zero-padded KHxKW conv per channel on (C, H, pad + W + pad) planes with zero side columns:
    out[c, r] = requant(sum w[c, dy, dx] * x[c', r + dy - kh//2, cols + dx - kw//2]), c' = c (depthwise)
    or 0 (the head, one input channel). Rows outside the frame are the zero padding (skipped)."""
    cin, hgt, wp = x.shape
    c, kh, kw = w.shape
    wid = wp - 2 * pad
    ph, pw = kh // 2, kw // 2
    for r in nb.prange(hgt):
        acc = np.empty(wid, proto.dtype)
        for k in range(c):
            acc[:] = 0
            src_c = 0 if cin == 1 else k
            for dy in range(kh):
                yy = r + dy - ph
                if yy < 0 or yy >= hgt:
                    continue
                for dx in range(kw):
                    wv = w[k, dy, dx]
                    if wv != 0:
                        o = pad + dx - pw
                        acc += wv * x[src_c, yy, o : o + wid]
            _requant_row(acc, shift, lo, hi, out, k, r, pad)


@_jit_serial
def _spatial3x3_row(x, r, w, pad, shift, lo, hi, acc, zero, out, out_r, out_off):  # pragma: no cover - compiled
    """One output row of a 3x3 conv per channel: the nine taps of a pixel summed in one pass (registers,
    not nine passes over an accumulator); a row above or below the frame reads the zero row."""
    cin, hgt, _ = x.shape
    c = w.shape[0]
    wid = acc.shape[0]
    for k in range(c):
        s_c = 0 if cin == 1 else k
        ra = x[s_c, r - 1, pad - 1 :] if r > 0 else zero[pad - 1 :]
        rb = x[s_c, r, pad - 1 :]
        rc = x[s_c, r + 1, pad - 1 :] if r + 1 < hgt else zero[pad - 1 :]
        a0, a1, a2 = w[k, 0, 0], w[k, 0, 1], w[k, 0, 2]
        b0, b1, b2 = w[k, 1, 0], w[k, 1, 1], w[k, 1, 2]
        c0, c1, c2 = w[k, 2, 0], w[k, 2, 1], w[k, 2, 2]
        if shift > 0:  # requantized in the same pass: no accumulator row
            half = 1 << (shift - 1)
            for i in range(wid):
                a = (a0 * np.int32(ra[i]) + a1 * np.int32(ra[i + 1]) + a2 * np.int32(ra[i + 2])
                     + b0 * np.int32(rb[i]) + b1 * np.int32(rb[i + 1]) + b2 * np.int32(rb[i + 2])
                     + c0 * np.int32(rc[i]) + c1 * np.int32(rc[i + 1]) + c2 * np.int32(rc[i + 2]))  # fmt: skip
                out[k, out_r, out_off + i] = min(max((acc.dtype.type(a) + half) >> shift, lo), hi)
            continue
        for i in range(wid):
            acc[i] = (a0 * np.int32(ra[i]) + a1 * np.int32(ra[i + 1]) + a2 * np.int32(ra[i + 2])
                      + b0 * np.int32(rb[i]) + b1 * np.int32(rb[i + 1]) + b2 * np.int32(rb[i + 2])
                      + c0 * np.int32(rc[i]) + c1 * np.int32(rc[i + 1]) + c2 * np.int32(rc[i + 2]))  # fmt: skip
        _requant_row(acc, shift, lo, hi, out, k, out_r, out_off)


@_jit_serial
def _pointwise_row(d, w, groups, shift, lo, hi, acc, out, out_r, out_off):  # pragma: no cover - compiled
    """One output row of a grouped 1x1 conv from the (C, W) rows `d`: eight (then four, then one) input
    channels per pass over the row accumulator."""
    cout, cin_g = w.shape
    wid = acc.shape[0]
    cout_g = cout // groups
    for o in range(cout):
        acc[:] = 0
        base = (o // cout_g) * cin_g
        j = 0
        while j + 8 <= cin_g:
            w0, w1, w2, w3 = w[o, j], w[o, j + 1], w[o, j + 2], w[o, j + 3]
            w4, w5, w6, w7 = w[o, j + 4], w[o, j + 5], w[o, j + 6], w[o, j + 7]
            x0, x1, x2, x3 = d[base + j], d[base + j + 1], d[base + j + 2], d[base + j + 3]
            x4, x5, x6, x7 = d[base + j + 4], d[base + j + 5], d[base + j + 6], d[base + j + 7]
            for i in range(wid):
                acc[i] += (w0 * np.int32(x0[i]) + w1 * np.int32(x1[i]) + w2 * np.int32(x2[i])
                           + w3 * np.int32(x3[i]) + w4 * np.int32(x4[i]) + w5 * np.int32(x5[i])
                           + w6 * np.int32(x6[i]) + w7 * np.int32(x7[i]))  # fmt: skip
            j += 8
        while j + 4 <= cin_g:
            w0, w1, w2, w3 = w[o, j], w[o, j + 1], w[o, j + 2], w[o, j + 3]
            x0, x1, x2, x3 = d[base + j], d[base + j + 1], d[base + j + 2], d[base + j + 3]
            for i in range(wid):
                acc[i] += w0 * np.int32(x0[i]) + w1 * np.int32(x1[i]) + w2 * np.int32(x2[i]) + w3 * np.int32(x3[i])
            j += 4
        while j < cin_g:
            wv, x0 = w[o, j], d[base + j]
            for i in range(wid):
                acc[i] += wv * np.int32(x0[i])
            j += 1
        _requant_row(acc, shift, lo, hi, out, o, out_r, out_off)


@_jit
def _spatial3x3(x, w, pad, shift, lo, hi, proto, out):  # pragma: no cover - compiled
    """`_spatial` for 3x3 kernels, row by row (`_spatial3x3_row`)."""
    _, hgt, wp = x.shape
    wid = wp - 2 * pad
    zero = np.zeros(wp, x.dtype)
    for r in nb.prange(hgt):
        acc = np.empty(wid, proto.dtype)
        _spatial3x3_row(x, r, w, pad, shift, lo, hi, acc, zero, out, r, pad)


@_jit
def _pointwise(x, w, groups, pad, shift, lo, hi, proto, out):  # pragma: no cover - compiled
    """Grouped 1x1 conv on (C, H, pad + W + pad) planes: out[o, r] = requant(sum_j w[o, j] x[g(o) cin_g + j, r])."""
    _, hgt, wp = x.shape
    wid = wp - 2 * pad
    cin = x.shape[0]
    for r in nb.prange(hgt):
        acc = np.empty(wid, proto.dtype)
        d = np.empty((cin, wid), x.dtype)  # the row's channels, contiguous (a strided view does not vectorise)
        for c in range(cin):
            for i in range(wid):
                d[c, i] = x[c, r, pad + i]
        _pointwise_row(d, w, groups, shift, lo, hi, acc, out, r, pad)


@_jit
def _block3x3(x, wd, wp_, pad, sd, lod, hid, pd, sp, lop, hip, pp, out):  # pragma: no cover - compiled
    """A depthwise 3x3 layer and its pointwise layer fused per row: the depthwise row stays in a per-thread
    buffer (L2) instead of a full plane written and read back through memory."""
    c, hgt, wp = x.shape
    wid = wp - 2 * pad
    zero = np.zeros(wp, x.dtype)
    for r in nb.prange(hgt):
        acc_d = np.empty(wid, pd.dtype)
        acc_p = np.empty(wid, pp.dtype)
        d = np.empty((wd.shape[0], wid), x.dtype)
        _spatial3x3_row(x, r, wd, pad, sd, lod, hid, acc_d, zero, d.reshape((d.shape[0], 1, wid)), 0, 0)
        _pointwise_row(d, wp_, 1, sp, lop, hip, acc_p, out, r, pad)


@_jit
def _block3x3_tail(x, wd, wp_, wt, gt, pad, sd, lod, hid, pd, sp, lop, hip, pp, st, lot, hit, pt, out):  # noqa: E501  # pragma: no cover
    """The last block and the grouped tail fused per row: depthwise row -> pointwise row -> tail row, the
    intermediate rows in per-thread buffers."""
    c, hgt, wp = x.shape
    wid = wp - 2 * pad
    zero = np.zeros(wp, x.dtype)
    for r in nb.prange(hgt):
        acc_d = np.empty(wid, pd.dtype)
        acc_p = np.empty(wid, pp.dtype)
        acc_t = np.empty(wid, pt.dtype)
        d = np.empty((wd.shape[0], wid), x.dtype)
        e = np.empty((wp_.shape[0], wid), x.dtype)
        _spatial3x3_row(x, r, wd, pad, sd, lod, hid, acc_d, zero, d.reshape((d.shape[0], 1, wid)), 0, 0)
        _pointwise_row(d, wp_, 1, sp, lop, hip, acc_p, e.reshape((e.shape[0], 1, wid)), 0, 0)
        _pointwise_row(e, wt, gt, st, lot, hit, acc_t, out, r, pad)


@_jit
def _bicubic_rows(img, ch, taps, tmp):  # pragma: no cover - compiled
    """Horizontal x2 bicubic pass of channel `ch` of an (H, W, C) uint8 frame, replicated borders, into
    the (H, 2W) int32 plane `tmp` (7 fraction bits)."""
    hgt, wid, _ = img.shape
    a0, a1, a2, a3 = taps[0, 0], taps[0, 1], taps[0, 2], taps[0, 3]  # even phase: i - 2 .. i + 1
    b1, b2, b3, b4 = taps[1, 1], taps[1, 2], taps[1, 3], taps[1, 4]  # odd phase: i - 1 .. i + 2
    for r in nb.prange(hgt):
        for i in range(wid):
            if 2 <= i < wid - 2:  # interior: no border replication
                x0, x1, x2 = np.int32(img[r, i - 2, ch]), np.int32(img[r, i - 1, ch]), np.int32(img[r, i, ch])
                x3, x4 = np.int32(img[r, i + 1, ch]), np.int32(img[r, i + 2, ch])
                tmp[r, 2 * i] = a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
                tmp[r, 2 * i + 1] = b1 * x1 + b2 * x2 + b3 * x3 + b4 * x4
                continue
            for ph in range(2):
                s = 0
                for k in range(5):
                    t = taps[ph, k]
                    if t != 0:
                        s += t * np.int32(img[r, min(max(i - 2 + k, 0), wid - 1), ch])
                tmp[r, 2 * i + ph] = s


@_jit
def _bicubic_cols(tmp, taps, shift, out, ch):  # pragma: no cover - compiled
    """Vertical pass of `_bicubic_rows`' plane into channel `ch` of the (2H, 2W, C) frame `out`: the raw
    14-fraction-bit value when shift is 0 (luma, for the residual add), else clip(round_half_up(s >> shift),
    0, 255) (chroma, straight into the interleaved HR frame)."""
    hgt = tmp.shape[0]
    half = (1 << (shift - 1)) if shift > 0 else 0
    for j in nb.prange(hgt):
        for ph in range(2):
            for col in range(tmp.shape[1]):
                s = 0
                for k in range(5):
                    t = taps[ph, k]
                    if t != 0:
                        s += t * tmp[min(max(j - 2 + k, 0), hgt - 1), col]
                out[2 * j + ph, col, ch] = s if shift == 0 else min(max((s + half) >> shift, 0), 255)


@_jit
def _residual(yn, tail, pad, sh_bic, sh_res, frac, out):  # pragma: no cover - compiled
    """Y_f = clip(round_half_up((Y_N << sh_bic) + (shuffle(Y_c) << sh_res)) >> frac), 0, 255), int64."""
    _, hgt, wp = tail.shape
    wid = wp - 2 * pad
    half = np.int64(1) << (frac - 1) if frac > 0 else np.int64(0)
    for r in nb.prange(2 * hgt):
        dy = r % 2
        for col in range(2 * wid):
            t = np.int64(tail[2 * dy + col % 2, r // 2, pad + col // 2])
            total = (np.int64(yn[r, col]) << sh_bic) + (t << sh_res)
            q = (total + half) >> frac if frac > 0 else total
            out[r, col] = min(max(q, 0), 255)


@_jit
def _colour_split(x, m, offset, shift, out):  # pragma: no cover - compiled
    """Interleaved (H, W, 3) in, planar (3, H, W) out: out[k] = clip((sum_c m[k, c] x[..., c] + offset[k])
    >> shift, 0, 255) (offset holds the half)."""
    hgt, wid, _ = x.shape
    for r in nb.prange(hgt):
        for k in range(3):
            m0, m1, m2, o = m[k, 0], m[k, 1], m[k, 2], offset[k]
            for col in range(wid):
                a = m0 * np.int32(x[r, col, 0]) + m1 * np.int32(x[r, col, 1]) + m2 * np.int32(x[r, col, 2]) + o
                out[k, r, col] = min(max(a >> shift, 0), 255)


@_jit
def _colour_merge(x, m, offset, shift, out):  # pragma: no cover - compiled
    """Planar (3, H, W) in, interleaved (H, W, 3) out; the same arithmetic as `_colour_split`."""
    _, hgt, wid = x.shape
    for r in nb.prange(hgt):
        x0, x1, x2 = x[0, r], x[1, r], x[2, r]
        for k in range(3):
            m0, m1, m2, o = m[k, 0], m[k, 1], m[k, 2], offset[k]
            for col in range(wid):
                a = m0 * np.int32(x0[col]) + m1 * np.int32(x1[col]) + m2 * np.int32(x2[col]) + o
                out[r, col, k] = min(max(a >> shift, 0), 255)


class FastEngine:
    """Drop-in for GoldenEngine.upscale / upscale_luma (no trace), compiled and multi-threaded."""

    def __init__(self, model: QuantModel, simd: bool = True, threads: int | None = None) -> None:
        """`simd`: the CNN through the compiled int16 kernels (golden/_simd.c) where they hold the model's
        formats, else the Numba kernels below; `threads`: their thread count (default: every core)."""
        warm()
        self.model = model
        act_bits = max(lay.act_format.bits for lay in model.layers)
        self.act_dtype = np.int16 if act_bits <= 16 else np.int32
        in_frac = model.input_format.frac
        self.pad = max(max(lay.spec.kw // 2 for lay in model.layers), 1)
        self.layers = []
        for lay in model.layers:
            spec, w = lay.spec, lay.weights
            shift = in_frac + lay.weight_format.frac - lay.act_format.frac
            acc = np.int32 if lay.requant_bound < INT32_LIMIT else np.int64
            pointwise = spec.kh == 1 and spec.kw == 1  # pointwise layers and the grouped tail
            kern = np.ascontiguousarray(w[:, :, 0, 0] if pointwise else w[:, 0]).astype(acc)
            fmt = lay.act_format
            self.layers.append((pointwise, kern, spec.groups, shift, fmt.min_int, fmt.max_int, np.zeros(1, acc),
                                spec.out_channels))  # fmt: skip
            in_frac = fmt.frac
        self._shape: tuple[int, int] | None = None
        self._bufs: list[np.ndarray] = []
        self._raw: np.ndarray | None = None
        self._tmp: np.ndarray | None = None
        self._tail: np.ndarray | None = None
        self._simd = None
        self.fa_tail = model.layers[-1].act_format.frac
        self.frac = model.residual_frac
        if OUTPUT_FORMAT.frac != 0 or self.frac < max(BICUBIC_FRAC, self.fa_tail):
            raise QcsrError("fast engine: unexpected output format")
        self._post: Post | None = None  # the bicubic and the residual in the kernels' tiles too, where int32 holds them
        if simd and simd_available() and SimdCNN.supports(model) and self.act_dtype == np.int16:
            self._simd = SimdCNN(model, threads=threads)
            tail = model.layers[-1].act_format
            post = Post(TAPS, self.frac - BICUBIC_FRAC, self.frac - self.fa_tail, self.frac,
                        max(-tail.min_int, tail.max_int))  # fmt: skip
            self._post = post if post.fits else None

    def _planes(self, h: int, w: int) -> list[np.ndarray]:
        """Two (C, H, pad + W + pad) activation planes, allocated once per frame size and reused (fresh
        memory costs a page fault per 4 KiB: allocating 14 planes per frame took longer than the convs)."""
        if self._shape != (h, w):
            c = max(max(lay[-1] for lay in self.layers), 1)
            self._bufs = [np.zeros((c, h, w + 2 * self.pad), self.act_dtype) for _ in range(2)]
            self._shape = (h, w)
        return self._bufs

    def cnn(self, y: np.ndarray) -> np.ndarray:
        """LR luma codes (H, W) -> tail codes (4, H, pad + W + pad), zero side columns (a view of a reused plane)."""
        with _LAUNCH:
            return self._cnn(y)

    def _cnn(self, y: np.ndarray) -> np.ndarray:
        h, w = y.shape
        p = self.pad
        if self._simd is not None:
            if self._tail is None or self._tail.shape[1:] != (h, w + 2 * p):
                self._tail = np.zeros((self._simd.cout, h, w + 2 * p), np.int16)
            return self._simd.run(y, self._tail, p)
        bufs = self._planes(h, w)  # side columns stay zero: the kernels write only the interior
        x = bufs[1][:1]
        x[0, :, p : p + w] = y
        layers, n, k = self.layers, 0, 0
        while n < len(layers):
            pointwise, kern, groups, shift, lo, hi, proto, cout = layers[n]
            out = bufs[k % 2][:cout]
            nxt = layers[n + 1] if n + 1 < len(layers) else None
            block = not pointwise and kern.shape[1:] == (3, 3) and x.shape[0] == cout and nxt and nxt[0] and nxt[2] == 1
            last = layers[n + 2] if block and n + 3 == len(layers) and layers[n + 2][0] else None
            if last is not None:  # the last block and the tail, fused per row
                _, kp, _, sp, lop, hip, pp, _ = nxt
                _, kt, gt, st, lot, hit, pt, ct = last
                out = bufs[k % 2][:ct]
                _block3x3_tail(x, kern, kp, kt, gt, p, shift, lo, hi, proto, sp, lop, hip, pp, st, lot, hit, pt, out)
                n += 3
            elif block:  # a depthwise 3x3 layer and its pointwise layer, fused per row
                _, kp, _, sp, lop, hip, pp, cp = nxt
                out = bufs[k % 2][:cp]
                _block3x3(x, kern, kp, p, shift, lo, hi, proto, sp, lop, hip, pp, out)
                n += 2
            elif pointwise:
                _pointwise(x, kern, groups, p, shift, lo, hi, proto, out)
                n += 1
            elif kern.shape[1:] == (3, 3):
                _spatial3x3(x, kern, p, shift, lo, hi, proto, out)
                n += 1
            else:
                _spatial(x, kern, p, shift, lo, hi, proto, out)
                n += 1
            x, k = out, k + 1
        return x

    def upscale_luma(self, y: np.ndarray) -> np.ndarray:
        """uint8 LR luma (H, W) -> uint8 HR luma (2H, 2W)."""
        with _LAUNCH:
            return self._upscale_luma(np.ascontiguousarray(checked_luma(y)))

    def _upscale_luma(self, y: np.ndarray) -> np.ndarray:
        h, w = y.shape
        if self._post is not None:
            return self._simd.luma(y, self._post, np.empty((2 * h, 2 * w), np.uint8))
        tail = self._cnn(y)
        yn = self._hr_raw(h, w)
        _bicubic_rows(y.reshape(h, w, 1), 0, TAPS, self._tmp)
        _bicubic_cols(self._tmp, TAPS, 0, yn.reshape(2 * h, 2 * w, 1), 0)
        out = np.empty((2 * h, 2 * w), np.uint8)
        _residual(yn, tail, self.pad, self.frac - BICUBIC_FRAC, self.frac - self.fa_tail, self.frac, out)
        return out

    def _hr_raw(self, h: int, w: int) -> np.ndarray:
        """The int32 (2H, 2W) bicubic plane, reused across calls of one frame size."""
        if self._raw is None or self._raw.shape != (2 * h, 2 * w):
            self._raw = np.empty((2 * h, 2 * w), np.int32)
        self._row_pass(h, w)
        return self._raw

    def _row_pass(self, h: int, w: int) -> np.ndarray:
        """The int32 (H, 2W) plane of the bicubic's horizontal pass, reused across calls of one frame size."""
        if self._tmp is None or self._tmp.shape != (h, 2 * w):
            self._tmp = np.empty((h, 2 * w), np.int32)
        return self._tmp

    def upscale(self, img: np.ndarray) -> np.ndarray:
        """uint8 RGB (H, W, 3) -> RGB (2H, 2W, 3), or grey (H, W) -> grey (2H, 2W)."""
        img = checked_image(img)
        if img.ndim == 2:
            return self.upscale_luma(img)
        with _LAUNCH:
            return self._upscale_rgb(img)

    def _upscale_rgb(self, img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        ycc = np.empty((3, h, w), np.uint8)  # planar Y, Cb, Cr
        _colour_split(np.ascontiguousarray(img), _FWD, _FWD_OFF, COLOUR_FRAC_BITS, ycc)
        if self._post is not None:  # the chroma and the colour conversion in the kernels' tiles too
            return self._simd.rgb(ycc, self._post, _COLOUR, np.empty((2 * h, 2 * w, 3), np.uint8))
        hr = np.empty((3, 2 * h, 2 * w), np.uint8)
        hr[0] = self._upscale_luma(np.ascontiguousarray(ycc[0]))
        tmp = self._row_pass(h, w)
        for ch in (1, 2):
            _bicubic_rows(ycc[ch].reshape(h, w, 1), 0, TAPS, tmp)
            _bicubic_cols(tmp, TAPS, 2 * BICUBIC_FRAC_BITS, hr[ch].reshape(2 * h, 2 * w, 1), 0)
        rgb = np.empty((2 * h, 2 * w, 3), np.uint8)
        _colour_merge(hr, _INV, _INV_OFF, COLOUR_FRAC_BITS, rgb)
        return rgb


_FWD, _FWD_OFF = RGB_TO_YCBCR.astype(np.int32), _FWD_OFFSET.astype(np.int32)
_INV, _INV_OFF = YCBCR_TO_RGB.astype(np.int32), _INV_OFFSET.astype(np.int32)
_COLOUR = Colour(2 * BICUBIC_FRAC_BITS, _INV, _INV_OFF, COLOUR_FRAC_BITS)


# ---------------------------------------------------------------- compiled once per install
KERNELS_STAMP = "qcsr-kernels.stamp"
_ready = False
_warming = False


def _stamp_path():
    """A file beside Numba's cache of these kernels (the package's __pycache__, or Numba's user-wide cache
    where that is read-only)."""
    from pathlib import Path

    return Path(_residual._cache._cache_path) / KERNELS_STAMP


def _stamp_text() -> str:
    import hashlib
    import platform
    import sys

    src = hashlib.sha256(open(__file__, "rb").read()).hexdigest()[:16]
    return f"numba {nb.__version__} python {sys.version.split()[0]} {platform.machine()} fast.py {src}\n"


def kernels_ready() -> bool:
    """Numba's cache holds this install's kernels (a process starts upscaling without compiling)."""
    try:
        return _stamp_path().read_text() == _stamp_text()
    except OSError:
        return False


def warm(verbose: bool = True) -> bool:
    """Compile (or load from Numba's cache) every kernel signature the engine uses, once per install: a
    one-line note on stderr when it compiles. Returns True when it compiled."""
    global _ready, _warming
    if _ready or _warming:
        return False
    compiled = not kernels_ready()
    if compiled and verbose:
        import sys

        print("qcsr: compiling the fast engine's kernels (once per install, about a minute)", file=sys.stderr,
              flush=True)  # fmt: skip
    from qcsr.fixedpoint.arch import Arch
    from qcsr.fixedpoint.quant_model import QuantFormats, build_quant_model

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    _warming = True
    try:
        for arch in (Arch(), Arch(C=4, N=1, KW=5, F=5)):  # 3x3 fused blocks; the general kernels
            n = len(arch.layers())
            weights = [rng.integers(-64, 64, s.weight_shape) for s in arch.layers()]
            wide = [2 if i % 2 == 0 else -4 for i in range(n)]  # int64 accumulators (bound above 2^31)
            for fmt in (QuantFormats([8] * n, [4] * n), QuantFormats([0] * n, wide)):
                qm = build_quant_model(arch, weights, fmt)
                FastEngine(qm, simd=False).upscale(img)
                FastEngine(qm).upscale(img)
    finally:
        _warming = False
    _ready = True
    if compiled:
        try:
            _stamp_path().write_text(_stamp_text())
        except OSError:
            pass
    return compiled


if __name__ == "__main__":  # `python -m qcsr.golden.fast`: what `make setup` runs
    import sys

    from qcsr.golden.simd import has_avx2

    warm()
    cnn = ("AVX2" if has_avx2() else "portable C") + " int16 kernels" if simd_available() else "Numba kernels"
    print(f"qcsr: fast engine ready (CNN: {cnn})")
    sys.exit(0)
