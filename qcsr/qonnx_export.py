"""`qcsr export MODEL OUT --format qonnx`: the quantized network as a QONNX graph (FINN, hls4ml, qonnx).

The graph is the golden engine's luma pipeline, integer for integer (SPEC section 3):

- input `y` (N x 1 x H x W, luma codes 0..255) through `Quant` (scale 1, 8 bits unsigned: the identity on codes);
- per layer: `Quant` on the weights (scale 2^-fw, `bits` signed, ROUND: the identity on our integer weights),
  `Conv` (head; depthwise with group = C; pointwise; the grouped tail) whose bias is half an output LSB
  (2^-(fa+1)), then `Quant` with scale 2^-fa, 14 bits, the layer's signedness and FLOOR: SPEC's
  sat(round_half_up(acc >> s)) exactly. QONNX's own HALF_UP rounds half away from zero (not SPEC's half
  up for negative accumulators), so the half is added explicitly and the Quant floors. An unsigned Quant
  is the ReLU and the saturation at once; a layer with s <= 0 (an exact left shift) has no bias;
- the pixel shuffle as `DepthToSpace` (DCR: channel 2 dy + dx, the golden `pixel_shuffle`);
- the fixed bicubic Y_N as `Pad` (edge) + a 5x5 `Conv` with the four phase kernels (outer products of the
  7-fraction-bit taps, scale 2^-14) + `DepthToSpace`;
- the residual `Add`, `Add` 0.5 and `Quant` (scale 1, 8 bits unsigned, FLOOR): clip(round_half_up(.)).

Precision. Every tensor holds a multiple of a power of two, so a float executor is exact as long as each
value and each partial sum fits the significand: float32 holds integers below 2^24. The bicubic (< 2^23),
the head (< 2^21) and the residual sum (< 2^24 for fa_tail <= 14) always do; a conv accumulator of the
inner layers is bounded only by 2^27 (`QuantLayer.acc_bound`), so the float32 graph is exact where the
measured accumulators stay below 2^24 (docs/interop.md gives the shipped models' peaks) and can differ
in the last code elsewhere. `--format qonnx-f64` writes the same graph in float64 with each Conv lowered to
standard operators ONNX Runtime runs in double (Slice taps + Mul/Sum for depthwise, MatMul for the head
and the 1x1 layers; ONNX Runtime has no double Conv) and a Cast to double after each Quant (qonnx's Quant
returns float32, exact for its codes): exact for every model the format allows.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qcsr.fixedpoint.bicubic import BICUBIC_FRAC_BITS, PHASE_TAPS_5
from qcsr.fixedpoint.quant_model import BICUBIC_FRAC, OUTPUT_FORMAT, QuantLayer, QuantModel

QONNX_DOMAIN = "qonnx.custom_op.general"
OPSET = 13
IR_VERSION = 8  # ONNX 1.10+; what ONNX Runtime, qonnx and hls4ml all read
PRECISIONS = {"qonnx": "float32", "qonnx-f64": "float64"}
FLOAT32_EXACT = 1 << 24  # integers a float32 holds exactly (significand 24 bits)


class _Graph:
    """Nodes and initializers of one graph under construction; names are made unique here."""

    def __init__(self, dtype: str) -> None:
        from onnx import TensorProto

        self.np_dtype = np.dtype(dtype)
        self.elem = TensorProto.DOUBLE if dtype == "float64" else TensorProto.FLOAT
        self.nodes: list = []
        self.inits: list = []
        self._n = 0

    def name(self, stem: str) -> str:
        self._n += 1
        return f"{stem}_{self._n}"

    def const(self, stem: str, value, dtype=None) -> str:
        from onnx import numpy_helper

        arr = np.asarray(value, dtype=dtype or self.np_dtype)
        name = self.name(stem)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def node(self, op: str, inputs: list[str], stem: str, domain: str = "", **attrs) -> str:
        from onnx import helper

        out = self.name(stem)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, domain=domain, **attrs))
        return out

    def quant(self, x: str, scale: float, bits: int, signed: bool, rounding: str, stem: str) -> str:
        """QONNX Quant: clip(rounding(x / scale), range of `bits`) * scale, zero point 0, not narrow."""
        ins = [x, self.const(f"{stem}_scale", scale), self.const(f"{stem}_zeropt", 0.0),
               self.const(f"{stem}_bits", float(bits))]
        q = self.node("Quant", ins, stem, domain=QONNX_DOMAIN, signed=int(signed), narrow=0, rounding_mode=rounding)
        if self.np_dtype == np.float64:  # qonnx's Quant returns float32 (exact: a code times 2^-frac)
            q = self.node("Cast", [q], f"{stem}_f64", to=self.elem)
        return q

    def shifted(self, xp: str, dy: int, dx: int, ph: int, pw: int) -> str:
        """The (dy, dx) tap of a padded tensor: xp[:, :, dy : dy + H, dx : dx + W] with dynamic H, W."""
        big = np.iinfo(np.int64).max
        ends = [dy - 2 * ph if dy < 2 * ph else big, dx - 2 * pw if dx < 2 * pw else big]
        return self.node("Slice", [xp, self.const("starts", [dy, dx], np.int64), self.const("ends", ends, np.int64),
                                   self.const("axes", [2, 3], np.int64)], "tap")


def _conv(g: _Graph, x: str, weights: np.ndarray, scale: float, lay: QuantLayer, lowered: bool, half: float) -> str:
    """The layer's exact accumulator plus `half` (times 2^-acc_frac): a Conv whose bias is the rounding half, or
    in float64 its lowering and an Add."""
    spec = lay.spec
    ph, pw = spec.kh // 2, spec.kw // 2
    wf = weights.astype(np.float64) * scale
    w = g.quant(g.const(f"{spec.name}_w", wf), scale, lay.weight_format.bits, True, "ROUND", f"{spec.name}_wq")
    if not lowered:
        ins = [x, w] + ([g.const(f"{spec.name}_half", np.full(spec.out_channels, half))] if half else [])
        return g.node("Conv", ins, f"{spec.name}_conv", group=spec.groups, kernel_shape=[spec.kh, spec.kw],
                      pads=[ph, pw, ph, pw], strides=[1, 1], dilations=[1, 1])
    acc = _lowered_conv(g, x, w, weights, scale, lay)
    return g.node("Add", [acc, g.const("half", half)], f"{spec.name}_round") if half else acc


def _lowered_conv(g: _Graph, x: str, w: str, weights: np.ndarray, scale: float, lay: QuantLayer) -> str:
    """Conv in standard operators ONNX Runtime runs in double."""
    spec = lay.spec
    ph, pw = spec.kh // 2, spec.kw // 2
    xp = x
    if ph or pw:
        xp = g.node("Pad", [x, g.const("pads", [0, 0, ph, pw, 0, 0, ph, pw], np.int64)], f"{spec.name}_pad",
                    mode="constant")
    taps = [(dy, dx) for dy in range(spec.kh) for dx in range(spec.kw)]
    if spec.groups == spec.in_channels == spec.out_channels and spec.in_channels > 1:  # depthwise
        terms = [g.node("Mul", [g.shifted(xp, dy, dx, ph, pw), g.node("Reshape", [
                     g.node("Slice", [w, g.const("s", [dy, dx], np.int64), g.const("e", [dy + 1, dx + 1], np.int64),
                                      g.const("a", [2, 3], np.int64)], "wtap"),
                     g.const("shape", [1, spec.out_channels, 1, 1], np.int64)], "wtap_r")], "prod")
                 for dy, dx in taps]  # fmt: skip
        return g.node("Sum", terms, f"{spec.name}_acc") if len(terms) > 1 else terms[0]
    if spec.in_channels == 1:  # the head: im2col of the taps, then one MatMul
        cols = g.node("Concat", [g.shifted(xp, dy, dx, ph, pw) for dy, dx in taps], "im2col", axis=1) \
            if len(taps) > 1 else xp
        wmat = g.node("Transpose", [g.node("Reshape", [w, g.const("shape", [spec.out_channels, len(taps)], np.int64)],
                                           "wflat")], "wmat", perm=[1, 0])
    elif spec.kh == spec.kw == 1:  # pointwise / grouped 1x1: a dense (C_in, C_out) matrix, zero across groups
        cols = x
        dense = np.zeros((spec.in_channels, spec.out_channels))
        cin_g, cout_g = spec.in_channels // spec.groups, spec.out_channels // spec.groups
        for o in range(spec.out_channels):
            base = (o // cout_g) * cin_g
            dense[base : base + cin_g, o] = weights[o, :, 0, 0]
        wmat = g.quant(g.const(f"{spec.name}_wd", dense * scale), scale, lay.weight_format.bits, True, "ROUND",
                       f"{spec.name}_wdq")
    else:
        raise ValueError(f"{spec.name}: no float64 lowering for a {spec.kh}x{spec.kw} conv with groups={spec.groups}")
    rows = g.node("Transpose", [cols], "nhwc", perm=[0, 2, 3, 1])
    return g.node("Transpose", [g.node("MatMul", [rows, wmat], f"{spec.name}_mm")], f"{spec.name}_acc",
                  perm=[0, 3, 1, 2])


def _densified(lay: QuantLayer) -> QuantLayer:
    """A grouped 1x1 layer as the dense 1x1 layer with zero weights across groups (identical integers)."""
    from dataclasses import replace

    spec = lay.spec
    dense = np.zeros((spec.out_channels, spec.in_channels, 1, 1), dtype=lay.weights.dtype)
    cin_g, cout_g = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    for o in range(spec.out_channels):
        base = (o // cout_g) * cin_g
        dense[o, base : base + cin_g] = lay.weights[o]
    return replace(lay, spec=replace(spec, groups=1), weights=dense)


def build_qonnx(qm: QuantModel, precision: str = "float32", cnn_only: bool = False, dense_tail: bool = False):
    """The QONNX ModelProto of `qm` (luma in, luma out; dynamic N, H, W). `cnn_only`: stop at the tail's codes
    (output `tail`, N x 4 x H x W, scale 2^-fa_tail), the part hls4ml converts; `dense_tail`: the grouped tail
    as a dense Conv with zero weights across groups (the same integers, for converters without grouped
    convolution)."""
    from onnx import TensorProto, helper

    if precision not in ("float32", "float64"):
        raise ValueError(f"precision must be float32 or float64, got {precision!r}")
    lowered = precision == "float64"
    g = _Graph(precision)
    fin = qm.input_format
    y = g.quant("y", 2.0 ** -fin.frac, fin.bits, fin.signed, "ROUND", "y_q")
    x = y
    for lay in qm.layers:
        fa = lay.act_format
        if dense_tail and lay.spec.kind == "tail" and lay.spec.groups > 1:
            lay = _densified(lay)
        half = 2.0 ** -(fa.frac + 1) if lay.shift > 0 else 0.0  # round half up: + half an output LSB, then floor
        acc = _conv(g, x, lay.weights, 2.0 ** -lay.weight_format.frac, lay, lowered, half)
        x = g.quant(acc, 2.0 ** -fa.frac, fa.bits, fa.signed, "FLOOR", f"{lay.name}_act")
    if cnn_only:
        g.nodes[-1].output[0] = "tail"
        tail = helper.make_tensor_value_info("tail", g.elem, ["n", qm.arch.out_channels, "h", "w"])
        return _model(helper.make_graph(g.nodes, "qcsr_cnn", [_input(g)], [tail], g.inits))
    res = g.node("DepthToSpace", [x], "residual_hr", blocksize=2, mode="DCR")
    taps = np.array(PHASE_TAPS_5, np.float64)
    kern = np.stack([np.outer(taps[dy], taps[dx]) for dy in range(2) for dx in range(2)])[:, None]
    kern *= 2.0 ** -BICUBIC_FRAC
    assert BICUBIC_FRAC == 2 * BICUBIC_FRAC_BITS
    yp = g.node("Pad", [y, g.const("pads", [0, 0, 2, 2, 0, 0, 2, 2], np.int64)], "bicubic_pad", mode="edge")
    if lowered:
        phases = g.node("Concat", [g.shifted(yp, dy, dx, 2, 2) for dy in range(5) for dx in range(5)], "bic_cols",
                        axis=1)
        wmat = g.const("bicubic_w", kern.reshape(4, 25).T)
        mm = g.node("MatMul", [g.node("Transpose", [phases], "nhwc", perm=[0, 2, 3, 1]), wmat], "bicubic_mm")
        phases = g.node("Transpose", [mm], "bicubic_phases", perm=[0, 3, 1, 2])
    else:
        phases = g.node("Conv", [yp, g.const("bicubic_w", kern)], "bicubic_phases", kernel_shape=[5, 5],
                        pads=[0, 0, 0, 0], strides=[1, 1], dilations=[1, 1])
    bic = g.node("DepthToSpace", [phases], "bicubic", blocksize=2, mode="DCR")
    total = g.node("Add", [g.node("Add", [bic, res], "residual_add"), g.const("half", 0.5)], "out_round")
    out = OUTPUT_FORMAT
    g.nodes.append(helper.make_node("Quant", [total, g.const("out_scale", 2.0 ** -out.frac),
                                              g.const("out_zeropt", 0.0), g.const("out_bits", float(out.bits))],
                                    ["y_hr"], name="y_hr", domain=QONNX_DOMAIN, signed=int(out.signed), narrow=0,
                                    rounding_mode="FLOOR"))
    y_hr = helper.make_tensor_value_info("y_hr", TensorProto.FLOAT, ["n", 1, "h2", "w2"])  # qonnx's Quant: float32
    return _model(helper.make_graph(g.nodes, "qcsr_luma", [_input(g)], [y_hr], g.inits))


def _input(g: _Graph):
    from onnx import helper

    return helper.make_tensor_value_info("y", g.elem, ["n", 1, "h", "w"])


def _model(graph):
    from onnx import helper

    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(QONNX_DOMAIN, 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="qcsr", ir_version=IR_VERSION)


def export_qonnx(model, out: str | os.PathLike, fmt: str = "qonnx") -> Path:
    """Write the quantized network of `model` (a model argument or ModelRef) as QONNX at `out`, atomically."""
    from onnx import helper

    from qcsr.resolver import open_model
    from qcsr.util.atomic import save_bytes
    from qcsr.util.errors import QcsrError

    ref = open_model(model)
    if ref.is_baseline:
        raise QcsrError(f"{ref.name} is a baseline, not a network: nothing to export")
    qm = ref.quant()
    proto = build_qonnx(qm, PRECISIONS[fmt])
    helper.set_model_props(proto, {
        "qcsr.model": ref.name,
        "qcsr.precision": PRECISIONS[fmt],
        "qcsr.input": "y: N x 1 x H x W luma codes 0..255 (BT.601, qcsr.fixedpoint.colour)",
        "qcsr.output": "y_hr: N x 1 x 2H x 2W luma codes 0..255, the golden engine's integers",
        "qcsr.chroma": "upscale Cb and Cr with the fixed bicubic (qcsr's pipeline); the network is luma only",
    })  # fmt: skip
    save_bytes(proto.SerializeToString(), out)
    return Path(out)


@contextmanager
def _ort_readable_node_models():
    """qonnx 1.0 wraps each standard node in a model of onnx's newest IR version (14 with onnx 1.23), newer
    than ONNX Runtime 1.31 reads (13): give those per-node models the graph's IR version instead."""
    import qonnx.core.onnx_exec as onnx_exec

    make = onnx_exec.qonnx_make_model

    def make_readable(graph, **kwargs):
        kwargs.setdefault("ir_version", IR_VERSION)
        return make(graph, **kwargs)

    onnx_exec.qonnx_make_model = make_readable
    try:
        yield
    finally:
        onnx_exec.qonnx_make_model = make


