"""The engines by name: what `--engine` accepts (the CLI's `choices` come from here), what `qcsr bench` times,
and how each one is built from a resolved model (`qcsr.resolver.ModelRef`, opened once by the caller).

Adding an engine is one `Engine(...)` entry in `ENGINES` (docs/checklists.md). Light to import: every factory
imports what it needs when it is called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from qcsr.resolver import ModelRef

ImageFn = Callable[[np.ndarray], np.ndarray]  # uint8 grey or RGB LR -> HR of the same kind
LumaFn = Callable[[np.ndarray], np.ndarray]  # uint8 grey or RGB LR -> uint8 HR luma


@dataclass(frozen=True)
class Engine:
    name: str
    help: str
    luma: Callable[[ModelRef, int | None], LumaFn]  # (model, threads) -> LR image -> HR luma
    image: Callable[[ModelRef, int | None], ImageFn] | None = None  # its own whole-image path, where it has one
    bench: bool = True  # a luma row in `qcsr bench`


def _float(ref: ModelRef, threads: int | None) -> LumaFn:
    from qcsr.fixedpoint.colour import luma_u8
    from qcsr.model.checkpoint import upscale_luma

    if threads:
        import torch

        torch.set_num_threads(threads)
    net = ref.float_net()
    return lambda lr: upscale_luma(net, luma_u8(lr))


def _quant(ref: ModelRef, threads: int | None) -> LumaFn:
    import torch

    from qcsr.fixedpoint.colour import luma_u8
    from qcsr.model.quant_net import QuantQCSRNet

    qnet = QuantQCSRNet.from_quant_model(ref.quant(), "fake")
    qnet.net.double()

    @torch.no_grad()
    def run(lr: np.ndarray) -> np.ndarray:
        y = torch.from_numpy(luma_u8(lr).astype(np.float64))[None, None]
        return qnet.run_fake(y)["y_hr"][0, 0].numpy().astype(np.uint8)  # exact integers 0..255

    return run


def _golden(ref: ModelRef) -> object:
    from qcsr.golden.engine import GoldenEngine

    return GoldenEngine(ref.quant())


def _fast(ref: ModelRef, threads: int | None) -> object:
    from qcsr.golden.fast import FastEngine

    return FastEngine(ref.quant(), threads=threads)


def _luma_of(make: Callable[[ModelRef, int | None], object]) -> Callable[[ModelRef, int | None], LumaFn]:
    def luma(ref: ModelRef, threads: int | None) -> LumaFn:
        from qcsr.fixedpoint.colour import luma_u8

        eng = make(ref, threads)
        return lambda lr: eng.upscale_luma(luma_u8(lr))

    return luma


def _image_of(make: Callable[[ModelRef, int | None], object]) -> Callable[[ModelRef, int | None], ImageFn]:
    return lambda ref, threads: make(ref, threads).upscale


ENGINES: dict[str, Engine] = {e.name: e for e in (
    Engine("float", "the float network in PyTorch (.pt, or the dequantized .q.json)", _float),
    Engine("quant", "PyTorch fake-quant in float64: the golden integers, slowly", _quant, bench=False),
    Engine("golden", "the NumPy integer reference the cores are checked against",
           _luma_of(lambda ref, _t: _golden(ref)), _image_of(lambda ref, _t: _golden(ref))),
    Engine("fast", "the golden integers compiled: int16 kernels and Numba on every core",
           _luma_of(_fast), _image_of(_fast)),
)}  # fmt: skip


def engine(name: str) -> Engine:
    from qcsr.util.errors import QcsrError

    if name not in ENGINES:
        raise QcsrError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    return ENGINES[name]


def engines_help() -> str:
    return "; ".join(f"{e.name}: {e.help}" for e in ENGINES.values())
