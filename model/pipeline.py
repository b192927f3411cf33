"""Whole-image x2 upscaling with a chosen model and engine (SPEC section 1 pipeline).

Engines: `float` (PyTorch float network), `quant` (PyTorch fake-quant forward in float64, which is
exact integer arithmetic), `golden` (the NumPy integer engine). `quant` and `golden` need a
quantized model (`.q.json`); `float` runs either a `.pt` file or the dequantized weights of a `.q.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from fixedpoint.bicubic import upscale2x_u8
from fixedpoint.colour import rgb_to_ycbcr, ycbcr_to_rgb
from model import ZOO
from model.imaging import bicubic_upscale, luma_ref, luma_u8
from qcsr.errors import QcsrError

ENGINES = ("float", "quant", "golden")
BASELINES = ("bicubic", "bicubic-int")

LumaFn = Callable[[np.ndarray], np.ndarray]


def is_quantized_name(model: str) -> bool:
    return str(model).endswith(".json")


def default_engine(model: str) -> str:
    """`float` for float model files (.pt) and baselines, `golden` for quantized models and zoo names."""
    return "float" if model in BASELINES or Path(model).suffix == ".pt" else "golden"


def resolve_quant_path(model: str) -> Path:
    """A `.q.json` path, or a zoo name whose `<name>.q.json` ships in model/zoo."""
    p = Path(model)
    if p.is_file() and p.suffix == ".json":
        return p
    if p.suffix == ".pt":
        raise QcsrError(f"engine needs a quantized model (.q.json), got a float model: {model}")
    for cand in (ZOO / f"{model}.q.json", ZOO / str(model)):
        if cand.is_file():
            return cand
    raise QcsrError(f"quantized model not found: {model}")


def _float_luma(model: str) -> LumaFn:
    from model.checkpoint import load_model, upscale_luma

    if is_quantized_name(model):
        from fixedpoint.export import load_quant_model
        from model.quant import QuantQCSRNet

        net = QuantQCSRNet.from_quant_model(load_quant_model(resolve_quant_path(model)), "float").net
    else:
        net, _ = load_model(model)
    return lambda lr: upscale_luma(net, luma_u8(lr))


def _quant_luma(model: str) -> LumaFn:
    import torch

    from fixedpoint.export import load_quant_model
    from model.quant import QuantQCSRNet

    qnet = QuantQCSRNet.from_quant_model(load_quant_model(resolve_quant_path(model)), "fake")
    qnet.net.double()

    @torch.no_grad()
    def run(lr: np.ndarray) -> np.ndarray:
        y = torch.from_numpy(luma_u8(lr).astype(np.float64))[None, None]
        return qnet.run_fake(y)["y_hr"][0, 0].numpy().astype(np.uint8)  # exact integers 0..255

    return run


def golden_engine(model: str):
    from fixedpoint.export import load_quant_model
    from golden.engine import GoldenEngine

    return GoldenEngine(load_quant_model(resolve_quant_path(model)))


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
    if engine == "float":
        return _float_luma(model)
    if engine == "quant":
        return _quant_luma(model)
    if engine == "golden":
        eng = golden_engine(model)
        return lambda lr: eng.upscale_luma(luma_u8(lr))
    raise QcsrError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")


def image_upscaler(model: str, engine: str = "float") -> Callable[[np.ndarray], np.ndarray]:
    """LR image (uint8 grey or RGB) -> HR image of the same kind: luma by the model, chroma bicubic."""
    if model == "bicubic":
        return bicubic_upscale
    if engine == "golden" and model not in BASELINES:
        return golden_engine(model).upscale
    luma = luma_upscaler(model, engine)

    def run(lr: np.ndarray) -> np.ndarray:
        y = np.asarray(luma(lr), dtype=np.uint8)
        if lr.ndim == 2:
            return y
        ycc = rgb_to_ycbcr(lr)
        hr = np.stack([y, upscale2x_u8(ycc[..., 1]), upscale2x_u8(ycc[..., 2])], axis=-1)
        return ycbcr_to_rgb(hr)

    return run
