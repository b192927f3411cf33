"""The fast engine's CNN through the compiled int16 kernels of `qcsr.golden._simd` (golden/_simd.c).

`SimdCNN(model)` packs a model's weights as int16 pairs once and runs the CNN in column tiles on a thread
pool (ctypes releases the GIL); `SimdCNN.supports(model)` says whether the kernels hold its formats exactly
(int16 codes and weights, int32 accumulators, even channel counts), else the caller keeps the Numba path.
`SimdCNN.luma` also finishes each tile row (x2 bicubic + residual add, `Post`) so the tail codes never go
through memory as planes; `SimdCNN.rgb` the whole frame's rows (the chroma's x2 bicubic and YCbCr -> RGB,
`Colour`, as well).
The extension is built by the normal install (pyproject `ext-modules`); where no C compiler was found it is
absent and `available()` is False. AVX2 is chosen at run time; `generic=True` forces the portable C path.
"""

from __future__ import annotations

import ctypes
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from qcsr.fixedpoint.quant_model import QuantModel

INT32_LIMIT = 1 << 31
MAX_TILE = 1024  # output columns per task at most; measured at 1920x1080, 2 threads: 256-column tiles
# 0.122 s, 512 0.108 s, 960 (one per thread) 0.100 s: less halo recomputed, fewer row set-ups outweigh the
# rings leaving L2


class _Layer(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("cin", ctypes.c_int), ("cout", ctypes.c_int), ("kh", ctypes.c_int),
                ("kw", ctypes.c_int), ("shift", ctypes.c_int), ("lo", ctypes.c_int), ("hi", ctypes.c_int),
                ("w", ctypes.POINTER(ctypes.c_int32))]  # fmt: skip


def _load():
    try:
        from qcsr.golden import _simd
    except ImportError:
        return None
    lib = ctypes.CDLL(_simd.__file__)
    lib.qs_cnn_tile.restype = ctypes.c_int
    lib.qs_cnn_tile.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(_Layer), ctypes.c_int,
                                ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                                ctypes.c_int64, ctypes.c_int]  # fmt: skip
    lib.qs_luma_tile.restype = ctypes.c_int
    lib.qs_luma_tile.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(_Layer), ctypes.c_int,
                                 ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                 ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int]  # fmt: skip
    lib.qs_rgb_tile.restype = ctypes.c_int
    lib.qs_rgb_tile.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                ctypes.POINTER(_Layer), ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int64,
                                ctypes.c_int]  # fmt: skip
    lib.qs_peak_madd.restype = ctypes.c_int64
    lib.qs_peak_madd.argtypes = [ctypes.c_int64]
    lib.qs_has_avx2.restype = ctypes.c_int
    return lib


_LIB = _load()


def available() -> bool:
    """The compiled kernels are installed (and not switched off by QCSR_SIMD=0)."""
    return _LIB is not None and os.environ.get("QCSR_SIMD", "1") != "0"


def has_avx2() -> bool:
    return _LIB is not None and bool(_LIB.qs_has_avx2())


def peak_madd(iters: int) -> int:
    """Run `iters` rounds of 12 independent vpmaddwd (16 MACs each) on this thread; 0 without AVX2."""
    return int(_LIB.qs_peak_madd(iters)) if _LIB is not None else 0


def _pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """int32 words holding the int16 pair (a, b): a in the low half, b in the high half (little endian)."""
    lo = np.asarray(a, np.int64) & 0xFFFF
    hi = np.asarray(b, np.int64) & 0xFFFF
    return np.ascontiguousarray((lo | (hi << 16)).astype(np.uint32).view(np.int32))


