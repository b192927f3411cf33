"""The quantized model (SPEC section 4) as the integer pipeline sees it: per-layer formats, weights and the
proven accumulator bounds (`QuantFormats`, `QuantLayer`, `QuantModel`, `build_quant_model`). Its file
format, reading and validation: qcsr.fixedpoint.model_file. Pure NumPy (it must not import torch).

Accumulator width (the proof the manifest's acc_bits records): a layer's accumulator is a sum of
fan_in = (in_channels / groups) * kh * kw products a * w with |a| <= A = max |input code| and
|w| <= W = max |weight code|, so |acc| <= B = fan_in * A * W and a signed accumulator of
bit_length(B) + 1 bits holds every possible value (2^(b-1) - 1 >= B). For the default network
(8-bit unsigned input, 10-bit weights, 14-bit activations, C = 16, 3x3 kernels, 4 groups):
head 9 * 255 * 512 < 2^21 -> 22 bits; dw 9 * 16383 * 512 < 2^27 -> 28 bits; pw 16 * 8192 * 512 =
2^26 -> 28 bits; tail 4 * 16383 * 512 < 2^25 -> 26 bits. A 28-bit signed accumulator therefore
suffices for every layer; the loader rejects formats whose accumulator (including the rounding
addend and any left shift) would not fit comfortably in int64.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qcsr.fixedpoint import bicubic
from qcsr.fixedpoint.arch import Arch, LayerSpec
from qcsr.fixedpoint.format import FixedFormat
from qcsr.util.errors import QcsrError

INPUT_FORMAT = FixedFormat(8, 0, False)  # LR luma, 0..255
OUTPUT_FORMAT = FixedFormat(8, 0, False)  # HR luma after the residual add (clip to 0..255)
BICUBIC_FRAC = 2 * bicubic.BICUBIC_FRAC_BITS  # Y_N carries 14 fraction bits

FRAC_MIN, FRAC_MAX = -16, 32  # allowed fw and fa
SHIFT_MIN, SHIFT_MAX = -16, 48  # allowed requantization shift s = in_frac + fw - fa
WEIGHT_BITS_MIN, WEIGHT_BITS_MAX = 2, 16
ACT_BITS_MIN, ACT_BITS_MAX = 2, 24
INT64_HEADROOM = 1 << 62  # every intermediate of the integer pipeline stays below this magnitude


@dataclass(frozen=True)
class QuantFormats:
    """Per-layer fraction bits (fw, fa) and the weight/activation widths; signedness follows ReLU."""

    fw: tuple[int, ...]
    fa: tuple[int, ...]
    weight_bits: int = 10
    act_bits: int = 14

    def __post_init__(self) -> None:
        object.__setattr__(self, "fw", tuple(int(v) for v in self.fw))
        object.__setattr__(self, "fa", tuple(int(v) for v in self.fa))
        if len(self.fw) != len(self.fa):
            raise ValueError(f"fw has {len(self.fw)} entries but fa has {len(self.fa)}")

    def weight_formats(self) -> tuple[FixedFormat, ...]:
        """Signed weight format of every layer."""
        return tuple(FixedFormat(self.weight_bits, f, True) for f in self.fw)

    def act_formats(self, specs: Sequence[LayerSpec]) -> tuple[FixedFormat, ...]:
        """Activation format of every layer: unsigned after ReLU, signed otherwise."""
        if len(specs) != len(self.fa):
            raise ValueError(f"{len(self.fa)} activation formats for {len(specs)} layers")
        return tuple(FixedFormat(self.act_bits, f, not s.relu) for f, s in zip(self.fa, specs, strict=True))


def accumulator_bound(in_fmt: FixedFormat, w_fmt: FixedFormat, fan_in: int) -> int:
    """Largest possible |accumulator| of a layer: fan_in * max|input code| * max|weight code|."""
    return fan_in * in_fmt.max_abs * w_fmt.max_abs


def signed_bits_for(bound: int) -> int:
    """Width of the smallest signed integer that holds every value in [-bound, bound]."""
    return int(bound).bit_length() + 1


@dataclass(frozen=True)
class QuantLayer:
    """One conv layer of the integer network: geometry, integer weights and formats."""

    spec: LayerSpec
    weights: np.ndarray  # int64, spec.weight_shape
    weight_format: FixedFormat
    act_format: FixedFormat
    in_format: FixedFormat  # the previous layer's activation format (INPUT_FORMAT for the head)

    @property
    def name(self) -> str:
        """Layer name (head, dw1, pw1, ..., tail)."""
        return self.spec.name

    @property
    def acc_frac(self) -> int:
        """Fraction bits of the exact accumulator."""
        return self.in_format.frac + self.weight_format.frac

    @property
    def shift(self) -> int:
        """Requantization shift s = acc_frac - fa (s <= 0 means an exact left shift)."""
        return self.acc_frac - self.act_format.frac

    @property
    def acc_bound(self) -> int:
        """Proven bound on |accumulator|."""
        return accumulator_bound(self.in_format, self.weight_format, self.spec.fan_in)

    @property
    def acc_bits(self) -> int:
        """Proven signed accumulator width."""
        return signed_bits_for(self.acc_bound)

    @property
    def requant_bound(self) -> int:
        """Bound on every intermediate of the requantization (rounding addend or left shift)."""
        s = self.shift
        return self.acc_bound + (1 << (s - 1)) if s > 0 else self.acc_bound << -s


@dataclass(frozen=True)
class QuantModel:
    """A validated integer model: what the golden engine, the HLS testbench and the RTL consume."""

    arch: Arch
    layers: tuple[QuantLayer, ...]
    provenance: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def input_format(self) -> FixedFormat:
        """LR luma format (8-bit unsigned, 0 fraction bits)."""
        return INPUT_FORMAT

    @property
    def residual_frac(self) -> int:
        """Fraction bits at which Y_N and Y_c are aligned and added: max(14, fa_tail)."""
        return max(BICUBIC_FRAC, self.layers[-1].act_format.frac)

    @property
    def formats(self) -> QuantFormats:
        """The per-layer fraction bits and widths."""
        return QuantFormats(
            tuple(layer.weight_format.frac for layer in self.layers),
            tuple(layer.act_format.frac for layer in self.layers),
            self.layers[0].weight_format.bits,
            self.layers[0].act_format.bits,
        )

    def layer(self, name: str) -> QuantLayer:
        """The layer called `name`."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)


