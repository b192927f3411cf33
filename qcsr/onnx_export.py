"""`qcsr export MODEL OUT --format onnx`: the float network as a standard ONNX graph that any ONNX runtime
runs (ONNX Runtime, OpenVINO, TensorRT, ...).

The graph is the whole luma pipeline: input `y` (float32, N x 1 x H x W, luma on [0, 255]), output `y_hr`
(float32, N x 1 x 2H x 2W, clipped to [0, 255]; round half up for 8 bits, as `qcsr upscale --engine float`
does). Height, width and batch are dynamic. Operators: Conv (the head, the depthwise and pointwise layers,
the grouped tail and the fixed 5x5 bicubic phase kernels), Relu, Pad (edge: the bicubic's replicated
border), DepthToSpace (CRD: the pixel shuffle), Add, Mul/Div, Clip. Exported with PyTorch's ONNX exporter
(torch.export, opset 18); tests/test_onnx_export.py checks ONNX Runtime against PyTorch on real images.
"""

from __future__ import annotations

import os
from pathlib import Path

from qcsr.util.errors import QcsrError

OPSET = 18
FORMATS = {
    "onnx": "the float network, standard operators (ONNX Runtime, OpenVINO, TensorRT)",
    "qonnx": "the quantized network with QONNX Quant nodes, float32 (FINN, hls4ml, qonnx)",
    "qonnx-f64": "the same, float64 with Conv lowered: exact in qonnx's executor for every model",
}


def _luma_module(net):
    import torch

    class LumaSR(torch.nn.Module):
        """Y on [0, 255] in, HR Y on [0, 255] out (the float network works on Y / 255)."""

        def __init__(self, net) -> None:
            super().__init__()
            self.net = net

        def forward(self, y: torch.Tensor) -> torch.Tensor:
            return torch.clamp(self.net(y / 255.0) * 255.0, 0.0, 255.0)

    return LumaSR(net).eval()


def export_onnx(model, out: str | os.PathLike) -> Path:
    """Write the float network of `model` (a model argument or ModelRef) as ONNX at `out`, atomically."""
    import logging
    import warnings

    import onnx
    import torch

    from qcsr.resolver import open_model
    from qcsr.util.atomic import save_bytes

    ref = open_model(model)
    if ref.is_baseline:
        raise QcsrError(f"{ref.name} is a baseline, not a network: nothing to export")
    net = ref.float_net().float().eval()
    m = _luma_module(net)
    x = torch.full((1, 1, 16, 24), 128.0)
    h, w = torch.export.Dim("h", min=2), torch.export.Dim("w", min=2)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        logging.getLogger("torch.onnx").setLevel(logging.ERROR)
        prog = torch.onnx.export(m, (x,), None, input_names=["y"], output_names=["y_hr"], opset_version=OPSET,
                                 dynamic_shapes={"y": {0: torch.export.Dim("n", min=1), 2: h, 3: w}},
                                 dynamo=True, verbose=False)
    proto = prog.model_proto
    onnx.helper.set_model_props(proto, {
        "qcsr.model": ref.name,
        "qcsr.input": "y: float32 N x 1 x H x W, luma (BT.601) on [0, 255]",
        "qcsr.output": "y_hr: float32 N x 1 x 2H x 2W on [0, 255]; round half up for uint8",
        "qcsr.chroma": "upscale Cb and Cr with bicubic (qcsr's pipeline); the network is luma only",
    })
    proto.producer_name = "qcsr"
    onnx.checker.check_model(proto, full_check=True)
    save_bytes(proto.SerializeToString(), out)
    return Path(out)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise QcsrError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")


def export(model, out: str | os.PathLike, fmt: str) -> Path:
    check_format(fmt)
    if fmt == "onnx":
        return export_onnx(model, out)
    from qcsr.qonnx_export import export_qonnx

    return export_qonnx(model, out, fmt)
