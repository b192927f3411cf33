"""hls4ml as a peer implementation: the QONNX graph of the CNN (`build_qonnx(cnn_only=True)`) converted by
hls4ml (ONNX frontend, io_stream, Vitis backend), its C simulation built with g++ (`compile()`) and its
output compared with the golden engine's tail codes, np.array_equal.

hls4ml (a dev dependency) converts what its ONNX frontend knows: Quant, Conv (dense and depthwise), Pad with
zeros. Not converted, and computed here by the golden model instead: the grouped tail as such (hls4ml
accepts a grouped Conv only as depthwise; the tail is exported dense with zero weights across groups, the
same integers), and the pixel shuffle, the edge-padded bicubic and the residual add (no DepthToSpace and no
edge Pad in its frontend). `make interop` writes the comparison to docs/interop.md.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

import numpy as np

from qcsr.fixedpoint.quant_model import QuantModel
from qcsr.qonnx_export import build_qonnx

DEFAULT_PRECISION = "fixed<48,24>"  # only for tensors the graph leaves unspecified (the input and the biases)


def convert(qm: QuantModel, h: int, w: int, out_dir: Path):
    """hls4ml's model of `qm`'s CNN for (h, w) luma frames (hls4ml sizes are compile-time), C simulation built."""
    import hls4ml
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
    from qonnx.util.cleanup import cleanup_model

    m = ModelWrapper(build_qonnx(qm, "float32", cnn_only=True, dense_tail=True).SerializeToString())
    m.set_tensor_shape("y", [1, 1, h, w])
    m.set_tensor_shape("tail", [1, qm.arch.out_channels, h, w])
    quiet = contextlib.redirect_stdout(io.StringIO())
    with warnings.catch_warnings(), quiet:
        warnings.simplefilter("ignore")
        logging.getLogger("hls4ml").setLevel(logging.ERROR)
        m = cleanup_model(m).transform(ConvertToChannelsLastAndClean())
        m = cleanup_model(m)
        cfg = hls4ml.utils.config.config_from_onnx_model(m, granularity="name", backend="Vitis",
                                                         default_precision=DEFAULT_PRECISION)
        hm = hls4ml.converters.convert_from_onnx_model(m, output_dir=str(out_dir), io_type="io_stream",
                                                       backend="Vitis", hls_config=cfg)
        hm.compile()
    return hm


def tail_codes(hm, y: np.ndarray, qm: QuantModel) -> np.ndarray:
    """hls4ml's tail output for the uint8 luma frame `y`, as integer codes (C, H, W)."""
    h, w = y.shape
    with contextlib.redirect_stdout(io.StringIO()):
        out = np.asarray(hm.predict(np.ascontiguousarray(y.astype(np.float32).reshape(1, h, w, 1))))
    codes = out.reshape(qm.arch.out_channels, h, w).astype(np.float64) * 2.0 ** qm.layers[-1].act_format.frac
    ints = np.rint(codes)
    if not np.array_equal(ints, codes):
        raise AssertionError("hls4ml output is not on the tail's grid")
    return ints.astype(np.int64)


def generated_summary(out_dir: Path) -> dict[str, str]:
    """What hls4ml generated, read from its project (firmware/parameters.h, myproject.cpp)."""
    fw = Path(out_dir) / "firmware"
    params = (fw / "parameters.h").read_text()
    top = (fw / "myproject.cpp").read_text()
    lines = [ln for ln in top.splitlines() if "nnet::" in ln and "load_weights" not in ln]
    calls = [ln.split("nnet::")[1].split("<")[0] for ln in lines]

    def values(key: str) -> list[str]:
        return sorted({ln.split("=")[1].strip().rstrip(";") for ln in params.splitlines() if key in ln})

    impl, strategy = values("conv_implementation implementation ="), values("strategy =")
    reuse = sorted(set(map(int, values("reuse_factor ="))))
    return {
        "processes": ", ".join(dict.fromkeys(calls)),
        "conv implementation": ", ".join(impl),
        "reuse factor": ", ".join(map(str, reuse)),
        "strategy": ", ".join(strategy),
        "dataflow": "yes" if "#pragma HLS DATAFLOW" in top else "no",
    }
