"""Whole-image x2 upscaling with a chosen model and engine (SPEC section 1 pipeline).

Engines: the registry `qcsr.engines.ENGINES` (float, quant, golden, fast); the quantized ones need a `.q.json`,
`float` runs either a `.pt` file or the dequantized weights of a `.q.json`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qcsr.engines import engine as get_engine
from qcsr.fixedpoint.bicubic import upscale2x_u8
from qcsr.fixedpoint.colour import luma_ref, luma_u8, rgb_to_ycbcr, ycbcr_to_rgb
from qcsr.golden.engine import GoldenEngine
from qcsr.resolver import ModelRef, open_model
from qcsr.util.imaging import bicubic_upscale

LumaFn = Callable[[np.ndarray], np.ndarray]


def default_engine(model: str | ModelRef) -> str:
    """`fast` for quantized models and zoo names, `float` for float model files (.pt) and baselines."""
    return open_model(model).default_engine()


def golden_engine(model: str | ModelRef) -> GoldenEngine:
    return GoldenEngine(open_model(model).quant())


def luma_upscaler(model: str | ModelRef, engine: str = "float", threads: int | None = None) -> LumaFn:
    """LR image (uint8 grey or RGB) -> HR luma for PSNR/SSIM.

    `bicubic` is plain bicubic upscaling as the SR literature reports it (PIL BICUBIC on the image,
    then exact BT.601 luma); `bicubic-int` is the hardware's fixed-point bicubic path alone;
    anything else is a model file or a model/zoo name run by `engine` (qcsr.engines.ENGINES).
    """
    ref = open_model(model)
    if ref.is_baseline and ref.name == "bicubic":
        return lambda lr: luma_ref(bicubic_upscale(lr))
    if ref.is_baseline:
        return lambda lr: upscale2x_u8(luma_u8(lr))
    return get_engine(engine).luma(ref, threads)


def image_upscaler(model: str | ModelRef, engine: str = "float",
                   threads: int | None = None) -> Callable[[np.ndarray], np.ndarray]:  # fmt: skip
    """LR image (uint8 grey or RGB) -> HR image of the same kind: luma by the model, chroma bicubic;
    `threads`: the engine's threads (default every core)."""
    ref = open_model(model)
    if ref.is_baseline and ref.name == "bicubic":
        return bicubic_upscale
    eng = get_engine(engine)
    if eng.image is not None and not ref.is_baseline:
        return eng.image(ref, threads)
    luma = luma_upscaler(ref, engine, threads)

    def run(lr: np.ndarray) -> np.ndarray:
        y = np.asarray(luma(lr), dtype=np.uint8)
        if lr.ndim == 2:
            return y
        ycc = rgb_to_ycbcr(lr)
        hr = np.stack([y, upscale2x_u8(ycc[..., 1]), upscale2x_u8(ycc[..., 2])], axis=-1)
        return ycbcr_to_rgb(hr)

    return run
