"""`make interop` -> docs/interop.md: the QONNX export run by qonnx's executor and the hls4ml peer, each against
the golden engine on the vector set, with the measured accumulator peaks behind the float32 guarantee.

    python -m qcsr.interop_report --vectors out/golden/vectors --md docs/interop.md [--no-hls4ml]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qcsr.fixedpoint.arch import Arch
from qcsr.fixedpoint.colour import rgb_to_ycbcr
from qcsr.fixedpoint.quant_model import random_quant_model
from qcsr.golden.engine import GoldenEngine
from qcsr.golden.vectors import adversarial_inputs, read_array, read_index
from qcsr.qonnx_export import accumulator_peaks, build_qonnx, execute
from qcsr.resolver import shipped_models


def _vectors(vectors: Path) -> list[tuple[str, str, np.ndarray]]:
    index = read_index(vectors)
    out = []
    for v in index["vectors"]:
        rgb = read_array(vectors / v["name"], v["files"]["input_rgb"])
        out.append((v["name"], v["model"], np.ascontiguousarray(rgb_to_ycbcr(rgb)[..., 0])))
    return out


def random_full_range_model(seed: int):
    """Full-range random 10-bit weights, saturating formats (the kind of model that breaks float32)."""
    return random_quant_model(Arch(C=8, N=2), seed, (7, 12), (2, 8))


def qonnx_section(vecs, models) -> list[str]:
    lines = ["## QONNX (`qcsr export --format qonnx` / `qonnx-f64`) in qonnx's `execute_onnx`", ""]
    lines += ["Each vector's luma through the exported graph, run by `qonnx.core.onnx_exec.execute_onnx` (Quant in "
              "qonnx's NumPy code, every standard node in ONNX Runtime), compared with the golden engine's HR luma "
              "(`np.array_equal`).", ""]
    lines += ["| model | vectors | largest sum of abs(w x) per layer (bits) | float32 exact | float64 exact |",
              "|---|---|---|---|---|"]
    for key, qm in models.items():
        mine = [(n, y) for n, m, y in vecs if m == key]
        peaks = accumulator_peaks(qm, [y for _, y in mine])
        f32 = build_qonnx(qm, "float32")
        f64 = build_qonnx(qm, "float64")
        ok32 = ok64 = 0
        for _, y in tqdm(mine, desc=f"qonnx {key}", leave=False):
            ref = GoldenEngine(qm).upscale_luma(y)
            ok32 += int(np.array_equal(execute(f32, y), ref))
            ok64 += int(np.array_equal(execute(f64, y), ref))
        top = max(peaks.values())
        lines.append(f"| {key} | {len(mine)} | {top:,} ({top.bit_length()} bits, {max(peaks, key=peaks.get)}) | "
                     f"{ok32} of {len(mine)} | {ok64} of {len(mine)} |")
    lines += ["", "Float32 is exact while every partial sum of a Conv is an integer below 2^24 (in units of the "
              "layer's accumulator LSB); the sum of abs(w x) over a pixel's taps bounds every partial sum in any "
              "order, so a peak below 2^24 = 16,777,216 is a guarantee, not a sample.", ""]
    adv = adversarial_inputs()
    frames = [np.ascontiguousarray(rgb_to_ycbcr(adv[k])[..., 0])
              for k in ("saltpepper_24x16", "ones255_16x12", "noise_rgb_20x14")]
    lines += ["Random full-range models (`Arch(C=8, N=2)`, weights uniform in [-512, 511], fw 7..11, fa 2..7), "
              "on three adversarial frames (salt and pepper, all 255, RGB noise):", "",
              "| seed | largest sum of abs(w x) | HR pixels float32 != golden | float64 == golden |",
              "|---|---|---|---|"]
    for seed in (0, 1):
        qm = random_full_range_model(seed)
        peaks = accumulator_peaks(qm, frames)
        f32, f64 = build_qonnx(qm, "float32"), build_qonnx(qm, "float64")
        diff = total = exact64 = 0
        for y in frames:
            ref = GoldenEngine(qm).upscale_luma(y)
            diff += int((execute(f32, y) != ref).sum())
            total += ref.size
            exact64 += int(np.array_equal(execute(f64, y), ref))
        top = max(peaks.values())
        lines.append(f"| {seed} | {top:,} ({top.bit_length()} bits) | {diff:,} of {total:,} | "
                     f"{exact64} of {len(frames)} frames |")
    lines += ["", "Where a model's accumulators pass 2^24, float32 Conv rounds partial sums and the last code can "
              "differ; the float64 graph (Conv lowered to Slice/Mul/Sum and MatMul, which ONNX Runtime runs in "
              "double) is exact for every model the format allows (accumulators are bounded by 2^31).", ""]
    return lines


def hls4ml_section(vecs, models, work: Path) -> list[str]:
    from qcsr.hls4ml_peer import DEFAULT_PRECISION, convert, generated_summary, tail_codes

    lines = ["## hls4ml as a peer (`qcsr.hls4ml_peer`)", ""]
    lines += ["The CNN part of the QONNX graph (input luma to the tail's codes; the grouped tail exported dense "
              "with zero weights across groups) converted by hls4ml's ONNX frontend after qonnx's "
              f"`cleanup_model` and `ConvertToChannelsLastAndClean` (io_stream, Vitis backend, precisions from the "
              f"Quant nodes; `{DEFAULT_PRECISION}` only where the graph leaves a tensor unspecified), C simulation "
              "built with g++ (`compile()`), `predict()` per vector against the golden engine's tail codes "
              "(`np.array_equal`). hls4ml sizes are compile-time: one build per model and frame size.", ""]
    lines += ["| vector | model | LR size | tail codes | differing codes | build s |", "|---|---|---|---|---|---|"]
    built: dict[tuple[str, int, int], tuple[object, float]] = {}
    exact = 0
    first = None
    for name, key, y in tqdm(vecs, desc="hls4ml", leave=False):
        h, w = y.shape
        if (key, h, w) not in built:
            t0 = time.time()
            out = work / f"{key}_{h}x{w}"
            built[(key, h, w)] = (convert(models[key], h, w, out), time.time() - t0)
            first = first or out
        hm, secs = built[(key, h, w)]
        got = tail_codes(hm, y, models[key])
        ref = GoldenEngine(models[key]).cnn(y)
        bad = int((got != ref).sum())
        exact += int(bad == 0)
        lines.append(f"| {name} | {key} | {w}x{h} | {ref.size:,} | {bad:,} | {secs:.0f} |")
    lines += ["", f"**{exact} of {len(vecs)} vectors exact.** hls4ml's Quant -> `ap_(u)fixed<14, I, AP_TRN, AP_SAT>` "
              "(FLOOR -> AP_TRN, saturation at the Quant's range) and the rounding half carried as the Conv's "
              "bias reproduce SPEC's round-half-up and saturation; its accumulators are sized from the input and "
              "weight precisions, so nothing is lost before the cast.", ""]
    if first is not None:
        s = generated_summary(first)
        lines += ["What hls4ml generated (read from the project's firmware/), against this project's `hls/`:", "",
                  "| | hls4ml | qcsr `hls/` |", "|---|---|---|",
                  f"| processes | {s['processes']} (DATAFLOW: {s['dataflow']}) | framer, bicubic, head, FOLD-folded "
                  "depthwise and pointwise stages, residual, output reorder (hls/qcsr_top.cpp) |",
                  "| frame size | compile-time (in_height/in_width, stream depths of a whole frame) | run time up to "
                  "MAX_W x MAX_H, from the configuration packet |",
                  f"| line buffers | `{s['conv implementation']}` (nnet_conv2d_stream.h shift registers) after a "
                  "separate ZeroPadding2D stage per layer | per-stage line buffers with the zero border generated in "
                  "place (no padding stage) |",
                  f"| MAC mapping | strategy {s['strategy']}, reuse factor {s['reuse factor']}: every weight its own "
                  "multiplier, one pixel per cycle per layer | ALLOCATION-limited multipliers, II = FOLD (1280 DSPs "
                  "at FOLD 2 in the RTL twin) |",
                  "| beyond the CNN | not converted (DepthToSpace, edge Pad) | bicubic, pixel shuffle, residual, "
                  "colour conversion in the core |", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vectors", type=Path, default=Path("out/golden/vectors"))
    ap.add_argument("--md", type=Path, default=Path("docs/interop.md"))
    ap.add_argument("--no-hls4ml", action="store_true", help="skip the hls4ml builds (several minutes)")
    a = ap.parse_args(argv)
    if not (a.vectors / "index.json").is_file():
        print(f"qcsr: error: no vector set at {a.vectors} (make golden)", file=sys.stderr)
        return 2
    vecs = _vectors(a.vectors)
    models = shipped_models()
    t0 = time.time()
    lines = ["# Interop: QONNX and hls4ml against the golden engine", "",
             f"Generated by `make interop` (qcsr/interop_report.py) on the {len(vecs)} vectors of `make golden` "
             f"({a.vectors}). The float ONNX export is checked against PyTorch in tests/test_onnx_export.py.", ""]
    lines += qonnx_section(vecs, models)
    if not a.no_hls4ml:
        with tempfile.TemporaryDirectory(prefix="qcsr-hls4ml-") as tmp:
            lines += hls4ml_section(vecs, models, Path(tmp))
    lines += [f"Run time: {(time.time() - t0) / 60:.1f} min on this project's 2-core machine.", ""]
    a.md.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
