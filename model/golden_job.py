"""`qcsr golden` (`make golden`): upscale the default images and benchmark sets, write a table and vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.evaluate import BENCHMARK_SETS, make_lr
from model.imaging import list_images, load_image, luma_ref, modcrop, save_image
from model.metrics import psnr, ssim
from model.pipeline import image_upscaler
from qcsr.atomic import save_bytes
from qcsr.progress import progress

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
    vector_models = _vector_models(model) if vectors and engine == "golden" else None  # fail before writing
    jobs: list[tuple[str, str, np.ndarray]] = [("default", k, v) for k, v in default_images().items()]
    present = [s for s in sets if data is not None and (Path(data) / s).is_dir()]
    for s in present:
        jobs += [(s, f.stem, modcrop(load_image(f))) for f in list_images(Path(data) / s)]
    up_model, up_bic = image_upscaler(model, engine), image_upscaler("bicubic")
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
    if vector_models:
        from golden.vectors import build_default_vectors

        written.append(("HLS/RTL test vectors", build_default_vectors(out / "vectors", vector_models)))
    return written


def _vector_models(model: str) -> dict:
    """Vector models: `proposed` = the model given, `bicubic` = the shipped bicubic-trained model
    (for the weight-switch vectors, when it ships), `stress` = the saturating variant of `proposed`."""
    from fixedpoint.export import load_quant_model
    from golden.vectors import stress_model
    from model.pipeline import ZOO, resolve_quant_path

    main = load_quant_model(resolve_quant_path(model))
    models = {"proposed": main, "stress": stress_model(main)}
    alt = ZOO / "qcsr_x2_bicubic.q.json"
    if alt.is_file():
        models["bicubic"] = load_quant_model(alt)
    return models
