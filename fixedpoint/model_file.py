"""The quantized model's file (SPEC section 4): a versioned JSON manifest with integer weights, written and
read here with every field validated (a QcsrError names the first bad one). The file is the hand-off
between training and hardware; the golden engine, the HLS testbench and the RTL weight loader all read
it. Pure NumPy (it must not import torch).

Layout (``"format": "qcsr-quant-model"``, ``"version": 1``)::

    arch            {F, C, N, KH, KW, G, scale}
    input_format    {bits: 8, frac: 0, signed: false}          LR luma
    layers[]        one per conv in execution order (head, dw1, pw1, ..., dwN, pwN, tail):
                    name, kind, in_channels, out_channels, kernel [kh, kw], groups, relu,
                    weight_format {bits, frac, signed: true}, act_format {bits, frac, signed},
                    shift (= in frac + fw - fa), acc_bits (proven accumulator width),
                    weights (nested integer lists in the torch weight shape [out, in/groups, kh, kw])
    residual        {bicubic_frac: 14, align_frac: max(14, fa_tail), output_format u8}
    bicubic         {frac_bits, even_taps, odd_taps}      (must equal fixedpoint.bicubic)
    colour          {frac_bits, rgb_to_ycbcr, ycbcr_offset, ycbcr_to_rgb}  (must equal fixedpoint.colour)
    provenance, metrics   free-form objects (training provenance, measured PSNR/SSIM)
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qcsr.fixedpoint import bicubic, colour
from qcsr.fixedpoint.arch import Arch
from qcsr.fixedpoint.format import FixedFormat
from qcsr.fixedpoint.quant_model import (
    ACT_BITS_MAX,
    ACT_BITS_MIN,
    BICUBIC_FRAC,
    FRAC_MAX,
    FRAC_MIN,
    INPUT_FORMAT,
    INT64_HEADROOM,
    OUTPUT_FORMAT,
    SHIFT_MAX,
    SHIFT_MIN,
    WEIGHT_BITS_MAX,
    WEIGHT_BITS_MIN,
    QuantLayer,
    QuantModel,
)  # fmt: skip
from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError

MANIFEST_FORMAT = "qcsr-quant-model"
MANIFEST_VERSION = 1


def _bicubic_constants() -> dict[str, Any]:
    return {
        "frac_bits": bicubic.BICUBIC_FRAC_BITS,
        "even_taps": list(bicubic.EVEN_TAPS),
        "odd_taps": list(bicubic.ODD_TAPS),
    }


def _colour_constants() -> dict[str, Any]:
    return {
        "frac_bits": colour.COLOUR_FRAC_BITS,
        "rgb_to_ycbcr": colour.RGB_TO_YCBCR.tolist(),
        "ycbcr_offset": colour.YCBCR_OFFSET.tolist(),
        "ycbcr_to_rgb": colour.YCBCR_TO_RGB.tolist(),
    }


def _fixed_sections(fa_tail: int) -> dict[str, Any]:
    return {
        "input_format": INPUT_FORMAT.to_dict(),
        "residual": {
            "bicubic_frac": BICUBIC_FRAC,
            "align_frac": max(BICUBIC_FRAC, fa_tail),
            "output_format": OUTPUT_FORMAT.to_dict(),
        },
        "bicubic": _bicubic_constants(),
        "colour": _colour_constants(),
    }


def to_manifest(model: QuantModel) -> dict[str, Any]:
    """The JSON-ready manifest of a QuantModel."""
    layers = []
    for layer in model.layers:
        s = layer.spec
        layers.append(
            {
                "name": s.name,
                "kind": s.kind,
                "in_channels": s.in_channels,
                "out_channels": s.out_channels,
                "kernel": [s.kh, s.kw],
                "groups": s.groups,
                "relu": s.relu,
                "weight_format": layer.weight_format.to_dict(),
                "act_format": layer.act_format.to_dict(),
                "shift": layer.shift,
                "acc_bits": layer.acc_bits,
                "weights": layer.weights.tolist(),
            }
        )
    out: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "arch": model.arch.to_dict(),
        "layers": layers,
    }
    out.update(_fixed_sections(model.layers[-1].act_format.frac))
    out["provenance"] = model.provenance
    out["metrics"] = model.metrics
    return out


def _emit(value: Any, indent: int, prefix_len: int, width: int) -> str:
    """JSON text of `value`, on one line when it fits in `width` columns, else one item per line."""
    flat = json.dumps(value, allow_nan=False)
    if indent + prefix_len + len(flat) <= width or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = json.dumps(str(k)) + ": "
            items.append(pad + key + _emit(v, indent + 2, len(key), width))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _emit(v, indent + 2, 0, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dumps_manifest(model: QuantModel, width: int = 100) -> str:
    """Human-readable JSON text: anything that fits in `width` columns (weight rows) stays on one line."""
    return _emit(to_manifest(model), 0, 0, width) + "\n"


def save_quant_model(model: QuantModel, path: str | os.PathLike) -> None:
    """Write the manifest atomically (temp file in the target folder, then os.replace)."""
    save_bytes(dumps_manifest(model).encode("utf-8"), path)


MAX_MANIFEST_BYTES = 16 << 20     # the shipped manifests are ~50 KB; anything this large is not one


def load_quant_model(path: str | os.PathLike) -> QuantModel:
    """Read and validate a manifest file; QcsrError naming the offending field if it is invalid."""
    p = Path(path)
    if not p.is_file():
        raise QcsrError(f"quantized model not found: {p}")
    def no_nonfinite(token: str):
        raise ValueError(f"{token} is not a number JSON allows")

    if p.stat().st_size > MAX_MANIFEST_BYTES:
        raise QcsrError(f"{p}: not a qcsr quantized model ({p.stat().st_size:,} bytes; a manifest is at most "
                        f"{MAX_MANIFEST_BYTES:,})")
    try:
        obj = json.loads(p.read_text(encoding="utf-8"), parse_constant=no_nonfinite)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise QcsrError(f"{p}: not a qcsr quantized model (invalid JSON: {e})") from None
    except RecursionError:
        raise QcsrError(f"{p}: not a qcsr quantized model (JSON nested too deeply)") from None
    except ValueError as e:          # NaN / Infinity anywhere (weights, formats, provenance)
        raise QcsrError(f"{p}: not a qcsr quantized model ({e})") from None
    return parse_manifest(obj, str(p))


# ----------------------------------------------------------------------------------------------
# validation


class _Invalid(Exception):
    """Internal: a field path and what is wrong with it."""

    def __init__(self, path: str, msg: str) -> None:
        super().__init__(f"field '{path}': {msg}")


def _get(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(obj, Mapping):
        raise _Invalid(path, "must be an object")
    if key not in obj:
        raise _Invalid(f"{path}.{key}" if path else key, "missing")
    return obj[key]


def _int(v: Any, path: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _Invalid(path, f"must be an integer, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise _Invalid(path, f"{v} is out of range [{lo}, {hi}]")
    return v


def _bool(v: Any, path: str) -> bool:
    if not isinstance(v, bool):
        raise _Invalid(path, f"must be true or false, got {v!r}")
    return v


def _format(obj: Any, path: str, bits_lo: int, bits_hi: int) -> FixedFormat:
    bits = _int(_get(obj, "bits", path), f"{path}.bits", bits_lo, bits_hi)
    frac = _int(_get(obj, "frac", path), f"{path}.frac", FRAC_MIN, FRAC_MAX)
    signed = _bool(_get(obj, "signed", path), f"{path}.signed")
    if bits < 1 + signed:
        raise _Invalid(f"{path}.bits", f"{bits} bits cannot hold a signed value")
    return FixedFormat(bits, frac, signed)


def _int_array(value: Any, shape: Sequence[int], path: str, lo: int, hi: int) -> np.ndarray:
    """Nested integer lists of exactly `shape` with every value in [lo, hi] -> int64 array."""
    flat: list[int] = []

    def walk(v: Any, depth: int, where: str) -> None:
        if depth == len(shape):
            flat.append(_int(v, where, lo, hi))
            return
        if not isinstance(v, list):
            raise _Invalid(where, f"wrong shape: expected a list of {shape[depth]} at depth {depth}")
        if len(v) != shape[depth]:
            raise _Invalid(
                where, f"wrong shape: expected {shape[depth]} entries at depth {depth}, got {len(v)}"
            )
        for i, item in enumerate(v):
            walk(item, depth + 1, f"{where}[{i}]")

    walk(value, 0, path)
    return np.array(flat, dtype=np.int64).reshape(tuple(shape))


def _canon(v: Any) -> Any:
    """Type-strict comparison key: 16.0 != 16 and true != 1 (as in the JSON text)."""
    return v if isinstance(v, FixedFormat) else json.dumps(v, sort_keys=True)


def _expect_equal(value: Any, expected: Any, path: str) -> None:
    if _canon(value) != _canon(expected):
        raise _Invalid(path, f"expected {expected!r}, got {value!r}")


def _parse(obj: Any) -> QuantModel:
    if not isinstance(obj, Mapping):
        raise _Invalid("(top level)", "must be a JSON object")
    fmt = _get(obj, "format", "")
    if fmt != MANIFEST_FORMAT:
        raise _Invalid("format", f"expected {MANIFEST_FORMAT!r}, got {fmt!r}")
    version = _get(obj, "version", "")
    if isinstance(version, bool) or version != MANIFEST_VERSION:
        raise _Invalid("version", f"unknown version {version!r} (this reader knows {MANIFEST_VERSION})")

    arch_obj = _get(obj, "arch", "")
    if not isinstance(arch_obj, Mapping):
        raise _Invalid("arch", "must be an object")
    vals = {
        k: _int(_get(arch_obj, k, "arch"), f"arch.{k}") for k in ("F", "C", "N", "KH", "KW", "G", "scale")
    }
    try:
        arch = Arch(**vals)
    except ValueError as e:
        raise _Invalid("arch", str(e)) from None

    in_fmt = _format(_get(obj, "input_format", ""), "input_format", 1, 62)
    _expect_equal(in_fmt, INPUT_FORMAT, "input_format")

    specs = arch.layers()
    layers_obj = _get(obj, "layers", "")
    if not isinstance(layers_obj, list):
        raise _Invalid("layers", "must be a list")
    if len(layers_obj) != len(specs):
        raise _Invalid("layers", f"expected {len(specs)} layers for this arch, got {len(layers_obj)}")

    layers: list[QuantLayer] = []
    prev = INPUT_FORMAT
    w_bits = a_bits = None
    for i, (entry, spec) in enumerate(zip(layers_obj, specs, strict=True)):
        path = f"layers[{i}]"
        if not isinstance(entry, Mapping):
            raise _Invalid(path, "must be an object")
        _expect_equal(_get(entry, "name", path), spec.name, f"{path}.name")
        path = f"layers[{i}] ({spec.name})"
        _expect_equal(_get(entry, "kind", path), spec.kind, f"{path}.kind")
        _expect_equal(_get(entry, "in_channels", path), spec.in_channels, f"{path}.in_channels")
        _expect_equal(_get(entry, "out_channels", path), spec.out_channels, f"{path}.out_channels")
        _expect_equal(_get(entry, "kernel", path), [spec.kh, spec.kw], f"{path}.kernel")
        _expect_equal(_get(entry, "groups", path), spec.groups, f"{path}.groups")
        _expect_equal(_get(entry, "relu", path), spec.relu, f"{path}.relu")
        wf = _format(
            _get(entry, "weight_format", path), f"{path}.weight_format", WEIGHT_BITS_MIN, WEIGHT_BITS_MAX
        )
        if not wf.signed:
            raise _Invalid(f"{path}.weight_format.signed", "weights are signed two's complement")
        af = _format(_get(entry, "act_format", path), f"{path}.act_format", ACT_BITS_MIN, ACT_BITS_MAX)
        if af.signed == spec.relu:
            want = "unsigned after ReLU" if spec.relu else "signed (no ReLU)"
            raise _Invalid(f"{path}.act_format.signed", f"must be {want}")
        if w_bits is not None and (wf.bits != w_bits or af.bits != a_bits):
            raise _Invalid(path, "all layers must share one weight width and one activation width")
        w_bits, a_bits = wf.bits, af.bits
        layer = QuantLayer(spec, np.zeros(spec.weight_shape, np.int64), wf, af, prev)
        shift = _int(_get(entry, "shift", path), f"{path}.shift")
        if shift != layer.shift:
            raise _Invalid(
                f"{path}.shift",
                f"inconsistent shift {shift}: "
                f"input frac {prev.frac} + fw {wf.frac} - fa {af.frac} = {layer.shift}",
            )
        if not SHIFT_MIN <= shift <= SHIFT_MAX:
            raise _Invalid(f"{path}.shift", f"shift {shift} outside [{SHIFT_MIN}, {SHIFT_MAX}]")
        if layer.requant_bound >= INT64_HEADROOM:
            raise _Invalid(f"{path}.shift", "accumulator (with rounding / left shift) would not fit in int64")
        acc_bits = _int(_get(entry, "acc_bits", path), f"{path}.acc_bits")
        if acc_bits != layer.acc_bits:
            raise _Invalid(
                f"{path}.acc_bits", f"inconsistent: the formats need exactly {layer.acc_bits} bits"
            )
        w = _int_array(
            _get(entry, "weights", path), spec.weight_shape, f"{path}.weights", wf.min_int, wf.max_int
        )
        layers.append(QuantLayer(spec, w, wf, af, prev))
        prev = af

    model = QuantModel(arch, tuple(layers))
    res = _get(obj, "residual", "")
    _expect_equal(_get(res, "bicubic_frac", "residual"), BICUBIC_FRAC, "residual.bicubic_frac")
    _expect_equal(_get(res, "align_frac", "residual"), model.residual_frac, "residual.align_frac")
    out_fmt = _format(_get(res, "output_format", "residual"), "residual.output_format", 1, 62)
    _expect_equal(out_fmt, OUTPUT_FORMAT, "residual.output_format")

    for section, expected in (("bicubic", _bicubic_constants()), ("colour", _colour_constants())):
        sec = _get(obj, section, "")
        if not isinstance(sec, Mapping):
            raise _Invalid(section, "must be an object")
        for key, want in expected.items():
            _expect_equal(_get(sec, key, section), want, f"{section}.{key}")

    prov = _get(obj, "provenance", "")
    metrics = _get(obj, "metrics", "")
    for name, v in (("provenance", prov), ("metrics", metrics)):
        if not isinstance(v, Mapping):
            raise _Invalid(name, "must be an object")
    for k, v in metrics.items():
        if isinstance(v, float) and not math.isfinite(v):
            raise _Invalid(f"metrics.{k}", "must be finite")
    return QuantModel(arch, tuple(layers), dict(prov), dict(metrics))


def parse_manifest(obj: Any, source: str = "manifest") -> QuantModel:
    """Validate a decoded manifest; QcsrError("<source>: invalid quantized model: field '...': ...")."""
    try:
        return _parse(obj)
    except _Invalid as e:
        raise QcsrError(f"{source}: invalid quantized model: {e}") from None
