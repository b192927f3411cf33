"""`qcsr golden`: upscale the embedded default images (and benchmark sets when present), with a table."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.evaluate import make_lr
from model.imaging import list_images, load_image, luma_ref, modcrop, save_bytes, save_image
from model.metrics import psnr, ssim
from model.pipeline import image_upscaler
from qcsr.progress import progress

DEFAULT_IMAGES = ("astronaut", "camera", "coffee", "chelsea", "rocket")


def default_images() -> dict[str, np.ndarray]:
    """scikit-image's bundled sample images (offline), modcropped to even sizes."""
    from skimage import data as skdata

    return {name: modcrop(getattr(skdata, name)()) for name in DEFAULT_IMAGES}


def run_golden_job(out: Path, data: Path | None, model: str, engine: str, sets: tuple[str, ...] = ("Set5",)) -> Path:
    """Write LR inputs, x2 outputs and results.md under `out`; returns the table's path."""
    jobs: list[tuple[str, str, np.ndarray]] = [("default", k, v) for k, v in default_images().items()]
    for s in sets:
        if data is not None and (Path(data) / s).is_dir():
            jobs += [(s, f.stem, modcrop(load_image(f))) for f in list_images(Path(data) / s)]
    up_model, up_bic = image_upscaler(model, engine), image_upscaler("bicubic")
    rows = []
    for group, name, hr in progress(jobs, f"golden ({engine})"):
        lr = make_lr(hr, "clean")
        sr = up_model(lr)
        ref = luma_ref(hr)
        bic = luma_ref(up_bic(lr))
        save_image(lr, out / group / f"{name}_lr.png")
        save_image(sr, out / group / f"{name}_x2.png")
        rows.append(
            (
                group,
                name,
                f"{lr.shape[1]}x{lr.shape[0]}",
                psnr(ref, bic),
                psnr(ref, luma_ref(sr)),
                ssim(ref, luma_ref(sr)),
            )
        )
    lines = [
        f"# qcsr golden: model `{model}`, engine `{engine}`",
        "",
        "| set | image | LR size | bicubic PSNR | qcsr PSNR | qcsr SSIM |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {g} | {n} | {s} | {b:.2f} | {p:.2f} | {q:.4f} |" for g, n, s, b, p, q in rows]
    table = out / "results.md"
    save_bytes(("\n".join(lines) + "\n").encode(), table)
    return table