def build_quant_model(
    arch: Arch | Mapping[str, int],
    weights: Sequence[np.ndarray],
    formats: QuantFormats,
    provenance: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> QuantModel:
    """Assemble a QuantModel from integer weights and formats, validated exactly as a loaded file."""
    try:
        qa = arch if isinstance(arch, Arch) else Arch(**dict(arch))
        specs = qa.layers()
        if len(weights) != len(specs):
            raise ValueError(f"{len(weights)} weight arrays for {len(specs)} layers")
        w_fmts = formats.weight_formats()
        a_fmts = formats.act_formats(specs)
    except (TypeError, ValueError) as e:
        raise QcsrError(f"invalid quantized model: {e}") from None
    in_fmts = (INPUT_FORMAT, *a_fmts[:-1])
    layers = tuple(
        QuantLayer(spec, np.asarray(w), wf, af, inf)
        for spec, w, wf, af, inf in zip(specs, weights, w_fmts, a_fmts, in_fmts, strict=True)
    )
    draft = QuantModel(qa, layers, dict(provenance or {}), dict(metrics or {}))
    from qcsr.fixedpoint.model_file import parse_manifest, to_manifest  # the file's own validation

    return parse_manifest(to_manifest(draft), "quantized model")


def random_quant_model(arch: Arch, seed: int, fw: tuple[int, int], fa: tuple[int, int]) -> QuantModel:
    """A model with full-range random 10-bit weights and per-layer fraction bits drawn from [fw[0], fw[1]) and
    [fa[0], fa[1]) (14-bit activations): what the exactness tests run besides the shipped models."""
    rng = np.random.default_rng(seed)
    weights = [rng.integers(-512, 512, spec.weight_shape) for spec in arch.layers()]
    n = len(weights)
    fws = [int(v) for v in rng.integers(fw[0], fw[1], n)]
    fas = [int(v) for v in rng.integers(fa[0], fa[1], n)]
    return build_quant_model(arch, weights, QuantFormats(fws, fas, 10, 14), {"source": f"random {seed}"})
