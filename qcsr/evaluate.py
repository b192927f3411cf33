"""Benchmark evaluation: PSNR/SSIM per set and input condition, written as JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from qcsr.fixedpoint.colour import luma_ref
from qcsr.models import BASELINES
from qcsr.pipeline import luma_upscaler
from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError
from qcsr.util.imaging import bicubic_downscale, jpeg_roundtrip, list_images, load_image, modcrop
from qcsr.util.metrics import psnr, ssim
from qcsr.util.progress import progress

SCALE = 2
BENCHMARK_SETS = ("Set5", "Set14", "B100", "Urban100")
MIN_HR_SIDE = 11 + 2 * SCALE  # an 11x11 SSIM window after shaving
PROTOCOL = {
    "scale": SCALE,
    "lr": "PIL BICUBIC antialiased downscale of the modcropped HR image",
    "jpeg": "Pillow JPEG (4:2:0) of the LR image at quality q",
    "metric_channel": "Y, BT.601 (MATLAB rgb2ycbcr) for RGB; the grey value for grey images",
    "shave": SCALE,
    "ssim": "Wang et al. 2004, 11x11 Gaussian sigma 1.5, K1 0.01, K2 0.03",
}


def parse_conditions(spec: str) -> list[str]:
    """'none,70,80,90' -> ['clean', 'jpeg70', 'jpeg80', 'jpeg90']."""
    out = []
    for tok in (t.strip() for t in spec.split(",") if t.strip()):
        if tok in ("none", "clean"):
            out.append("clean")
        elif tok.isdigit() and 1 <= int(tok) <= 100:
            out.append(f"jpeg{int(tok)}")
        else:
            raise QcsrError(f"bad --jpeg entry {tok!r}: use 'none' or a quality 1..100")
    if not out:
        raise QcsrError("--jpeg lists no condition")
    return out


def make_lr(hr: np.ndarray, condition: str) -> np.ndarray:
    lr = bicubic_downscale(hr, SCALE)
    return lr if condition == "clean" else jpeg_roundtrip(lr, int(condition.removeprefix("jpeg")))


def evaluate(model: str, data: Path, sets: list[str], conditions: list[str], engine: str = "float") -> dict[str, Any]:
    """results[set][condition] = {psnr, ssim, images}; per_image[set][condition][name] = [psnr, ssim]."""
    data = Path(data)
    if not data.is_dir():
        raise QcsrError(f"data folder not found: {data}")
    files = {s: list_images(data / s) for s in sets}  # fails early on a missing set
    upscale = luma_upscaler(model, engine)
    results: dict[str, Any] = {}
    per_image: dict[str, Any] = {}
    for s, paths in files.items():
        scores: dict[str, dict[str, list[float]]] = {c: {} for c in conditions}
        for f in progress(paths, f"{Path(model).stem}/{engine} {s}"):
            hr = modcrop(load_image(f), SCALE)
            if min(hr.shape[:2]) < MIN_HR_SIDE:
                raise QcsrError(f"image too small for PSNR/SSIM with shave {SCALE}: {f} ({hr.shape[1]}x{hr.shape[0]})")
            ref = luma_ref(hr)
            for c in conditions:
                sr = upscale(make_lr(hr, c))
                scores[c][f.name] = [psnr(ref, sr, SCALE), ssim(ref, sr, SCALE)]
        results[s] = {
            c: {
                "psnr": float(np.mean([v[0] for v in scores[c].values()])),
                "ssim": float(np.mean([v[1] for v in scores[c].values()])),
                "images": len(scores[c]),
            }
            for c in conditions
        }
        per_image[s] = scores
    if model in BASELINES:
        engine = "none"
    return {"model": str(model), "engine": engine, "protocol": PROTOCOL, "results": results, "per_image": per_image}


def to_markdown(report: dict[str, Any]) -> str:
    """One table: sets as rows, conditions as columns, 'PSNR / SSIM' cells."""
    res = report["results"]
    conds = list(next(iter(res.values())).keys()) if res else []
    lines = [
        f"### {report['model']} ({report['engine']} engine)",
        "",
        "| set | " + " | ".join(conds) + " |",
        "|---|" + "---|" * len(conds),
    ]
    for s, row in res.items():
        lines.append(f"| {s} | " + " | ".join(f"{row[c]['psnr']:.2f} / {row[c]['ssim']:.4f}" for c in conds) + " |")
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], json_path: Path | None, md_path: Path | None) -> None:
    if json_path:
        save_bytes((json.dumps(report, indent=1) + "\n").encode(), json_path)
    if md_path:
        save_bytes(to_markdown(report).encode(), md_path)
