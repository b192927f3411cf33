"""fixedpoint.format: SPEC section 3 rounding, saturation and shifts, identical for NumPy and torch."""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
import pytest
import torch

from qcsr.fixedpoint.format import (
    FixedFormat,
    align,
    dequantize,
    fake_quant,
    quantize,
    requantize,
    round_half_up,
    saturate,
    shift_round_half_up,
)

torch.set_num_threads(1)

W10 = FixedFormat(10, 8, True)
A14U = FixedFormat(14, 4, False)
A14S = FixedFormat(14, 4, True)


def ref_requantize(acc: int, shift: int, fmt: FixedFormat) -> int:
    """Reference by exact rational arithmetic: floor(acc / 2^s + 1/2), then clamp."""
    q = floor(Fraction(acc, 1) / Fraction(2) ** shift + Fraction(1, 2))
    return min(max(q, fmt.min_int), fmt.max_int)


def test_format_ranges() -> None:
    assert (W10.min_int, W10.max_int) == (-512, 511)
    assert (A14U.min_int, A14U.max_int) == (0, 16383)
    assert (A14S.min_int, A14S.max_int) == (-8192, 8191)
    assert W10.max_value == 511 / 256 and W10.min_value == -2.0
    assert FixedFormat(8, 0, False).max_abs == 255 and A14S.max_abs == 8192
    with pytest.raises(ValueError):
        FixedFormat(1, 0, True)
    with pytest.raises(TypeError):
        FixedFormat(10, 1.5, True)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["numpy", "torch32", "torch64"])
def test_round_half_up_ties_go_to_plus_infinity(backend: str) -> None:
    ties = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5]
    want = [-3, -2, -1, 0, 1, 2, 3, 4]
    if backend == "numpy":
        got = round_half_up(np.array(ties)).tolist()
    else:
        dt = torch.float32 if backend == "torch32" else torch.float64
        got = round_half_up(torch.tensor(ties, dtype=dt)).tolist()
    assert got == want
    assert np.round(np.array(ties)).tolist() != want  # the trap the SPEC warns about


def test_round_half_up_is_exact_just_below_a_tie() -> None:
    y = np.nextafter(0.5, 0.0)  # 0.5 - 2^-54: floor(y + 0.5) in float64 wrongly gives 1
    assert np.floor(y + 0.5) == 1.0
    near = np.array([y, -y, np.nextafter(1.5, 0.0), np.nextafter(-1.5, 0.0)])
    assert round_half_up(near).tolist() == [0.0, 0.0, 1.0, -1.0]
    y32 = torch.tensor([np.nextafter(np.float32(0.5), np.float32(0))], dtype=torch.float32)
    assert round_half_up(y32).item() == 0.0


def test_quantize_rounds_ties_up_and_saturates() -> None:
    fmt = FixedFormat(10, 2, True)  # step 1/4
    x = np.array([-2.5, -0.5, 0.5, 2.5, -3.5]) / 4
    assert quantize(x, fmt).tolist() == [-2, 0, 1, 3, -3]
    assert quantize(np.array([1e9, -1e9, 127.875, -128.0, -128.2]), fmt).tolist() == [
        511,
        -512,
        511,
        -512,
        -512,
    ]
    assert quantize(np.array([-1.0, 0.1, 1e6]), A14U).tolist() == [0, 2, 16383]  # unsigned: negatives -> 0
    assert quantize(np.array([3, 4]), FixedFormat(8, 0, False)).dtype == np.int64  # integer input works


def test_quantize_torch_equals_numpy() -> None:
    rng = np.random.default_rng(1)
    ties = (rng.integers(-3000, 3000, 2000) + 0.5) / 2**8  # exact ties in W10 and A14*
    vals = np.concatenate([ties, rng.normal(0, 3, 5000), rng.uniform(-2000, 2000, 2000)]).astype(np.float32)
    for fmt in (W10, A14U, A14S, FixedFormat(14, -2, True), FixedFormat(16, 12, True)):
        qn = quantize(vals, fmt)
        qt = quantize(torch.from_numpy(vals), fmt)
        q64 = quantize(torch.from_numpy(vals.astype(np.float64)), fmt)
        assert qt.dtype == torch.int64 and qn.dtype == np.int64
        assert np.array_equal(qn, qt.numpy()) and np.array_equal(qn, q64.numpy())
        ref = [
            min(max(floor(Fraction(float(v)) * 2**fmt.frac + Fraction(1, 2)), fmt.min_int), fmt.max_int)
            for v in vals[:300]
        ]
        assert qn[:300].tolist() == ref


