"""`qcsr golden` (`make golden`): upscale the default images and benchmark sets, write a table and vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qcsr.evaluate import BENCHMARK_SETS, make_lr
from qcsr.fixedpoint.colour import luma_ref
from qcsr.pipeline import image_upscaler
from qcsr.resolver import build_default_vectors, open_model, vector_models
from qcsr.util.atomic import save_bytes
from qcsr.util.imaging import list_images, load_image, modcrop, save_image
from qcsr.util.metrics import psnr, ssim
from qcsr.util.progress import progress

DEFAULT_IMAGES = ("astronaut", "camera", "coffee", "chelsea", "rocket")


def default_images() -> dict[str, np.ndarray]:
    """scikit-image's bundled sample images (offline), modcropped to even sizes."""
    from skimage import data as skdata

    return {name: modcrop(getattr(skdata, name)()) for name in DEFAULT_IMAGES}


def run_golden_job(out: Path, data: Path | None, model: str, engine: str, sets: tuple[str, ...] = BENCHMARK_SETS,
                   vectors: bool = True) -> list[tuple[str, Path]]:  # fmt: skip
    """Write LR inputs, x2 outputs, results.md and (golden engine) test vectors under `out`.

    Returns (what, path) pairs of everything written.
    """
    out = Path(out)
    ref = open_model(model)  # each model file is read once for the upscaler and the vectors
    vmodels = vector_models(ref) if vectors and engine == "golden" else None  # fail before writing
    jobs: list[tuple[str, str, np.ndarray]] = [("default", k, v) for k, v in default_images().items()]
    present = [s for s in sets if data is not None and (Path(data) / s).is_dir()]
    for s in present:
        jobs += [(s, f.stem, modcrop(load_image(f))) for f in list_images(Path(data) / s)]
    # the golden engine's integers come from the fast engine (tests/test_fast_engine.py: np.array_equal on the
    # vector set, adversarial inputs, random models and 1080p frames); the vectors above come from golden itself
    up_model = image_upscaler(ref, "fast" if engine == "golden" else engine)
    up_bic = image_upscaler("bicubic")
    rows = []
    for group, name, hr in progress(jobs, f"golden ({engine})"):
        lr = make_lr(hr, "clean")
        sr = up_model(lr)
        ref = luma_ref(hr)
        save_image(lr, out / group / f"{name}_lr.png")
        save_image(sr, out / group / f"{name}_x2.png")
        rows.append((group, name, f"{lr.shape[1]}x{lr.shape[0]}", psnr(ref, luma_ref(up_bic(lr))),
                     psnr(ref, luma_ref(sr)), ssim(ref, luma_ref(sr))))  # fmt: skip
    lines = [f"# qcsr golden: model `{model}`, engine `{engine}`", "",
             "Clean LR (PIL bicubic downscale) -> x2; PSNR/SSIM on Y, shave 2.", "",
             "| set | images | bicubic PSNR | qcsr PSNR | qcsr SSIM |", "|---|---|---|---|---|"]  # fmt: skip
    for group in dict.fromkeys(r[0] for r in rows):
        g = [r for r in rows if r[0] == group]
        lines.append(f"| {group} | {len(g)} | {np.mean([r[3] for r in g]):.2f} | {np.mean([r[4] for r in g]):.2f} "
                     f"| {np.mean([r[5] for r in g]):.4f} |")  # fmt: skip
    lines += ["", "| set | image | LR size | bicubic PSNR | qcsr PSNR | qcsr SSIM |", "|---|---|---|---|---|---|"]
    lines += [f"| {g} | {n} | {s} | {b:.2f} | {p:.2f} | {q:.4f} |" for g, n, s, b, p, q in rows]
    table = out / "results.md"
    save_bytes(("\n".join(lines) + "\n").encode(), table)
    written = [(f"x2 PNGs ({len(rows)} images: default{''.join(', ' + s for s in present)})", out),
               ("PSNR/SSIM table", table)]  # fmt: skip
    if vmodels:
        written.append(("HLS/RTL test vectors", build_default_vectors(out / "vectors", vmodels)))
    return written
