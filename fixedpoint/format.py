"""Power-of-two fixed-point formats and the SPEC section 3 rounding, one definition for NumPy and torch.

Every function here is written against the operations that NumPy arrays and torch tensors share
(arithmetic, `>>`, `<<`, comparisons, `.clip`), so the golden engine (NumPy, no torch) and the
fake-quant model (torch) run literally the same code. This module never imports torch; the few
places where the two libraries differ (floor, integer casts, `.detach`) dispatch on the object.

Rounding is always round half up (ties toward +inf), never `torch.round` / `np.round`, which round
ties to even:

* quantize:   q = sat(floor(x * 2^f + 1/2)), computed exactly as r = floor(y); r + (y - r >= 1/2),
              which avoids the float error of floor(y + 0.5) when y is just below a tie.
* requantize: q = sat((acc + 2^(s-1)) >> s) with an arithmetic shift, s = acc_frac - out.frac;
              for s <= 0 the accumulator is shifted left exactly (acc << -s) before saturation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")  # np.ndarray or torch.Tensor


@dataclass(frozen=True)
class FixedFormat:
    """A signed (two's complement) or unsigned `bits`-bit integer q holding the value q / 2^frac."""

    bits: int
    frac: int
    signed: bool

    def __post_init__(self) -> None:
        for name in ("bits", "frac"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"FixedFormat.{name} must be an int, got {v!r}")
        if not isinstance(self.signed, bool):
            raise TypeError(f"FixedFormat.signed must be a bool, got {self.signed!r}")
        if not 1 + self.signed <= self.bits <= 62:
            raise ValueError(f"FixedFormat.bits out of range: {self.bits}")

    @property
    def min_int(self) -> int:
        """Smallest integer code."""
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max_int(self) -> int:
        """Largest integer code."""
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    @property
    def max_abs(self) -> int:
        """Largest magnitude of an integer code."""
        return max(-self.min_int, self.max_int)

    @property
    def step(self) -> float:
        """Value of one integer step, 2^-frac."""
        return 2.0**-self.frac

    @property
    def min_value(self) -> float:
        """Smallest representable real value."""
        return self.min_int * self.step

    @property
    def max_value(self) -> float:
        """Largest representable real value."""
        return self.max_int * self.step

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"bits": self.bits, "frac": self.frac, "signed": self.signed}


def _is_torch(x: Any) -> bool:
    """True for a torch.Tensor (detected without importing torch)."""
    return hasattr(x, "detach") and hasattr(x, "is_floating_point")


def _as_array(x: Any) -> Any:
    """Tensors and arrays pass through; Python scalars and lists become NumPy arrays."""
    return x if _is_torch(x) or isinstance(x, np.ndarray) else np.asarray(x)


def _floor(y: T) -> T:
    """Elementwise floor of a float array or tensor."""
    return y.floor() if _is_torch(y) else np.floor(y)  # type: ignore[attr-defined,return-value]


def _to_int64(y: T) -> T:
    """Cast an integer-valued array or tensor to int64."""
    return y.long() if _is_torch(y) else np.asarray(y).astype(np.int64)  # type: ignore[attr-defined,return-value]


def _is_integer(x: Any) -> bool:
    """True when x has an integer (or bool) dtype."""
    if _is_torch(x):
        return not x.is_floating_point() and not x.is_complex()
    return np.asarray(x).dtype.kind in "iub"


def round_half_up(y: T) -> T:
    """Nearest integer with ties toward +inf, exact for every float (result keeps y's float dtype)."""
    y = _as_array(y)
    r = _floor(y)
    return r + ((y - r) >= 0.5)  # y - floor(y) is exact in binary floating point


def quantize(x: T, fmt: FixedFormat) -> T:
    """Real values -> int64 codes of `fmt`: floor(x * 2^frac + 1/2), saturated (NumPy or torch)."""
    x = _as_array(x)
    if _is_integer(x):
        x = x * 1.0
    y = (x * 2.0**fmt.frac).clip(fmt.min_int, fmt.max_int)  # power-of-two scaling is exact
    return _to_int64(round_half_up(y))


def dequantize(q: T, fmt: FixedFormat) -> T:
    """Integer codes -> real values q * 2^-frac (float64 for NumPy, float64 for torch)."""
    q = _as_array(q)
    qf = q.double() if _is_torch(q) else q.astype(np.float64)
    return qf * fmt.step


def shift_round_half_up(acc: T, shift: int) -> T:
    """(acc + 2^(shift-1)) >> shift with an arithmetic shift; exact acc << -shift when shift <= 0."""
    acc = _as_array(acc)
    if not _is_integer(acc):
        raise TypeError("shift_round_half_up needs an integer array or tensor")
    if shift <= 0:
        return acc << -shift
    return (acc + (1 << (shift - 1))) >> shift


def saturate(q: T, fmt: FixedFormat) -> T:
    """Clamp integer codes to the range of `fmt`."""
    return _as_array(q).clip(fmt.min_int, fmt.max_int)


def requantize(acc: T, acc_frac: int, out: FixedFormat) -> T:
    """SPEC requantization: sat((acc + 2^(s-1)) >> s), s = acc_frac - out.frac, for integer arrays/tensors."""
    return saturate(shift_round_half_up(acc, acc_frac - out.frac), out)


def align(q: T, frac: int, to_frac: int) -> T:
    """Exactly re-express integer codes with `frac` fraction bits at `to_frac` >= frac bits (left shift)."""
    if to_frac < frac:
        raise ValueError(f"align can only add fraction bits ({frac} -> {to_frac})")
    q = _as_array(q)
    if not _is_integer(q):
        raise TypeError("align needs an integer array or tensor")
    return q << (to_frac - frac)


def fake_quant(x: T, fmt: FixedFormat, clip_grad: bool = True) -> T:
    """Float -> nearest representable real value of `fmt`, with a straight-through gradient (torch).

    With `clip_grad` the gradient is zero where x saturates (activations; also ReLU's gradient for
    unsigned formats); without it the gradient is the identity everywhere (weights). NumPy arrays
    get the same values and no gradient.
    """
    x = _as_array(x)
    xc = x.clip(fmt.min_value, fmt.max_value)
    q = round_half_up(xc * 2.0**fmt.frac) * fmt.step
    if not _is_torch(x):
        return q
    base = xc if clip_grad else x
    return base + (q - base).detach()