def execute(proto, y: np.ndarray) -> np.ndarray:
    """Run the graph with qonnx's `execute_onnx` (Quant in NumPy, standard nodes in ONNX Runtime) on one
    uint8 luma frame (H, W); returns the uint8 (2H, 2W) output."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    m = ModelWrapper(proto.SerializeToString())
    h, w = y.shape
    m.set_tensor_shape("y", [1, 1, h, w])
    m.set_tensor_shape("y_hr", [1, 1, 2 * h, 2 * w])
    m = m.transform(InferShapes())
    dtype = np.float64 if proto.graph.input[0].type.tensor_type.elem_type == 11 else np.float32
    with _ort_readable_node_models():
        out = execute_onnx(m, {"y": y.astype(dtype)[None, None]})["y_hr"][0, 0]
    codes = np.rint(out).astype(np.int64)
    if not np.array_equal(codes, out) or codes.min() < 0 or codes.max() > 255:
        raise AssertionError("QONNX output is not a uint8 code")
    return codes.astype(np.uint8)


def accumulator_peaks(qm: QuantModel, lumas) -> dict[str, int]:
    """Per layer of `qm`, the largest sum of |weight x input| over the uint8 luma frames `lumas` (units of the
    layer's accumulator LSB): a bound on every partial sum in any order, so where each is below 2^24 a
    float32 Conv is exact however the executor orders its additions."""
    from qcsr.golden.engine import GoldenEngine

    peaks: dict[str, int] = {lay.name: 0 for lay in qm.layers}

    class Probe(GoldenEngine):
        def _conv(self, lay, x):
            spec = lay.layer.spec
            ph, pw = spec.kh // 2, spec.kw // 2
            ax = np.abs(np.pad(x, ((0, 0), (0, 0), (pw, pw))) if pw else x).astype(np.int64)
            rows, width = ax.shape[1] - 2 * ph, ax.shape[2] - 2 * pw
            total = np.zeros((spec.out_channels, rows, width), np.int64)
            for t in lay.taps:
                total += ax[t.src, t.dy : t.dy + rows, t.dx : t.dx + width] * np.abs(t.w)
            peaks[spec.name] = max(peaks[spec.name], int(total.max(initial=0)))
            return super()._conv(lay, x)

    probe = Probe(qm)
    for y in lumas:
        probe.cnn(y)
    return peaks
