"""Post-training format search and quantization-aware fine-tuning (`qcsr quantize`, `qcsr sweep`).

1. Calibration: fw from max |w|, fa from the max |activation| on calibration images (nothing saturates).
2. Search: per layer, greedily try more activation fraction bits (finer steps, some saturation) and
   one more weight fraction bit, keeping a change only when the measured PSNR on held-out training
   images improves (the paper chose its formats by PSNR the same way). Evaluations run on the golden
   engine, so the PSNR is that of the exact integer pipeline.
3. QAT: fine-tune the float weights through the fake-quant forward (straight-through estimator)
   with the model's own degradation, then search once more and export the integers.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qcsr.fixedpoint.colour import luma_ref, luma_u8
from qcsr.fixedpoint.format import quantize
from qcsr.fixedpoint.quant_model import QuantFormats, QuantModel, build_quant_model
from qcsr.golden.engine import GoldenEngine
from qcsr.model.data import PatchSampler, load_training_images
from qcsr.model.degradations import EQ2, DegradationRanges
from qcsr.model.network import QCSRNet
from qcsr.model.quant_net import QuantQCSRNet, calibrate_formats, check_formats, quant_arch
from qcsr.util.errors import QcsrError
from qcsr.util.imaging import bicubic_downscale, jpeg_roundtrip, list_images, load_image, modcrop
from qcsr.util.metrics import psnr
from qcsr.util.progress import progress

VAL_FOLDER, VAL_COUNT, VAL_CROP = "BSD200", 8, 192  # held-out-style validation: training images, not benchmarks
MIN_GAIN_DB = 1e-3  # a format change must gain at least this much validation PSNR (noise floor)


@dataclass
class ValItem:
    ref: np.ndarray  # HR luma, float
    lr: np.ndarray  # LR luma, uint8


def validation_items(data: Path | None) -> list[ValItem]:
    """Centre crops of a few training images (or skimage samples without data), clean and JPEG-80 LR."""
    hrs: list[np.ndarray] = []
    folder = Path(data) / VAL_FOLDER if data is not None else None
    if folder is not None and folder.is_dir():
        files = list_images(folder)
        for f in files[:: max(1, len(files) // VAL_COUNT)][:VAL_COUNT]:
            img = load_image(f)
            h, w = img.shape[:2]
            t, left = (h - VAL_CROP) // 2, (w - VAL_CROP) // 2
            hrs.append(img[t : t + VAL_CROP, left : left + VAL_CROP])
    else:
        from skimage import data as skdata

        hrs = [modcrop(skdata.camera()[:256, :256]), modcrop(skdata.astronaut()[100:356, 100:356]),
               modcrop(skdata.coffee()[:256, 200:456])]  # fmt: skip
    items = []
    for hr in hrs:
        lr = bicubic_downscale(hr)
        items += [ValItem(luma_ref(hr), luma_u8(lr)), ValItem(luma_ref(hr), luma_u8(jpeg_roundtrip(lr, 80)))]
    return items


def integer_model(net: QCSRNet, formats: QuantFormats, provenance: dict | None = None,
                  metrics: dict | None = None) -> QuantModel:  # fmt: skip
    """Quantize the float weights of `net` with `formats` into a validated QuantModel."""
    ws = [quantize(c.weight.detach().double().numpy(), f) for c, f in zip(net.layers(), formats.weight_formats(),
                                                                          strict=True)]  # fmt: skip
    return build_quant_model(quant_arch(net.cfg), ws, formats, provenance, metrics)


def golden_psnr(model: QuantModel, items: list[ValItem]) -> float:
    eng = GoldenEngine(model)
    return float(np.mean([psnr(it.ref, eng.upscale_luma(it.lr)) for it in items]))


def float_psnr(net: QCSRNet, items: list[ValItem]) -> float:
    from qcsr.model.checkpoint import upscale_luma

    return float(np.mean([psnr(it.ref, upscale_luma(net, it.lr)) for it in items]))


def _valid(net: QCSRNet, f: QuantFormats) -> bool:
    try:
        check_formats(quant_arch(net.cfg), f)
        return True
    except ValueError:
        return False


def search_formats(net: QCSRNet, start: QuantFormats, items: list[ValItem], passes: int = 2,
                   log: list | None = None) -> tuple[QuantFormats, float]:  # fmt: skip
    """Greedy per-layer refinement of (fw, fa) by golden-engine PSNR on `items`."""
    best_f, best = start, golden_psnr(integer_model(net, start), items)
    if log is not None:
        log.append({"formats": {"fw": list(start.fw), "fa": list(start.fa)}, "psnr": round(best, 4), "step": "start"})
    n = len(start.fa)
    for _ in range(passes):
        improved = False
        for i in range(n):
            for kind, delta in (("fa", 1), ("fa", 2), ("fa", -1), ("fw", 1)):
                vals = list(getattr(best_f, kind))
                vals[i] += delta
                cand = QuantFormats(*(tuple(vals) if k == kind else getattr(best_f, k) for k in ("fw", "fa")),
                                    best_f.weight_bits, best_f.act_bits)  # fmt: skip
                if not _valid(net, cand):
                    continue
                p = golden_psnr(integer_model(net, cand), items)
                if p > best + MIN_GAIN_DB:
                    best_f, best, improved = cand, p, True
                    if log is not None:
                        log.append({"layer": i, "change": f"{kind}{delta:+d}", "psnr": round(p, 4)})
        if not improved:
            break
    return best_f, best


def recorded_ranges(provenance: dict[str, Any]) -> DegradationRanges:
    """The eq. 2 ranges and clean fraction a model was trained with (its provenance), EQ2 when none."""
    r = provenance.get("degradation_ranges")
    if not r:
        return EQ2
    quality = tuple(r["quality"]) if r.get("quality") else None
    return DegradationRanges(sigma=tuple(r["sigma"]), quality=quality, noise_std=tuple(r["noise_std"]),
                             clean_fraction=float(r.get("clean_fraction", 0.0)))  # fmt: skip


def qat_finetune(net: QCSRNet, formats: QuantFormats, degradation: str, data: Path, steps: int,
                 ranges: DegradationRanges = EQ2,
                 lr: float = 1e-4, batch: int = 16, patch: int = 96, seed: int = 0) -> QCSRNet:  # fmt: skip
    """Fine-tune a copy of `net` through the fake-quant forward (float32, straight-through)."""
    tuned = QCSRNet(net.cfg)
    tuned.load_state_dict(net.state_dict())
    qnet = QuantQCSRNet(tuned, formats, "fake")
    sampler = PatchSampler(load_training_images(data), patch, degradation, seed, ranges)
    opt = torch.optim.Adam(tuned.parameters(), lr=lr)
    qnet.train()
    for step in progress(range(steps), "QAT fine-tune", always=True):
        for g in opt.param_groups:
            g["lr"] = 0.5 * lr * (1 + math.cos(math.pi * step / steps))
        lr_b, hr_b = sampler.batch(batch)
        loss = torch.nn.functional.l1_loss(qnet(lr_b), hr_b)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return tuned.eval()


@dataclass
class QuantizeResult:
    model: QuantModel
    float_psnr: float
    quant_psnr: float
    log: list[dict[str, Any]] = field(default_factory=list)


def quantize_model(net: QCSRNet, float_provenance: dict[str, Any], source: str, data: Path | None,
                   weight_bits: int = 10, act_bits: int = 14, qat_steps: int = 0, passes: int = 2,
                   seed: int = 0) -> QuantizeResult:  # fmt: skip
    """Calibrate, search, optionally fine-tune (QAT) and search again; returns the exported model."""
    t0 = time.time()
    items = validation_items(data)
    calib = [it.lr for it in items[::2]]
    log: list[dict[str, Any]] = []
    formats = calibrate_formats(net, calib, weight_bits, act_bits)
    formats, _ = search_formats(net, formats, items, passes, log)
    degradation = float_provenance.get("degradation", "bicubic")
    ranges = recorded_ranges(float_provenance)  # QAT samples what the float model was trained on
    if qat_steps:
        if data is None or not Path(data).is_dir():
            raise QcsrError("QAT needs the training images: --data with T91/ and BSD200/")
        net = qat_finetune(net, formats, degradation, Path(data), qat_steps, ranges, seed=seed)
        formats = calibrate_formats(net, calib, weight_bits, act_bits)
        formats, _ = search_formats(net, formats, items, passes, log)
    p_float = float_psnr(net, items)
    prov = {
        "source": source,
        "float_model": float_provenance,
        "degradation": degradation,
        **({"degradation_ranges": ranges.to_dict()} if degradation != "bicubic" else {}),
        "quantization": {"weight_bits": weight_bits, "act_bits": act_bits, "qat_steps": qat_steps,
                         "search_passes": passes, "validation": f"{VAL_COUNT} {VAL_CROP}px crops of {VAL_FOLDER}"
                         " (clean + JPEG-80 LR)" if data else "skimage samples", "seconds": None},
    }  # fmt: skip
    model = integer_model(net, formats)
    p_quant = golden_psnr(model, items)
    prov["quantization"]["seconds"] = round(time.time() - t0, 1)
    metrics = {"validation_psnr": {"float_after_qat": round(p_float, 4), "golden": round(p_quant, 4)}}
    model = dataclasses.replace(model, provenance=prov, metrics=metrics)
    return QuantizeResult(model, p_float, p_quant, log)


