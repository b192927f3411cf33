"""Side-by-side crops like the paper's Fig. 2 (HR, bicubic, bicubic-trained, proposed-trained)."""

from __future__ import annotations

from pathlib import Path

from qcsr.evaluate import make_lr
from qcsr.fixedpoint.colour import luma_ref
from qcsr.pipeline import image_upscaler
from qcsr.util.atomic import save_bytes
from qcsr.util.imaging import load_image, modcrop
from qcsr.util.metrics import psnr

ZEBRA_CROP = (slice(130, 290), slice(360, 560))  # rows, cols of Set14 zebra: neck and head stripes


def zebra_figure(
    data: Path, out: Path, quality: int = 70, models: tuple[str, ...] = ("qcsr_x2_bicubic", "qcsr_x2_proposed")
) -> None:
    """Crops of Set14 zebra upscaled from a JPEG-q LR input, with full-image Y PSNR in the titles."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hr = modcrop(load_image(Path(data) / "Set14" / "zebra.png"))
    lr = make_lr(hr, f"jpeg{quality}")
    panels = [("HR", hr, None)]
    for name in ("bicubic",) + models:
        sr = image_upscaler(name)(lr)
        panels.append((name, sr, psnr(luma_ref(hr), luma_ref(sr))))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.0))
    for ax, (title, img, p) in zip(axes, panels, strict=True):
        ax.imshow(img[ZEBRA_CROP], cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
        ax.set_title(title if p is None else f"{title}\n{p:.2f} dB", fontsize=9)
        ax.axis("off")
    fig.suptitle(f"Set14 zebra, x2 from a JPEG q={quality} LR input (Y PSNR of the whole image)", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    save_bytes(buf.getvalue(), out)
