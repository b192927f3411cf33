"""Whole-image x2 upscaling with a chosen model and engine (SPEC section 1 pipeline)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fixedpoint.bicubic import upscale2x_u8
from fixedpoint.colour import rgb_to_ycbcr, ycbcr_to_rgb
from model.imaging import bicubic_upscale, luma_ref, luma_u8
from qcsr.errors import QcsrError

ENGINES = ("float",)
BASELINES = ("bicubic", "bicubic-int")

LumaFn = Callable[[np.ndarray], np.ndarray]


def luma_upscaler(model: str, engine: str = "float") -> LumaFn:
    """LR image (uint8 grey or RGB) -> HR luma for PSNR/SSIM.

    `bicubic` is plain bicubic upscaling as the SR literature reports it (PIL BICUBIC on the image,
    then exact BT.601 luma); `bicubic-int` is the hardware's fixed-point bicubic path alone;
    anything else is a model file or a model/zoo name run by `engine`.
    """
    if model == "bicubic":
        return lambda lr: luma_ref(bicubic_upscale(lr))
    if model == "bicubic-int":
        return lambda lr: upscale2x_u8(luma_u8(lr))
    if engine not in ENGINES:
        raise QcsrError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    from model.checkpoint import load_model, upscale_luma

    net, _ = load_model(model)
    return lambda lr: upscale_luma(net, luma_u8(lr))


def image_upscaler(model: str, engine: str = "float") -> Callable[[np.ndarray], np.ndarray]:
    """LR image (uint8 grey or RGB) -> HR image of the same kind: luma by the model, chroma bicubic."""
    if model == "bicubic":
        return bicubic_upscale
    luma = luma_upscaler(model, engine)

    def run(lr: np.ndarray) -> np.ndarray:
        y = np.asarray(luma(lr), dtype=np.uint8)
        if lr.ndim == 2:
            return y
        ycc = rgb_to_ycbcr(lr)
        hr = np.stack([y, upscale2x_u8(ycc[..., 1]), upscale2x_u8(ycc[..., 2])], axis=-1)
        return ycbcr_to_rgb(hr)

    return run
