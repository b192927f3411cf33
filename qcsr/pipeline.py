"""Whole-image x2 upscaling with a chosen model and engine (SPEC section 1 pipeline).

Engines: `float` (PyTorch float network), `quant` (PyTorch fake-quant forward in float64, which is
exact integer arithmetic), `golden` (the NumPy integer engine), `fast` (the same integers, compiled
with Numba: qcsr.golden.fast). `quant` and `golden` need a
quantized model (`.q.json`); `float` runs either a `.pt` file or the dequantized weights of a `.q.json`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qcsr.fixedpoint.bicubic import upscale2x_u8
from qcsr.fixedpoint.colour import luma_ref, luma_u8, rgb_to_ycbcr, ycbcr_to_rgb
from qcsr.golden.engine import GoldenEngine
from qcsr.models import ModelRef, open_model
from qcsr.util.errors import QcsrError
from qcsr.util.imaging import bicubic_upscale

ENGINES = ("float", "quant", "golden", "fast")

LumaFn = Callable[[np.ndarray], np.ndarray]


def default_engine(model: str | ModelRef) -> str:
    """`float` for float model files (.pt) and baselines, `golden` for quantized models and zoo names."""
    return open_model(model).default_engine()


def _float_luma(ref: ModelRef) -> LumaFn:
    from qcsr.model.checkpoint import upscale_luma

    net = ref.float_net()
    return lambda lr: upscale_luma(net, luma_u8(lr))


def _quant_luma(ref: ModelRef) -> LumaFn:
    import torch

    from qcsr.model.quant import QuantQCSRNet

    qnet = QuantQCSRNet.from_quant_model(ref.quant(), "fake")
    qnet.net.double()

    @torch.no_grad()
    def run(lr: np.ndarray) -> np.ndarray:
        y = torch.from_numpy(luma_u8(lr).astype(np.float64))[None, None]
        return qnet.run_fake(y)["y_hr"][0, 0].numpy().astype(np.uint8)  # exact integers 0..255

    return run


def golden_engine(model: str | ModelRef) -> GoldenEngine:
    return GoldenEngine(open_model(model).quant())


def luma_upscaler(model: str | ModelRef, engine: str = "float") -> LumaFn:
    """LR image (uint8 grey or RGB) -> HR luma for PSNR/SSIM.

    `bicubic` is plain bicubic upscaling as the SR literature reports it (PIL BICUBIC on the image,
    then exact BT.601 luma); `bicubic-int` is the hardware's fixed-point bicubic path alone;
    anything else is a model file or a model/zoo name run by `engine`.
    """
    ref = open_model(model)
    if ref.is_baseline and ref.name == "bicubic":
        return lambda lr: luma_ref(bicubic_upscale(lr))
    if ref.is_baseline:
        return lambda lr: upscale2x_u8(luma_u8(lr))
    if engine == "float":
        return _float_luma(ref)
    if engine == "quant":
        return _quant_luma(ref)
    if engine == "golden":
        eng = golden_engine(ref)
        return lambda lr: eng.upscale_luma(luma_u8(lr))
    if engine == "fast":
        from qcsr.golden.fast import FastEngine

        fast = FastEngine(ref.quant())
        return lambda lr: fast.upscale_luma(luma_u8(lr))
    raise QcsrError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")


def image_upscaler(model: str | ModelRef, engine: str = "float",
                   threads: int | None = None) -> Callable[[np.ndarray], np.ndarray]:  # fmt: skip
    """LR image (uint8 grey or RGB) -> HR image of the same kind: luma by the model, chroma bicubic;
    `threads`: the fast engine's kernel threads (default every core)."""
    ref = open_model(model)
    if ref.is_baseline and ref.name == "bicubic":
        return bicubic_upscale
    if engine == "golden" and not ref.is_baseline:
        return golden_engine(ref).upscale
    if engine == "fast" and not ref.is_baseline:
        from qcsr.golden.fast import FastEngine

        return FastEngine(ref.quant(), threads=threads).upscale
    luma = luma_upscaler(ref, engine)

    def run(lr: np.ndarray) -> np.ndarray:
        y = np.asarray(luma(lr), dtype=np.uint8)
        if lr.ndim == 2:
            return y
        ycc = rgb_to_ycbcr(lr)
        hr = np.stack([y, upscale2x_u8(ycc[..., 1]), upscale2x_u8(ycc[..., 2])], axis=-1)
        return ycbcr_to_rgb(hr)

    return run
