"""The configuration packet: frame size and the whole weight set as 32-bit words (docs/ARCHITECTURE.md).

The HLS core and the RTL receive it on the `s_axis_cfg` AXI4-Stream (one word per beat, TLAST on
the last word) and switch to it at the next start of frame. This module writes and parses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qcsr.fixedpoint.quant_model import BICUBIC_FRAC, QuantModel
from qcsr.golden.packet_rules import (  # noqa: F401  (re-exported: the packet's constants live with its rules)
    CFG_MAGIC,
    CFG_VERSION,
    HEADER_FIELDS,
    TRAILER_FIELDS,
    Core,
    as_words,
    first_violation,
    signed32,
)
from qcsr.util.errors import QcsrError


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


def parse_config_words(words, model: QuantModel, max_w: int = 1920, max_h: int = 1080) -> ConfigPacket:
    """Parse a packet for a core with the layer geometry and word widths of `model` and the largest frame
    max_w x max_h, enforcing every acceptance rule of qcsr.golden.packet_rules (the cores' rules): a
    QcsrError names the first word that breaks one. Accepts any integer-like sequence."""
    bad = first_violation(words, Core.of_model(model, max_w, max_h))
    if bad is not None:
        raise QcsrError(f"config packet rejected: {bad}")
    w, _ = as_words(words)
    signed = [signed32(x) for x in w]
    head = dict(zip(HEADER_FIELDS, signed[: len(HEADER_FIELDS)], strict=True))
    arch = {k: head[k] for k in ("F", "C", "N", "KH", "KW", "G")}
    pos = len(HEADER_FIELDS)
    shifts, weights = [], []
    for layer in model.layers:
        n = layer.weights.size
        shifts.append(signed[pos])
        weights.append(np.asarray(signed[pos + 1 : pos + 1 + n], dtype=np.int64))
        pos += 1 + n
    yn, res, out = signed[pos:]
    return ConfigPacket(head["width"], head["height"], arch, tuple(shifts), tuple(weights), yn, res, out)


def packet_accepted(words, model: QuantModel, max_w: int = 1920, max_h: int = 1080) -> tuple[bool, str]:
    """The golden verdict on a packet (what both cores must decide): (accepted, the first broken rule)."""
    bad = first_violation(words, Core.of_model(model, max_w, max_h))
    return bad is None, "" if bad is None else str(bad)


def model_from_words(words, fw, fa, source: str = "rebuilt from a configuration packet") -> QuantModel:
    """The QuantModel whose packet is `words`, given its fraction bits (a packet holds shifts, not formats):
    architecture and widths from the header, weights from the layers; the shifts the formats imply must be
    the packet's (ValueError otherwise). The packet rules are not applied here (a testbench may rebuild a
    model from a packet it then perturbs)."""
    from qcsr.fixedpoint.arch import Arch
    from qcsr.fixedpoint.quant_model import QuantFormats, build_quant_model

    w, bad = as_words(words)
    if bad is not None:
        raise ValueError(f"not a 32-bit word: {bad!r}")
    signed = [signed32(x) for x in w]
    head = dict(zip(HEADER_FIELDS, signed[: len(HEADER_FIELDS)], strict=True))
    arch = Arch(**{k: head[k] for k in ("F", "C", "N", "KH", "KW", "G")})
    pos, weights, shifts = len(HEADER_FIELDS), [], []
    for spec in arch.layers():
        n = int(np.prod(spec.weight_shape))
        shifts.append(signed[pos])
        weights.append(np.asarray(signed[pos + 1 : pos + 1 + n], dtype=np.int64).reshape(spec.weight_shape))
        pos += 1 + n
    formats = QuantFormats(tuple(fw), tuple(fa), head["weight_bits"], head["act_bits"])
    model = build_quant_model(arch, weights, formats, {"source": source})
    if any(lay.shift != s for lay, s in zip(model.layers, shifts, strict=True)):
        raise ValueError("the packet's shifts disagree with the fraction bits given")
    return model