def test_requantize_ties_toward_plus_infinity() -> None:
    # s = 1: acc / 2 = -2.5, -1.5, -0.5, 0.5, 1.5, 2.5
    acc = np.array([-5, -3, -1, 1, 3, 5], dtype=np.int64)
    assert requantize(acc, 5, A14S).tolist() == [-2, -1, 0, 1, 2, 3]
    # s = 3: -2.5 * 2^3 = -20 -> -2 ; 2.5 * 2^3 = 20 -> 3; -20.1 -> floor(-2.5125+0.5) = -3
    assert requantize(np.array([-20, 20, -21, 19]), 7, A14S).tolist() == [-2, 3, -3, 2]
    assert requantize(torch.tensor([-5, -3, -1, 1, 3, 5]), 5, A14S).tolist() == [-2, -1, 0, 1, 2, 3]


def test_requantize_saturates_and_relu_clamps() -> None:
    big = np.array([10**12, -(10**12), 8191 * 16 + 7, 8191 * 16 + 8, -8192 * 16 - 8, -8192 * 16 - 9])
    assert requantize(big, 8, A14S).tolist() == [8191, -8192, 8191, 8191, -8192, -8192]
    assert requantize(np.array([-1000, -9, -8, 7, 8, 10**9]), 8, A14U).tolist() == [0, 0, 0, 0, 1, 16383]


def test_requantize_nonpositive_shift_is_exact_left_shift() -> None:
    acc = np.array([-7, -1, 0, 3, 100, 600])
    assert requantize(acc, 4, A14S).tolist() == acc.tolist()  # s = 0: unchanged
    assert requantize(acc, 2, A14S).tolist() == [-28, -4, 0, 12, 400, 2400]  # s = -2: * 4
    assert requantize(acc, 0, A14S).tolist() == [-112, -16, 0, 48, 1600, 8191]  # s = -4 then saturate
    assert shift_round_half_up(torch.tensor([-3, 5]), -3).tolist() == [-24, 40]


def test_requantize_matches_reference_for_all_backends() -> None:
    rng = np.random.default_rng(2)
    acc = np.concatenate([rng.integers(-(2**27), 2**27, 3000), rng.integers(-300, 300, 600)])
    for out in (A14S, A14U, FixedFormat(8, 0, False)):
        for s in (-3, 0, 1, 2, 7, 13, 20):
            got = requantize(acc, out.frac + s, out)
            assert got.tolist() == [ref_requantize(int(a), s, out) for a in acc], (out, s)
            assert np.array_equal(got, requantize(torch.from_numpy(acc), out.frac + s, out).numpy())
            if s > -3:  # int32 path used by the golden engine (bound < 2^31)
                got32 = requantize(acc.astype(np.int32), out.frac + s, out)
                assert got32.dtype == np.int32 and np.array_equal(got32, got)


def test_requantize_rejects_floats() -> None:
    with pytest.raises(TypeError):
        requantize(np.array([1.5]), 4, A14S)
    with pytest.raises(TypeError):
        requantize(torch.tensor([1.0]), 4, A14S)


def test_align_and_saturate() -> None:
    assert align(np.array([-3, 5]), 4, 7).tolist() == [-24, 40]
    assert align(torch.tensor([-3]), 2, 2).tolist() == [-3]
    with pytest.raises(ValueError):
        align(np.array([1]), 5, 4)
    assert saturate(np.array([-9000, 9000, 5]), A14S).tolist() == [-8192, 8191, 5]


def test_fake_quant_values_and_straight_through_gradients() -> None:
    x = torch.tensor([-600.0, -3.3, -0.03125, 0.03125, 1.234, 2000.0], requires_grad=True)
    y = fake_quant(x, A14S)
    q = quantize(x.detach(), A14S)
    assert torch.equal(y.detach().double(), dequantize(q, A14S))
    y.sum().backward()
    assert x.grad is not None and x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]  # zero where saturated

    w = torch.tensor([-3.0, 0.1, 3.0], requires_grad=True)
    fake_quant(w, W10, clip_grad=False).sum().backward()
    assert w.grad is not None and w.grad.tolist() == [1.0, 1.0, 1.0]

    a = torch.tensor([-1.0, 0.5], requires_grad=True)
    fake_quant(a, A14U).sum().backward()  # unsigned: ReLU gradient
    assert a.grad is not None and a.grad.tolist() == [0.0, 1.0]

    xn = np.array([-3.3, 0.03125, 1.234])
    assert np.array_equal(fake_quant(xn, A14S), dequantize(quantize(xn, A14S), A14S))
