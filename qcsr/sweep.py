"""`qcsr sweep`: PSNR on Set5/Set14 against weight and activation widths (golden engine)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from qcsr.evaluate import make_lr
from qcsr.fixedpoint.colour import luma_ref, luma_u8
from qcsr.golden.engine import GoldenEngine
from qcsr.model.network import QCSRNet
from qcsr.model.quant_net import calibrate_formats
from qcsr.model.quantize import ValItem, float_psnr, integer_model, search_formats, validation_items
from qcsr.util.atomic import save_bytes
from qcsr.util.imaging import list_images, load_image, modcrop
from qcsr.util.metrics import psnr
from qcsr.util.progress import progress

WEIGHT_BITS = tuple(range(6, 13))
ACT_BITS = tuple(range(8, 17))
DEFAULT = (10, 14)


def _set_items(data: Path, name: str) -> list[ValItem]:
    items = []
    for f in list_images(Path(data) / name):
        hr = modcrop(load_image(f))
        items.append(ValItem(luma_ref(hr), luma_u8(make_lr(hr, "clean"))))
    return items


def run_sweep(net: QCSRNet, data: Path, sets: tuple[str, ...] = ("Set5", "Set14")) -> dict[str, Any]:
    """For each (weight bits, act bits) on the two axes through 10/14: calibrate, search, measure."""
    val = validation_items(data)
    calib = [it.lr for it in val[::2]]
    bench = {s: _set_items(data, s) for s in sets}
    points = sorted({(w, DEFAULT[1]) for w in WEIGHT_BITS} | {(DEFAULT[0], a) for a in ACT_BITS})
    rows = []
    for wb, ab in progress(points, "sweep", always=True):
        f = calibrate_formats(net, calib, wb, ab)
        f, _ = search_formats(net, f, val, passes=1)
        eng = GoldenEngine(integer_model(net, f))
        row = {"weight_bits": wb, "act_bits": ab, "fw": list(f.fw), "fa": list(f.fa)}
        for s, items in bench.items():
            row[s] = float(np.mean([psnr(it.ref, eng.upscale_luma(it.lr)) for it in items]))
        rows.append(row)
    ref = {s: float_psnr(net, items) for s, items in bench.items()}
    return {"float": ref, "points": rows, "sets": list(sets)}


def sweep_markdown(res: dict[str, Any], model: str) -> str:
    sets = res["sets"]
    out = [f"# Bit-width sweep: `{model}` (golden engine, clean x2 input, PSNR dB)", "",
           "Formats per point: calibration + one pass of the PSNR-driven search (`qcsr sweep`); no QAT.", "",
           "| weight bits | act bits | " + " | ".join(sets) + " | " + " | ".join(f"{s} loss vs float" for s in sets)
           + " |", "|---|---|" + "---|" * 2 * len(sets),
           "| float | float | " + " | ".join(f"{res['float'][s]:.3f}" for s in sets) + " |" + " — |" * len(sets),
           ]  # fmt: skip
    for r in res["points"]:
        mark = " **(shipped)**" if (r["weight_bits"], r["act_bits"]) == DEFAULT else ""
        out.append(f"| {r['weight_bits']} | {r['act_bits']}{mark} | " + " | ".join(f"{r[s]:.3f}" for s in sets)
                   + " | " + " | ".join(f"{r[s] - res['float'][s]:+.3f}" for s in sets) + " |")  # fmt: skip
    return "\n".join(out) + "\n"


def sweep_plot(res: dict[str, Any], title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, (axis, fixed, xs) in zip(axes, (("weight_bits", ("act_bits", 14), WEIGHT_BITS),
                                            ("act_bits", ("weight_bits", 10), ACT_BITS)), strict=True):  # fmt: skip
        pts = sorted((r for r in res["points"] if r[fixed[0]] == fixed[1]), key=lambda r: r[axis])
        for s in res["sets"]:
            ax.plot([r[axis] for r in pts], [r[s] - res["float"][s] for r in pts], "o-", label=s)
        ax.axhline(0.0, color="k", ls="--", lw=0.8)
        ax.axvline(DEFAULT[0] if axis == "weight_bits" else DEFAULT[1], color="k", lw=0.8, ls=":")
        ax.set(xlabel=axis.replace("_", " ") + f" ({fixed[0].replace('_', ' ')} = {fixed[1]})", xticks=list(xs))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("PSNR - float PSNR (dB)")
    axes[0].legend(title="dashed: float model")
    fig.suptitle(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def write_sweep(res: dict[str, Any], model: str, out: Path) -> list[Path]:
    paths = [out / "sweep.md", out / "sweep.png", out / "sweep.json"]
    save_bytes(sweep_markdown(res, model).encode(), paths[0])
    save_bytes(sweep_plot(res, f"{model}: PSNR vs bit width (dotted: shipped 10/14)"), paths[1])
    save_bytes((json.dumps(res, indent=1) + "\n").encode(), paths[2])
    return paths
