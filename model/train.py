"""Training loop with presets, checkpoint/resume, CSV log and PNG curves."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from qcsr.fixedpoint.arch import Arch
from qcsr.fixedpoint.colour import luma_ref, luma_u8
from qcsr.model.checkpoint import save_model, upscale_luma
from qcsr.model.data import SCALE_AUG, PatchSampler, load_training_images
from qcsr.model.degradations import EQ2, TRAIN_DEGRADATIONS, DegradationRanges
from qcsr.model.network import QCSRNet, regroup_tail
from qcsr.model.reparam import RepQCSRNet
from qcsr.util.errors import QcsrError
from qcsr.util.imaging import bicubic_downscale, jpeg_roundtrip, list_images, load_image, modcrop
from qcsr.util.metrics import psnr


@dataclass(frozen=True)
class Preset:
    """A training schedule. `steps` iterations; lr follows `schedule` ("step" or "cosine")."""

    batch: int
    patch: int
    lr: float
    steps: int
    schedule: str
    step_every: int = 0  # for "step": divide lr by 10 every this many iterations
    lr_min: float = 0.0  # for "cosine": final lr
    val_every: int = 1000


PRESETS: dict[str, Preset] = {
    # SPEC section 6: L1, Adam, lr 1e-4 / 10 every 50 epochs, batch 2, 128x128 crops. The paper
    # does not define an epoch for random crops; we take 1000 iterations per epoch, 150 epochs.
    "paper": Preset(batch=2, patch=128, lr=1e-4, steps=150_000, schedule="step", step_every=50_000, val_every=5000),
    # Measured on 2 CPU cores (docs/results.md): larger batch, higher lr, cosine decay.
    "fast": Preset(batch=16, patch=96, lr=2e-3, steps=60_000, schedule="cosine", lr_min=1e-5, val_every=1000),
}


LOSSES = {"l1": torch.nn.functional.l1_loss, "l2": torch.nn.functional.mse_loss}


EMA_EVERY = 10  # iterations between updates of the weight average (decay D**EMA_EVERY per update)


@torch.no_grad()
def update_average(averaged: QCSRNet, net: torch.nn.Module, decay: float) -> None:
    """averaged <- decay * averaged + (1 - decay) * deployed weights of `net` (folded if re-parameterised)."""
    state = net.folded_state() if isinstance(net, RepQCSRNet) else dict(net.named_parameters())
    for name, avg in averaged.named_parameters():
        avg.mul_(decay).add_(state[name].detach(), alpha=1.0 - decay)


def lr_at(p: Preset, step: int) -> float:
    if p.schedule == "step":
        return p.lr * (0.1 ** (step // p.step_every))
    t = min(step / max(p.steps, 1), 1.0)
    return p.lr_min + 0.5 * (p.lr - p.lr_min) * (1 + math.cos(math.pi * t))


class Validator:
    """PSNR of the float model on a small set: clean LR and JPEG q=80 LR."""

    def __init__(self, data: Path, set_name: str = "Set5") -> None:
        folder = data / set_name
        if folder.is_dir():
            self.name = set_name
            hrs = [modcrop(load_image(f)) for f in list_images(folder)]
        else:
            from skimage import data as skdata

            self.name = "skimage"
            hrs = [modcrop(skdata.camera()[128:384, 128:384]), modcrop(skdata.astronaut()[:256, 128:384])]
        self.items = []
        for hr in hrs:
            lr = bicubic_downscale(hr)
            self.items.append((luma_ref(hr), luma_u8(lr), luma_u8(jpeg_roundtrip(lr, 80))))

    def __call__(self, net: QCSRNet) -> tuple[float, float]:
        net.eval()
        clean = [psnr(ref, upscale_luma(net, lr)) for ref, lr, _ in self.items]
        jpeg = [psnr(ref, upscale_luma(net, lrj)) for ref, _, lrj in self.items]
        net.train()
        return float(np.mean(clean)), float(np.mean(jpeg))


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=10,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def plot_curves(csv_path: Path, png_path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader(csv_path.open()))
    if not rows:
        return
    step = [int(r["step"]) for r in rows]
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    ax[0].plot(step, [float(r["loss"]) for r in rows])
    ax[0].set(xlabel="iteration", ylabel="loss (running mean)", yscale="log", title="training loss")
    ax[1].plot(step, [float(r["val_psnr_clean"]) for r in rows], label="clean LR")
    ax[1].plot(step, [float(r["val_psnr_jpeg80"]) for r in rows], label="JPEG q=80 LR")
    ax[1].set(xlabel="iteration", ylabel="PSNR (dB)", title=f"validation ({rows[0]['val_set']})")
    ax[1].legend()
    for a in ax:
        a.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    tmp = png_path.with_name(f".{png_path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, png_path)


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run takes (`qcsr train`'s options); `train(cfg)` runs it. The schedule comes
    from `PRESETS[preset]`, with `lr`, `patch`, `batch` and `steps` overriding it where given."""

    degradation: str
    preset: str
    data: str | Path
    out: str | Path
    seed: int = 0
    resume: bool = False
    steps: int | None = None
    arch: Arch | None = None
    threads: int | None = None
    stop_after: int | None = None
    init: str | Path | None = None
    loss: str = "l1"
    lr: float | None = None
    patch: int | None = None
    batch: int | None = None
    ranges: DegradationRanges | None = None
    reparam: int = 0
    ema: float = 0.0
    scale_aug: tuple[float, ...] | None = None


