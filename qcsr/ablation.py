"""Architecture ablation report: trained variants side by side with their hardware cost."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from qcsr.evaluate import BENCHMARK_SETS as SETS
from qcsr.fixedpoint.arch import Arch
from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError

ACT_BITS = 14
INPUT_BITS = 8


def feature_line_bits(arch: Arch, width: int = 1920) -> int:
    """Line memory of the CNN at `width` LR pixels: (F-1) input lines + (KH-1) lines per depthwise stage."""
    per_pixel = (arch.F - 1) * INPUT_BITS + arch.N * (arch.KH - 1) * arch.C * ACT_BITS
    return per_pixel * width


def requantizers(arch: Arch) -> int:
    """Activations requantized per LR pixel (one requant unit each at one pixel per clock)."""
    return arch.C + arch.N * 2 * arch.C + arch.out_channels


@dataclass
class Variant:
    """One trained variant: its architecture, training log and clean-input evaluation."""

    name: str
    arch: Arch
    steps: int
    seconds: float
    curve: list[tuple[int, float]]  # (iteration, validation PSNR on clean inputs)
    psnr: dict[str, float]  # clean inputs, by set
    training: str = ""  # degradation (and its ranges when not the paper's)
    conditions: dict[str, dict[str, float]] = field(default_factory=dict)  # condition -> set -> PSNR
    curve_jpeg80: list[tuple[int, float]] = field(default_factory=list)  # same, JPEG q=80 inputs
    val_set: str = "Set5"  # the set the validation curves were measured on


def load_variant(model_path: Path) -> Variant:
    """Read `<name>.pt`, `<name>.log.csv` and `<name>.eval.json` (a `qcsr eval --json` report)."""
    from qcsr.model.checkpoint import load_model

    net, prov = load_model(model_path)
    log = model_path.with_suffix(".log.csv")
    report = model_path.with_suffix(".eval.json")
    for p in (log, report):
        if not p.is_file():
            raise QcsrError(f"{p}: missing (train and evaluate {model_path.name} first)")
    rows = list(csv.DictReader(log.open()))
    if not rows:
        raise QcsrError(f"{log}: empty training log")
    conditions = load_psnr_report(report)
    if "clean" not in conditions:
        raise QcsrError(f"{report}: no clean-input results (evaluate with --jpeg none,...)")
    psnr = conditions["clean"]
    curve = [(int(r["step"]), float(r["val_psnr_clean"])) for r in rows]
    jpeg80 = [(int(r["step"]), float(r["val_psnr_jpeg80"])) for r in rows if r.get("val_psnr_jpeg80")]
    seconds = float(rows[-1]["elapsed_s"])
    label = training_label(prov)
    return Variant(
        model_path.stem, net.cfg, curve[-1][0], seconds, curve, psnr, label, conditions, jpeg80, rows[0]["val_set"]
    )


def training_label(prov: dict) -> str:
    """'bicubic', 'proposed' or e.g. 'proposed, noise_std 0-0, quality off' from a model's provenance."""
    from qcsr.model.degradations import EQ2

    label = str(prov.get("degradation", "?"))
    ranges = prov.get("degradation_ranges")
    if ranges:
        for key, default in EQ2.to_dict().items():
            r = ranges.get(key, default)
            if r == default:
                continue
            if isinstance(r, int | float):
                label += f", {key} {r:g}"
            else:
                label += f", {key} off" if r is None else f", {key} {r[0]:g}-{r[1]:g}"
    if prov.get("reparam"):
        label += f", reparam x{prov['reparam'].get('pointwise_expand')}"
    return label


def describe(arch: Arch) -> str:
    return f"F={arch.F}, C={arch.C}, N={arch.N}, DW {arch.KH}x{arch.KW}, G={arch.G}"


def _delta(db: float) -> str:
    """Signed dB difference to two decimals, without a negative zero."""
    return f"{round(db, 2) + 0.0:+.2f}"


