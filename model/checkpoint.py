"""The float model file (`.pt`): architecture, weights and provenance, validated on load."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qcsr.fixedpoint.arch import Arch
from qcsr.model.network import QCSRNet
from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError

MODEL_FORMAT = "qcsr-float-model"
MODEL_VERSION = 1
MAX_WEIGHTS = 1_000_000   # the paper's model has 2,560; the architecture search goes to a few tens of thousands


def save_model(net: QCSRNet, path: str | os.PathLike, provenance: dict[str, Any]) -> None:
    """Write a model file atomically."""
    blob = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "arch": net.cfg.to_dict(),
        "state_dict": {k: v.detach().cpu().clone() for k, v in net.state_dict().items()},
        "provenance": provenance,
    }
    buf = io.BytesIO()
    torch.save(blob, buf)
    save_bytes(buf.getvalue(), path)


def load_model(path: str | os.PathLike) -> tuple[QCSRNet, dict[str, Any]]:
    """Load a float qcsr model; QcsrError naming the problem if the file is not one."""
    p = Path(path)
    if not p.is_file():
        raise QcsrError(f"model file not found: {p}")
    try:
        blob = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a non-torch or truncated file
        raise QcsrError(f"{p} is not a qcsr model file: {type(e).__name__}") from None
    if not isinstance(blob, dict) or blob.get("format") != MODEL_FORMAT:
        raise QcsrError(f"{p} is not a qcsr model file: missing format tag {MODEL_FORMAT!r}")
    if blob.get("version") != MODEL_VERSION:
        raise QcsrError(f"{p}: unsupported model version {blob.get('version')!r}")
    arch = blob.get("arch")
    if not isinstance(arch, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in arch.values()):
        raise QcsrError(f"{p}: invalid qcsr model: arch must map names to integers, got {arch!r:.80}")
    sd = blob.get("state_dict")
    for name, t in (sd.items() if isinstance(sd, dict) else ()):
        # the file's own tensors, before load_state_dict casts them (a complex or NaN value would vanish there)
        if isinstance(t, torch.Tensor) and (t.is_complex() or (t.is_floating_point() and not torch.isfinite(t).all())):
            what = "complex" if t.is_complex() else "NaN or infinite"
            raise QcsrError(f"{p}: invalid qcsr model: {name} holds {what} values")
    try:
        cfg = Arch(**arch)
        if cfg.weight_count() > MAX_WEIGHTS:     # before any allocation: C = 10**9 would take the machine down
            raise ValueError(f"{cfg.weight_count():,} weights; a qcsr model has at most {MAX_WEIGHTS:,}")
        net = QCSRNet(cfg)
        net.load_state_dict(blob["state_dict"], strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise QcsrError(f"{p}: invalid qcsr model: {first}") from None
    for name, t in net.state_dict().items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise QcsrError(f"{p}: invalid qcsr model: {name} holds NaN or infinite values")
    prov = blob.get("provenance", {})
    if not isinstance(prov, dict):
        raise QcsrError(f"{p}: invalid qcsr model: provenance is not a mapping")
    if not _finite(prov):
        raise QcsrError(f"{p}: invalid qcsr model: provenance holds NaN or infinite numbers")
    net.eval()
    return net, dict(prov)


def _finite(obj) -> bool:
    """No NaN or infinite float anywhere in a nested provenance structure."""
    import math

    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(_finite(v) for v in obj)
    return True


@torch.no_grad()
def upscale_luma(net: QCSRNet, lr_luma: np.ndarray) -> np.ndarray:
    """uint8 LR luma (HxW) -> uint8 HR luma: float network, then round half up and clip."""
    x = torch.from_numpy(np.asarray(lr_luma, dtype=np.float32) / 255.0)[None, None]
    y = net(x)[0, 0].double().numpy() * 255.0
    return np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)
