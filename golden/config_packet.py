"""The configuration packet: frame size and the whole weight set as 32-bit words (docs/ARCHITECTURE.md).

The HLS core and the RTL receive it on the `s_axis_cfg` AXI4-Stream (one word per beat, TLAST on
the last word) and switch to it at the next start of frame. This module writes and parses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qcsr.fixedpoint.export import BICUBIC_FRAC, QuantModel
from qcsr.util.errors import QcsrError

CFG_MAGIC = 0x51435352  # "QCSR"
CFG_VERSION = 1
HEADER_FIELDS = ("magic", "version", "width", "height", "F", "C", "N", "KH", "KW", "G", "weight_bits", "act_bits")
TRAILER_FIELDS = ("yn_lshift", "res_lshift", "out_shift")


@dataclass(frozen=True)
class ConfigPacket:
    """A parsed packet: frame size, architecture check values, per-layer shifts and weights."""

    width: int
    height: int
    arch: dict[str, int]
    shifts: tuple[int, ...]
    weights: tuple[np.ndarray, ...]  # flat int64 per layer, torch order (out, in/groups, kh, kw)
    yn_lshift: int
    res_lshift: int
    out_shift: int


def residual_shifts(model: QuantModel) -> tuple[int, int, int]:
    """(yn_lshift, res_lshift, out_shift): align Y_N (14 frac) and Y_c (fa_tail) then round to 0 frac."""
    frac = model.residual_frac
    return frac - BICUBIC_FRAC, frac - model.layers[-1].act_format.frac, frac


def config_words(model: QuantModel, width: int, height: int) -> np.ndarray:
    """The packet as uint32 words: header, per layer [shift, weights...], residual shifts."""
    a = model.arch
    lay0 = model.layers[0]
    vals: list[int] = [CFG_MAGIC, CFG_VERSION, width, height, a.F, a.C, a.N, a.KH, a.KW, a.G,
                       lay0.weight_format.bits, lay0.act_format.bits]  # fmt: skip
    for layer in model.layers:
        vals.append(layer.shift)
        vals.extend(int(v) for v in layer.weights.reshape(-1))
    vals.extend(residual_shifts(model))
    return (np.asarray(vals, dtype=np.int64) & 0xFFFFFFFF).astype(np.uint32)


def parse_config_words(words: np.ndarray, model: QuantModel) -> ConfigPacket:
    """Parse and check a packet against the layer geometry of `model`; QcsrError naming the word."""
    w = np.asarray(words, dtype=np.uint32).astype(np.int64)
    signed = np.where(w >= 1 << 31, w - (1 << 32), w)
    head = dict(zip(HEADER_FIELDS, (int(v) for v in signed[: len(HEADER_FIELDS)]), strict=False))
    if len(signed) < len(HEADER_FIELDS):
        raise QcsrError(f"config packet: {len(signed)} words, shorter than its header")
    if head["magic"] != CFG_MAGIC or head["version"] != CFG_VERSION:
        raise QcsrError(f"config packet: bad magic/version {head['magic']:#x}/{head['version']}")
    arch = {k: head[k] for k in ("F", "C", "N", "KH", "KW", "G")}
    if arch != {k: getattr(model.arch, k) for k in arch}:
        raise QcsrError(f"config packet: architecture {arch} differs from the model's")
    pos = len(HEADER_FIELDS)
    shifts, weights = [], []
    for layer in model.layers:
        n = layer.weights.size
        if pos + 1 + n > len(signed):
            raise QcsrError(f"config packet: truncated in layer {layer.name}")
        shifts.append(int(signed[pos]))
        weights.append(signed[pos + 1 : pos + 1 + n].copy())
        pos += 1 + n
    if len(signed) != pos + len(TRAILER_FIELDS):
        raise QcsrError(f"config packet: {len(signed)} words, expected {pos + len(TRAILER_FIELDS)}")
    yn, res, out = (int(v) for v in signed[pos:])
    return ConfigPacket(head["width"], head["height"], arch, tuple(shifts), tuple(weights), yn, res, out)