def _dense(w: np.ndarray, groups: int) -> np.ndarray:
    """(cout, cin / groups, 1, 1) grouped 1x1 weights -> the dense (cout, cin) matrix, zero across groups."""
    cout, cin_g = w.shape[:2]
    cin, cout_g = cin_g * groups, cout // groups
    d = np.zeros((cout, cin), np.int64)
    for o in range(cout):
        base = (o // cout_g) * cin_g
        d[o, base : base + cin_g] = w[o, :, 0, 0]
    return d


class SimdCNN:
    """LR luma codes -> tail codes with the compiled kernels, exactly as GoldenEngine.cnn."""

    @staticmethod
    def supports(model: QuantModel) -> bool:
        for lay in model.layers:
            s, f, wf = lay.spec, lay.act_format, lay.weight_format
            if lay.requant_bound >= INT32_LIMIT or wf.bits > 16 or f.bits > (16 if f.signed else 15):
                return False
            if s.out_channels % 2 or (s.kind != "head" and s.in_channels % 2) or s.in_channels > 128 or s.kh > 16:
                return False
            if s.kind == "dw" and not (s.groups == s.in_channels == s.out_channels):
                return False
            if s.kind in ("pw", "tail") and (s.kh, s.kw) != (1, 1):
                return False
        return model.input_format.bits <= 8 and not model.input_format.signed

    def __init__(self, model: QuantModel, threads: int | None = None, generic: bool = False) -> None:
        if _LIB is None or not self.supports(model):
            raise ValueError("the compiled kernels do not hold this model")
        self.generic = generic
        self.threads = threads or os.cpu_count() or 1
        self._keep: list[np.ndarray] = []
        layers = []
        in_frac = model.input_format.frac
        for lay in model.layers:
            s, w = lay.spec, lay.weights
            if s.kind == "head":
                taps = w.reshape(s.out_channels, -1)
                if taps.shape[1] % 2:
                    taps = np.concatenate([taps, np.zeros((s.out_channels, 1), taps.dtype)], axis=1)
                packed, kind = _pairs(taps[:, 0::2], taps[:, 1::2]), 0
            elif s.kind == "dw":
                taps = w.reshape(s.in_channels, -1)  # (C, kh*kw), row-major taps
                if taps.shape[1] % 2:
                    taps = np.concatenate([taps, np.zeros((s.in_channels, 1), taps.dtype)], axis=1)
                words = _pairs(taps[:, 0::2], taps[:, 1::2])  # (C, tap pairs): (w[c][ta], w[c][tb])
                a, b = words[0::2], words[1::2]  # channels 2p, 2p + 1
                packed = np.stack([a, b] * 4, axis=-1)  # (C/2, tap pairs, 8): A B A B A B A B
                kind = 1
            else:
                d = _dense(w, s.groups)
                packed, kind = _pairs(d[:, 0::2], d[:, 1::2]), 2
            if kind != 1:
                packed = np.repeat(packed[..., None], 8, axis=-1)  # 32 B per word: a broadcast vector
            packed = np.ascontiguousarray(packed, np.int32)
            self._keep.append(packed)
            f = lay.act_format
            shift = in_frac + lay.weight_format.frac - f.frac
            layers.append(_Layer(kind, s.in_channels, s.out_channels, s.kh, s.kw, shift, f.min_int, f.max_int,
                                 packed.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))))  # fmt: skip
            in_frac = f.frac
        self._layers = (_Layer * len(layers))(*layers)
        self.halo = sum(lay.spec.kw // 2 for lay in model.layers)
        self.pad = max(max(lay.spec.kw // 2 for lay in model.layers), 1)
        self.cout = model.layers[-1].spec.out_channels
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None

    def _tiles(self, w: int) -> list[tuple[int, int]]:
        n = max(self.threads, -(-w // MAX_TILE))  # one tile per thread, more only for very wide frames
        tile = -(-w // n)
        return [(c, min(c + tile, w)) for c in range(0, w, tile)]

    def _launch(self, one, tiles: list[tuple[int, int]]) -> None:
        def checked(t: tuple[int, int]) -> None:
            if one(t):
                raise MemoryError("qcsr simd: out of memory for a tile")

        if self._pool is None or len(tiles) == 1:
            for t in tiles:
                checked(t)
        else:
            list(self._pool.map(checked, tiles))

    def run(self, y: np.ndarray, out: np.ndarray, col0: int) -> np.ndarray:
        """Tail codes of uint8 luma `y` (H, W) into the int16 planes `out` (cout, H, >= col0 + W) at columns
        col0..col0+W-1 (the rest untouched)."""
        y = np.ascontiguousarray(y, np.uint8)
        h, w = y.shape
        if out.dtype != np.int16 or not out.flags.c_contiguous or out.shape[:2] != (self.cout, h):
            raise ValueError("out must be C-contiguous int16 (cout, H, W')")
        base = out.ctypes.data + col0 * out.itemsize
        stride = out.shape[2]

        def one(t: tuple[int, int]) -> int:
            return _LIB.qs_cnn_tile(y.ctypes.data, h, w, self._layers, len(self._layers), t[0], t[1], self.halo,
                                    self.pad, base, stride, int(self.generic))  # fmt: skip

        self._launch(one, self._tiles(w))
        return out

    def luma(self, y: np.ndarray, post: Post, out: np.ndarray) -> np.ndarray:
        """The finished HR luma (2H, 2W) uint8 of LR luma `y` into `out`: the CNN, the bicubic and the residual add
        of `post` per tile row, in the kernels (the tail codes never go through memory as planes)."""
        y = np.ascontiguousarray(y, np.uint8)
        h, w = y.shape
        if out.dtype != np.uint8 or not out.flags.c_contiguous or out.shape != (2 * h, 2 * w):
            raise ValueError("out must be C-contiguous uint8 (2H, 2W)")
        taps = post.taps

        def one(t: tuple[int, int]) -> int:
            return _LIB.qs_luma_tile(y.ctypes.data, h, w, self._layers, len(self._layers), t[0], t[1], self.halo,
                                     self.pad, taps.ctypes.data, post.sh_bic, post.sh_res, post.frac, out.ctypes.data,
                                     2 * w, int(self.generic))  # fmt: skip

        self._launch(one, self._tiles(w))
        return out

    def rgb(self, ycc: np.ndarray, post: Post, colour: Colour, out: np.ndarray) -> np.ndarray:
        """The finished HR RGB frame (2H, 2W, 3) uint8 of planar LR YCbCr `ycc` (3, H, W) into `out`: the luma as
        `luma`, the chroma by `post`'s x2 bicubic rounded to 8 bits, then `colour`'s YCbCr -> RGB, per tile row."""
        ycc = np.ascontiguousarray(ycc, np.uint8)
        _, h, w = ycc.shape
        if out.dtype != np.uint8 or not out.flags.c_contiguous or out.shape != (2 * h, 2 * w, 3):
            raise ValueError("out must be C-contiguous uint8 (2H, 2W, 3)")
        taps, y, cb, cr = post.taps, ycc[0], ycc[1], ycc[2]

        def one(t: tuple[int, int]) -> int:
            return _LIB.qs_rgb_tile(y.ctypes.data, cb.ctypes.data, cr.ctypes.data, h, w, self._layers,
                                    len(self._layers), t[0], t[1], self.halo, self.pad, taps.ctypes.data, post.sh_bic,
                                    post.sh_res, post.frac, colour.bshift, colour.inv.ctypes.data,
                                    colour.inv_off.ctypes.data, colour.shift, out.ctypes.data, 6 * w,
                                    int(self.generic))  # fmt: skip

        self._launch(one, self._tiles(w))
        return out


class Colour:
    """The chroma and colour constants of `SimdCNN.rgb`: the chroma's x2 bicubic rounded by `bshift` bits, then
    RGB = clip((inv @ YCbCr + inv_off) >> shift, 0, 255) (inv_off holds the input offsets and the half)."""

    def __init__(self, bshift: int, inv: np.ndarray, inv_off: np.ndarray, shift: int) -> None:
        self.bshift, self.shift = bshift, shift
        self.inv = np.ascontiguousarray(inv, np.int32).reshape(3, 3)
        self.inv_off = np.ascontiguousarray(inv_off, np.int32).reshape(3)
        # int32 holds every sum: 255 (sum |inv| per row) + |inv_off| (the kernels' products and adds)
        bound = 255 * int(np.abs(np.asarray(inv, np.int64)).sum(axis=1).max()) + int(np.abs(inv_off).max())
        if bound >= INT32_LIMIT or bshift < 1 or shift < 0:
            raise ValueError("colour constants outside the kernels' int32")


class Post:
    """The residual step's constants for `SimdCNN.luma`: Y_f = clip(round_half_up(((Y_N << sh_bic) +
    (shuffle(Y_c) << sh_res)) >> frac), 0, 255), Y_N the x2 bicubic of `taps` (two phases x 5 LR taps)."""

    def __init__(self, taps: np.ndarray, sh_bic: int, sh_res: int, frac: int, tail_bound: int) -> None:
        self.taps = np.ascontiguousarray(taps, np.int32).reshape(2, 5)
        self.sh_bic, self.sh_res, self.frac = sh_bic, sh_res, frac
        gain = int(np.abs(self.taps).sum(axis=1).max())
        half = 1 << (frac - 1) if frac >= 1 else 0
        self.bound = ((255 * gain * gain) << max(sh_bic, 0)) + (tail_bound << max(sh_res, 0)) + half

    @property
    def fits(self) -> bool:
        """Every term of the sum, and the sum, fits the kernels' int32 (else the caller keeps its own path)."""
        return self.sh_bic >= 0 and self.sh_res >= 0 and self.frac >= 1 and self.bound < INT32_LIMIT