def train(cfg: TrainConfig) -> dict[str, Any] | None:
    """Train a model (`cfg`, a TrainConfig); writes OUT, OUT.ckpt, OUT.log.csv and OUT.curves.png. Returns provenance.

    `stop_after` checkpoints and returns None after that many iterations, as an interrupted run would.
    `init` starts from the weights of a float model file (fine-tuning, e.g. with `loss="l2"`, the
    loss that PSNR measures); `lr`, `patch` (HR crop side) and `batch` override the preset's values;
    `ranges` overrides eq. 2's parameter ranges (proposed degradations only).
    `reparam` E > 0 trains the re-parameterised expansion (model/reparam.py, pointwise expansion E)
    and writes the folded network: OUT has the deployed architecture; only OUT.ckpt holds branches.
    `ema` D in (0, 1) keeps an exponential moving average (per-iteration decay D) of the deployed
    weights, updated every EMA_EVERY iterations; validation and OUT use the average.
    `scale_aug` replaces the HR scale-augmentation factors (model/data.py SCALE_AUG; (1.0,): none).
    """
    (degradation, preset, data, out, seed, resume, steps, arch, threads, stop_after, init, loss, lr, patch, batch,
     ranges, reparam, ema, scale_aug) = (getattr(cfg, f.name) for f in fields(TrainConfig))
    if degradation not in TRAIN_DEGRADATIONS:
        raise QcsrError(f"unknown degradation {degradation!r}")
    if ranges is not None and degradation == "bicubic":
        raise QcsrError("degradation ranges (--sigma/--quality/--noise) apply to the proposed degradations only")
    only_fraction = ranges is None or ranges == DegradationRanges(clean_fraction=ranges.clean_fraction)
    if degradation == "codec" and not only_fraction:
        raise QcsrError("the codec degradation takes --clean-fraction only (CRF and codec are drawn per image)")
    if degradation == "proposed-direct" and ranges is not None and ranges.sigma[0] <= 0:
        raise QcsrError("proposed-direct needs a Gaussian: the --sigma range must start above 0")
    ranges = ranges or EQ2
    if reparam < 0:
        raise QcsrError(f"--reparam must be a pointwise expansion factor >= 1 (0: off), got {reparam}")
    if not 0.0 <= ema < 1.0:
        raise QcsrError(f"--ema must be a decay in [0, 1) (0: off), got {ema}")
    if preset not in PRESETS:
        raise QcsrError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    p = PRESETS[preset]
    if loss not in LOSSES:
        raise QcsrError(f"unknown loss {loss!r}; choose from {', '.join(LOSSES)}")
    if lr is not None:
        p = replace(p, lr=lr, lr_min=min(p.lr_min, lr))
    if patch is not None:
        if patch < 16 or patch % 2:
            raise QcsrError(f"--patch must be an even crop side >= 16, got {patch}")
        p = replace(p, patch=patch)
    if batch is not None:
        if batch < 1:
            raise QcsrError(f"--batch must be >= 1, got {batch}")
        p = replace(p, batch=batch)
    if steps is not None:
        p = replace(p, steps=steps, step_every=max(1, p.step_every * steps // p.steps) if p.step_every else 0)
    data, out = Path(data), Path(out)
    ckpt_path = out.with_name(out.name + ".ckpt")
    csv_path = out.with_name(out.stem + ".log.csv")
    png_path = out.with_name(out.stem + ".curves.png")
    if threads:
        torch.set_num_threads(threads)

    images = load_training_images(data)
    validator = Validator(data)
    torch.manual_seed(seed)
    net = QCSRNet(arch or Arch())
    parent: dict[str, Any] | None = None
    if init is not None:
        from qcsr.model.checkpoint import load_model

        net, parent = load_model(init)
        widen = arch is not None and arch.G != net.cfg.G and net.cfg.G % arch.G == 0
        if widen and replace(arch, G=net.cfg.G) == net.cfg:
            net = regroup_tail(net, arch.G)  # e.g. --G 1 from a G = 4 parent: same function, more weights
    if reparam:
        net = RepQCSRNet(expand=reparam, init=net)  # same function as `net` at the start
    opt = torch.optim.Adam(net.parameters(), lr=p.lr)
    scales = SCALE_AUG if scale_aug is None else tuple(scale_aug)
    sampler = PatchSampler(images, p.patch, degradation, seed, ranges, scales)
    start, elapsed = 0, 0.0
    history: list[dict[str, Any]] = []  # every (re)start: a resumed run may use a different schedule
    if resume:
        if not ckpt_path.is_file():
            raise QcsrError(f"--resume: no checkpoint at {ckpt_path}")
        ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if ck.get("reparam", 0) != reparam:
            raise QcsrError(f"--resume: {ckpt_path} was trained with --reparam {ck.get('reparam', 0)}, not {reparam}")
        net = QCSRNet(Arch(**ck["arch"]))
        if reparam:
            net = RepQCSRNet(net.cfg, expand=reparam)
        net.load_state_dict(ck["model"])
        opt = torch.optim.Adam(net.parameters(), lr=p.lr)
        opt.load_state_dict(ck["optimizer"])
        sampler.set_state(ck["sampler"])
        torch.set_rng_state(ck["torch_rng"])
        start, elapsed = ck["step"], ck["elapsed"]
        history = list(ck.get("history", []))
        if bool(ck.get("ema")) != bool(ema):
            raise QcsrError(f"--resume: {ckpt_path} was trained with --ema {ck.get('ema_decay', 0)}, not {ema}")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with csv_path.open("w", newline="") as f:
            csv.writer(f).writerow(["step", "lr", "loss", "val_set", "val_psnr_clean", "val_psnr_jpeg80", "elapsed_s"])

    history.append({"from_iteration": start, "steps": p.steps, "schedule": p.schedule, "lr": p.lr})
    averaged: QCSRNet | None = None
    if ema:
        averaged = (net.fold() if reparam else QCSRNet(net.cfg)).eval()
        if not reparam:
            averaged.load_state_dict(net.state_dict())
        if resume:
            averaged.load_state_dict(ck["ema"])
    net = net.to(memory_format=torch.channels_last)  # 2x faster depthwise convs on CPU (measured)
    net.train()
    running, t0 = None, time.time() - elapsed
    bar = tqdm(range(start, p.steps), initial=start, total=p.steps, desc=f"train {degradation}/{preset}")
    for step in bar:
        for g in opt.param_groups:
            g["lr"] = lr_at(p, step)
        lr_b, hr_b = sampler.batch(p.batch)
        lr_b = lr_b.contiguous(memory_format=torch.channels_last)
        loss_v = LOSSES[loss](net(lr_b), hr_b)
        opt.zero_grad(set_to_none=True)
        loss_v.backward()
        opt.step()
        running = loss_v.item() if running is None else 0.98 * running + 0.02 * loss_v.item()
        done = step + 1
        if averaged is not None and done % EMA_EVERY == 0:
            update_average(averaged, net, ema**EMA_EVERY)
        if done % p.val_every == 0 or done == p.steps:
            v_clean, v_jpeg = validator(averaged if averaged is not None else net)
            bar.set_postfix(loss=f"{running:.4f}", psnr=f"{v_clean:.2f}", jpeg80=f"{v_jpeg:.2f}")
            with csv_path.open("a", newline="") as f:
                csv.writer(f).writerow(
                    [
                        done,
                        f"{lr_at(p, step):.3g}",
                        f"{running:.6f}",
                        validator.name,
                        f"{v_clean:.4f}",
                        f"{v_jpeg:.4f}",
                        f"{time.time() - t0:.1f}",
                    ]
                )
            plot_curves(csv_path, png_path, f"{out.stem}: {degradation} degradation, {preset} preset")
        if done % p.val_every == 0 or done == p.steps or done == stop_after:
            ck = {
                "arch": net.cfg.to_dict(),
                "reparam": reparam,
                "model": net.state_dict(),
                "optimizer": opt.state_dict(),
                "sampler": sampler.state(),
                "torch_rng": torch.get_rng_state(),
                "step": done,
                "history": history,
                "elapsed": time.time() - t0,
                **({"ema": averaged.state_dict(), "ema_decay": ema} if averaged is not None else {}),
            }
            torch.save(ck, ckpt_path.with_name(ckpt_path.name + ".tmp"))
            os.replace(ckpt_path.with_name(ckpt_path.name + ".tmp"), ckpt_path)
        if done == stop_after:
            bar.close()
            return None

    rows = list(csv.DictReader(csv_path.open()))
    provenance = {
        "degradation": degradation,
        **({"degradation_ranges": ranges.to_dict()} if degradation != "bicubic" else {}),
        "preset": preset,
        "schedule": asdict(p),
        "seed": seed,
        "data": [f"{data.name}/T91", f"{data.name}/BSD200"],
        "iterations": p.steps,
        "schedule_history": history,
        "loss": loss,
        **({"reparam": net.describe()} if reparam else {}),
        **({"weight_average": {"ema_decay": ema, "every": EMA_EVERY}} if ema else {}),
        **({"scale_augmentation": list(scales)} if scales != SCALE_AUG else {}),
        **({"finetuned_from": {"file": Path(init).name, "provenance": parent}} if init is not None else {}),
        "train_seconds": round(time.time() - t0, 1),
        "torch_threads": torch.get_num_threads(),
        "commit": git_commit(),
        "final_validation": {k: rows[-1][k] for k in ("val_set", "val_psnr_clean", "val_psnr_jpeg80")} if rows else {},
    }
    net.eval()
    final = averaged if averaged is not None else net.fold() if reparam else net
    save_model(final, out, provenance)  # a model file is always the deployed network
    out.with_suffix(".json").write_text(json.dumps({"provenance": provenance}, indent=2) + "\n")
    return provenance