def ablation_markdown(variants: list[Variant], reference: str | None = None) -> str:
    """Markdown table, best Set14 first; deltas against `reference` (a variant name) when given."""
    ref = next((v for v in variants if v.name == reference), None)
    sets = [s for s in SETS if all(s in v.psnr for v in variants)]
    head = ["variant", "architecture", "weights", "line memory @1920", "requant/px", "train it/s"] + sets
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in sorted(variants, key=lambda v: -v.psnr.get("Set14", 0.0)):
        cells = [
            f"`{v.name}`",
            describe(v.arch),
            f"{v.arch.weight_count():,}",
            f"{feature_line_bits(v.arch) / 1e6:.2f} Mbit",
            str(requantizers(v.arch)),
            f"{v.steps / v.seconds:.1f}" if v.seconds > 0 else "-",
        ]
        for s in sets:
            d = f" ({_delta(v.psnr[s] - ref.psnr[s])})" if ref is not None and v is not ref else ""
            cells.append(f"{v.psnr[s]:.2f}{d}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def conditions_markdown(variants: list[Variant], baseline: dict[str, dict[str, float]] | None = None) -> str:
    """One table per input condition (clean, jpeg70, ...): PSNR by set, deltas against `baseline`."""
    conds = [c for c in variants[0].conditions if all(c in v.conditions for v in variants)]
    sets = [s for s in SETS if all(s in v.conditions[c] for v in variants for c in conds)]
    out = []
    for c in conds:
        base = (baseline or {}).get(c)
        out += [f"**{c}**", "", "| variant | training | " + " | ".join(sets) + " |", "|---|---|" + "---|" * len(sets)]
        if base:
            out.append("| baseline | | " + " | ".join(f"{base[s]:.2f}" for s in sets) + " |")
        for v in variants:
            cells = [f"{v.conditions[c][s]:.2f}" + (f" ({_delta(v.conditions[c][s] - base[s])})" if base else "")
                     for s in sets]  # fmt: skip
            out.append(f"| `{v.name}` | {v.training} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def load_psnr_report(report: Path) -> dict[str, dict[str, float]]:
    """condition -> set -> PSNR of a `qcsr eval --json` report."""
    try:
        res = json.loads(Path(report).read_text())["results"]
        out: dict[str, dict[str, float]] = {}
        for s, conds in res.items():
            for c, r in conds.items():
                out.setdefault(c, {})[s] = float(r["psnr"])
        return out
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as e:
        raise QcsrError(f"{report}: not a readable qcsr eval report ({type(e).__name__})") from None


def plot_ablation(variants: list[Variant], png: Path, title: str, jpeg80: bool = False) -> None:
    """Validation PSNR against iteration, one line per variant: clean inputs, and JPEG q=80 when asked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("clean", lambda v: v.curve)]
    if jpeg80 and all(v.curve_jpeg80 for v in variants):
        panels.append(("JPEG q=80", lambda v: v.curve_jpeg80))
    fig, axes = plt.subplots(1, len(panels), figsize=(8 * len(panels), 4.5), squeeze=False)
    for ax, (cond, get) in zip(axes[0], panels, strict=True):
        for v in sorted(variants, key=lambda v: v.name):
            s, p = zip(*get(v), strict=True)
            ax.plot(s, p, label=f"{v.name} ({v.arch.weight_count():,} w)")
        lo = min(p for v in variants for _, p in get(v)[len(get(v)) // 4 :])
        hi = max(p for v in variants for _, p in get(v))
        ax.set(xlabel="iteration", ylabel=f"validation PSNR, {cond} (dB)", ylim=(lo - 0.05, hi + 0.05))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    tmp = png.with_name(f".{png.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, png)


def plot_tradeoff(variants: list[Variant], base: dict[str, dict[str, float]], png: Path) -> bool:
    """Clean PSNR change against the compressed-input gain over the baseline (mean over sets), one point per
    variant and compressed condition; False (nothing written) when the reports share no such condition."""
    conds = [c for c in base if c != "clean" and all(c in v.conditions for v in variants)]
    if "clean" not in base or not conds:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def mean_delta(v: Variant, c: str) -> float:
        sets = [s for s in base[c] if s in v.conditions[c]]
        return sum(v.conditions[c][s] - base[c][s] for s in sets) / len(sets)

    fig, ax = plt.subplots(figsize=(7, 4.8))
    for c, marker in zip(conds, "os^Dv<>", strict=False):
        xs = [mean_delta(v, "clean") for v in variants]
        ys = [mean_delta(v, c) for v in variants]
        ax.scatter(xs, ys, marker=marker, label=c)
        for v, x, y in zip(variants, xs, ys, strict=True):
            ax.annotate(v.name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(xlabel="clean-input PSNR change vs baseline, mean over sets (dB)",
           ylabel="compressed-input PSNR gain vs baseline (dB)", title="degradation trade-off")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = png.with_name(f".{png.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, png)
    return True


def write_ablation(
    run_dir: Path, md: Path, png: Path, reference: str | None = None, baseline: Path | None = None
) -> list[Path]:
    """Collect every `<run_dir>/*.pt` with its log and eval report; write the tables and the plot.

    The architecture table (clean inputs, hardware cost) unless all variants share one architecture
    and no `reference` is named; per-condition tables when the
    reports hold more conditions than `clean` or a `baseline` report is given.
    """
    models = sorted(p for p in Path(run_dir).glob("*.pt"))
    if not models:
        raise QcsrError(f"{run_dir}: no trained variants (*.pt)")
    variants = [load_variant(p) for p in models]
    if reference is not None and reference not in {v.name for v in variants}:
        raise QcsrError(f"reference variant {reference!r} not found in {run_dir}")
    same_arch = len({v.arch for v in variants}) == 1
    kind = "training ablation" if same_arch else "architecture ablation"
    plot_ablation(variants, png, f"{kind}, validation on {variants[0].val_set}", jpeg80=same_arch)
    text = "" if same_arch and reference is None else ablation_markdown(variants, reference)
    written = [md, png]
    if baseline is not None or any(len(v.conditions) > 1 for v in variants):
        base = load_psnr_report(baseline) if baseline is not None else None
        text += ("\n" if text else "") + conditions_markdown(variants, base)
        trade = png.with_name(png.stem + "_tradeoff.png")
        if base is not None and plot_tradeoff(variants, base, trade):
            written.append(trade)
    save_bytes(text.encode(), md)
    return written
