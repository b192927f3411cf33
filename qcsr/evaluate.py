"""Benchmark evaluation: PSNR/SSIM per set and input condition, written as JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from qcsr.fixedpoint.colour import luma_ref
from qcsr.pipeline import luma_upscaler
from qcsr.resolver import BASELINES
from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError
from qcsr.util.imaging import bicubic_downscale, jpeg_roundtrip, list_images, load_image, modcrop
from qcsr.util.metrics import psnr, ssim
from qcsr.util.progress import progress

SCALE = 2
BENCHMARK_SETS = ("Set5", "Set14", "B100", "Urban100")
MIN_HR_SIDE = 11 + 2 * SCALE  # an 11x11 SSIM window after shaving
# How a grey benchmark image (Set14's bridge.png is the only one) is scored. "luma": the grey value is
# the luma (MATLAB SR code: rgb2ycbcr only for 3-channel images; the convention of the bicubic and
# SRCNN/VDSR figures the paper's Table 1 quotes). "rgb": the image is presented as RGB (g, g, g) and goes
# through BT.601 like every other image (Python loaders such as EDSR's and BasicSR's, which read every
# image as 3-channel; and what the core computes from a grey RGB frame): its luma is 16 + 219 g / 255.
GREY_CONVENTIONS = {
    "luma": "Y, BT.601 (MATLAB rgb2ycbcr) for RGB; the grey value for grey images",
    "rgb": "Y, BT.601 (MATLAB rgb2ycbcr); grey images presented as RGB (g, g, g), so their Y is 16 + 219 g / 255",
}
PROTOCOL = {
    "scale": SCALE,
    "lr": "PIL BICUBIC antialiased downscale of the modcropped HR image",
    "jpeg": "Pillow JPEG (4:2:0) of the LR image at quality q",
    "metric_channel": GREY_CONVENTIONS["luma"],
    "grey": "luma",
    "shave": SCALE,
    "ssim": "Wang et al. 2004, 11x11 Gaussian sigma 1.5, K1 0.01, K2 0.03",
}
CODEC_PROTOCOL = (
    "video codec conditions (<codec>crf<N>): a synthetic pan of PAN_FRAMES HR frames per image (window "
    "moving 2 px right and 1 px down per frame), each LR frame the protocol's bicubic downscale of its HR "
    "window, the LR frames encoded as one video (libx264 / libx265, preset medium, CRF N, yuv420p, I frame "
    "then inter frames), decoded to RGB, super-resolved and scored against their HR frames; an image's "
    "score is the mean over its frames"
)
PAN_FRAMES = 6
CODEC_NAMES = {"h264": "H.264", "hevc": "HEVC"}


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


def parse_codec_conditions(spec: str | None) -> list[str]:
    """'h264:crf23,hevc:crf28' -> ['h264crf23', 'hevccrf28']."""
    out = []
    for tok in (t.strip() for t in (spec or "").split(",") if t.strip()):
        codec, _, q = tok.partition(":")
        if codec not in CODEC_NAMES or not q.startswith("crf") or not q[3:].isdigit() or int(q[3:]) > 51:
            raise QcsrError(f"bad --codec entry {tok!r}: use <{'|'.join(CODEC_NAMES)}>:crf<0..51>, e.g. h264:crf23")
        out.append(f"{codec}crf{int(q[3:])}")
    return out


def codec_of(condition: str) -> tuple[str, int] | None:
    """'h264crf23' -> ('h264', 23); None for clean and JPEG conditions."""
    for codec in CODEC_NAMES:
        if condition.startswith(codec + "crf"):
            return codec, int(condition.removeprefix(codec + "crf"))
    return None


def pan_frames(hr: np.ndarray, frames: int = PAN_FRAMES) -> list[np.ndarray]:
    """HR frames of a synthetic camera pan across one image (window 2 px right, 1 px down per frame)."""
    h, w = hr.shape[:2]
    # LR frames a multiple of 8: 4:2:0 needs even sizes, and libx265 needs multiples of 8 from 32 up
    # (qcsr.util.video.check_frame_size); every benchmark image is large enough
    wh, ww = (h - frames) // 16 * 16, (w - 2 * frames) // 16 * 16
    return [np.ascontiguousarray(hr[t : t + wh, 2 * t : 2 * t + ww]) for t in range(frames)]


def codec_pairs(hr: np.ndarray, condition: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(HR frame, decoded LR frame) pairs of an image's pan under a video codec condition."""
    from qcsr.util.video import codec_roundtrip

    codec, crf = codec_of(condition)
    his = pan_frames(hr if hr.ndim == 3 else np.repeat(hr[..., None], 3, axis=2))
    lrs = codec_roundtrip([bicubic_downscale(f, SCALE) for f in his], codec, crf)
    if hr.ndim == 2:  # grey images went through the codec as grey RGB; back to one grey plane
        his = [f[..., 0] for f in his]
        lrs = [((f.astype(np.uint16).sum(axis=2) + 1) // 3).astype(np.uint8) for f in lrs]
    return list(zip(his, lrs, strict=True))


def make_lr(hr: np.ndarray, condition: str) -> np.ndarray:
    lr = bicubic_downscale(hr, SCALE)
    return lr if condition == "clean" else jpeg_roundtrip(lr, int(condition.removeprefix("jpeg")))


def evaluate(
    model: str, data: Path, sets: list[str], conditions: list[str], engine: str = "float", grey: str = "luma"
) -> dict[str, Any]:
    """results[set][condition] = {psnr, ssim, images}; per_image[set][condition][name] = [psnr, ssim].

    `grey` is the convention for grey images (GREY_CONVENTIONS)."""
    if grey not in GREY_CONVENTIONS:
        raise QcsrError(f"unknown grey-image convention {grey!r}; choose from {', '.join(GREY_CONVENTIONS)}")
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
            if grey == "rgb" and hr.ndim == 2:
                hr = np.repeat(hr[..., None], 3, axis=2)
            if min(hr.shape[:2]) < MIN_HR_SIDE:
                raise QcsrError(f"image too small for PSNR/SSIM with shave {SCALE}: {f} ({hr.shape[1]}x{hr.shape[0]})")
            ref = luma_ref(hr)
            for c in conditions:
                if codec_of(c):
                    pairs = [(luma_ref(h_), upscale(lr)) for h_, lr in codec_pairs(hr, c)]
                    scores[c][f.name] = [float(np.mean([psnr(a, b, SCALE) for a, b in pairs])),
                                         float(np.mean([ssim(a, b, SCALE) for a, b in pairs]))]  # fmt: skip
                    continue
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
    protocol = dict(PROTOCOL, metric_channel=GREY_CONVENTIONS[grey], grey=grey)
    if any(codec_of(c) for c in conditions):
        protocol["codec"] = CODEC_PROTOCOL.replace("PAN_FRAMES", str(PAN_FRAMES))
    return {"model": str(model), "engine": engine, "protocol": protocol, "results": results, "per_image": per_image}


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
