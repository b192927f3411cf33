"""fixedpoint.model_file: the SPEC section 4 manifest round-trips and every corruption is rejected by name."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from qcsr.fixedpoint import bicubic, colour
from qcsr.fixedpoint.format import quantize
from qcsr.fixedpoint.model_file import (
    MANIFEST_FORMAT,
    MANIFEST_VERSION,
    load_quant_model,
    parse_manifest,
    save_quant_model,
    to_manifest,
)
from qcsr.fixedpoint.quant_model import QuantFormats, QuantModel, build_quant_model
from qcsr.model.network import QCSRNet
from qcsr.model.quant_net import QuantQCSRNet, calibrate
from qcsr.util.errors import QcsrError

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def qnet() -> QuantQCSRNet:
    torch.manual_seed(3)
    return calibrate(QCSRNet().eval())


@pytest.fixture(scope="module")
def qmodel(qnet: QuantQCSRNet) -> QuantModel:
    return qnet.export({"degradation": "bicubic", "epochs": 0, "commit": "test"}, {"Set5": {"psnr": 36.0}})


@pytest.fixture()
def manifest(qmodel: QuantModel) -> dict[str, Any]:
    return json.loads(json.dumps(to_manifest(qmodel)))


def rejects(manifest: dict[str, Any], *needles: str) -> str:
    with pytest.raises(QcsrError) as ei:
        parse_manifest(manifest, "m.json")
    msg = str(ei.value)
    assert msg.startswith("m.json: invalid quantized model: field '"), msg
    for n in needles:
        assert n in msg, msg
    return msg


def test_roundtrip_through_file(qmodel: QuantModel, tmp_path: Path) -> None:
    p = tmp_path / "sub" / "model.json"
    save_quant_model(qmodel, p)
    save_quant_model(qmodel, p)  # overwriting is fine
    assert [f.name for f in p.parent.iterdir()] == ["model.json"]  # no temp file left behind
    back = load_quant_model(p)
    assert back.arch == qmodel.arch and back.formats == qmodel.formats
    assert back.provenance == qmodel.provenance and back.metrics == qmodel.metrics
    for a, b in zip(back.layers, qmodel.layers, strict=True):
        assert a.spec == b.spec and a.weight_format == b.weight_format and a.act_format == b.act_format
        assert a.weights.dtype == np.int64 and np.array_equal(a.weights, b.weights)
    obj = json.loads(p.read_text())
    assert obj["format"] == MANIFEST_FORMAT and obj["version"] == MANIFEST_VERSION
    assert obj["arch"] == {"F": 3, "C": 16, "N": 6, "KH": 3, "KW": 3, "G": 4, "scale": 2}
    assert [layer["name"] for layer in obj["layers"]][:3] == ["head", "dw1", "pw1"]
    assert obj["layers"][0]["weights"][0][0][0] == qmodel.layers[0].weights[0, 0, 0].tolist()
    assert obj["bicubic"]["even_taps"] == [-3, 29, 111, -9]
    assert obj["colour"]["rgb_to_ycbcr"] == colour.RGB_TO_YCBCR.tolist()
    text = p.read_text()
    assert re.search(r"^\s*-?\d+,?$", text, re.M) is None  # every innermost integer list sits on one line
    assert max(len(line) for line in text.splitlines()) < 120


def test_weights_match_the_float_model(qnet: QuantQCSRNet, qmodel: QuantModel) -> None:
    for conv, layer in zip(qnet.convs(), qmodel.layers, strict=True):
        w = conv.weight.detach().double().numpy()
        assert layer.weights.shape == w.shape
        assert np.array_equal(layer.weights, quantize(conv.weight.detach().numpy(), layer.weight_format))
        assert np.abs(layer.weights * layer.weight_format.step - w).max() <= layer.weight_format.step / 2
        assert np.abs(layer.weights).max() >= 256  # fw is the largest that fits: the range is used


def test_accumulator_widths_default_formats(qmodel: QuantModel) -> None:
    bits = {layer.name: layer.acc_bits for layer in qmodel.layers}
    assert bits["head"] == 22 and bits["tail"] == 26
    assert all(bits[f"{k}{i}"] == 28 for k in ("dw", "pw") for i in range(1, 7))
    assert max(bits.values()) == 28
    for layer in qmodel.layers:
        assert layer.acc_bound == layer.spec.fan_in * layer.in_format.max_abs * 512


def test_build_rejects_bad_inputs(qmodel: QuantModel) -> None:
    ws = [layer.weights for layer in qmodel.layers]
    with pytest.raises(QcsrError, match="must be an integer"):
        build_quant_model(qmodel.arch, [w + 0.5 for w in ws], qmodel.formats)
    with pytest.raises(QcsrError, match="out of range"):
        build_quant_model(qmodel.arch, [w * 4 for w in ws], qmodel.formats)
    with pytest.raises(QcsrError, match="layers"):
        build_quant_model(qmodel.arch, ws[:-1], qmodel.formats)
    f = qmodel.formats
    with pytest.raises(QcsrError, match=r"layers\[0\] \(head\)\.act_format\.frac"):
        build_quant_model(qmodel.arch, ws, QuantFormats(f.fw, (99,) + f.fa[1:]))


def test_missing_field(manifest: dict[str, Any]) -> None:
    del manifest["layers"][3]["weights"]
    rejects(manifest, "layers[3] (dw2).weights", "missing")


def test_missing_top_level_field(manifest: dict[str, Any]) -> None:
    del manifest["arch"]
    rejects(manifest, "'arch'", "missing")


def test_missing_format_field(manifest: dict[str, Any]) -> None:
    del manifest["layers"][0]["act_format"]["frac"]
    rejects(manifest, "layers[0] (head).act_format.frac", "missing")


def test_wrong_shape(manifest: dict[str, Any]) -> None:
    manifest["layers"][1]["weights"][5][0].pop()
    rejects(manifest, "layers[1] (dw1).weights[5][0]", "wrong shape")


def test_wrong_shape_depth(manifest: dict[str, Any]) -> None:
    manifest["layers"][2]["weights"] = manifest["layers"][2]["weights"][0]
    rejects(manifest, "layers[2] (pw1).weights", "wrong shape")


def test_integer_out_of_range(manifest: dict[str, Any]) -> None:
    manifest["layers"][4]["weights"][0][0][0][0] = 512
    rejects(manifest, "layers[4] (pw2).weights[0][0][0][0]", "out of range [-512, 511]")


def test_width_out_of_range(manifest: dict[str, Any]) -> None:
    manifest["layers"][0]["weight_format"]["bits"] = 40
    rejects(manifest, "layers[0] (head).weight_format.bits", "out of range")


def test_unknown_version(manifest: dict[str, Any]) -> None:
    manifest["version"] = 2
    rejects(manifest, "'version'", "unknown version 2")


def test_wrong_format_tag(manifest: dict[str, Any]) -> None:
    manifest["format"] = "qcsr-float-model"
    rejects(manifest, "'format'", MANIFEST_FORMAT)


def test_inconsistent_shift(manifest: dict[str, Any]) -> None:
    manifest["layers"][5]["shift"] += 1
    rejects(manifest, "layers[5] (dw3).shift", "inconsistent shift")


def test_fraction_out_of_range(manifest: dict[str, Any]) -> None:
    manifest["layers"][6]["act_format"]["frac"] = 200
    rejects(manifest, "layers[6] (pw3).act_format.frac", "out of range")


def test_absurd_shift(manifest: dict[str, Any]) -> None:
    # consistent fractions that need a right shift beyond 48 bits: everything would round to zero
    fa_head = manifest["layers"][0]["act_format"]["frac"]
    layer = manifest["layers"][1]
    layer["weight_format"]["frac"] = 32
    layer["act_format"]["frac"] = -16
    layer["shift"] = fa_head + 32 + 16
    rejects(manifest, "layers[1] (dw1).shift", "outside [-16, 48]")


def test_wrong_residual_alignment(manifest: dict[str, Any]) -> None:
    manifest["residual"]["align_frac"] += 1
    rejects(manifest, "residual.align_frac")


def test_wrong_bicubic_constants(manifest: dict[str, Any]) -> None:
    manifest["bicubic"]["even_taps"] = [-3, 29, 110, -8]
    rejects(manifest, "bicubic.even_taps", str(list(bicubic.EVEN_TAPS)))


def test_wrong_colour_constants(manifest: dict[str, Any]) -> None:
    manifest["colour"]["ycbcr_to_rgb"][0][0] += 1
    rejects(manifest, "colour.ycbcr_to_rgb")


def test_non_integer_weight(manifest: dict[str, Any]) -> None:
    manifest["layers"][13]["weights"][1][2][0][0] = 1.5
    rejects(manifest, "layers[13] (tail).weights[1][2][0][0]", "must be an integer")


def test_integral_float_and_bool_are_not_integers(manifest: dict[str, Any]) -> None:
    m2 = copy.deepcopy(manifest)
    manifest["layers"][0]["weights"][0][0][0][0] = 3.0
    rejects(manifest, "layers[0] (head).weights[0][0][0][0]", "must be an integer")
    m2["arch"]["C"] = True
    rejects(m2, "arch.C", "must be an integer")


def test_wrong_signedness(manifest: dict[str, Any]) -> None:
    manifest["layers"][2]["act_format"]["signed"] = True
    rejects(manifest, "layers[2] (pw1).act_format.signed", "unsigned after ReLU")


def test_inconsistent_arch(manifest: dict[str, Any]) -> None:
    manifest["arch"]["G"] = 3
    rejects(manifest, "'arch'", "G=3")


def test_layer_count_and_geometry(manifest: dict[str, Any]) -> None:
    m2 = copy.deepcopy(manifest)
    manifest["layers"].pop()
    rejects(manifest, "'layers'", "expected 14 layers")
    m2["layers"][1]["groups"] = 1
    rejects(m2, "layers[1] (dw1).groups")


def test_inconsistent_accumulator_width(manifest: dict[str, Any]) -> None:
    manifest["layers"][1]["acc_bits"] = 24
    rejects(manifest, "layers[1] (dw1).acc_bits", "28")


def test_bad_metrics_type(manifest: dict[str, Any]) -> None:
    manifest["metrics"] = [1, 2]
    rejects(manifest, "'metrics'", "must be an object")


@pytest.mark.parametrize(
    "write, needle",
    [
        (lambda p: p.write_text("{not json"), "invalid JSON"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00"), "invalid JSON"),
        (lambda p: p.write_text("[1, 2]"), "must be a JSON object"),
    ],
)
def test_unreadable_files(tmp_path: Path, write: Callable[[Path], Any], needle: str) -> None:
    p = tmp_path / "bad.json"
    write(p)
    with pytest.raises(QcsrError, match=needle):
        load_quant_model(p)
    with pytest.raises(QcsrError, match="not found"):
        load_quant_model(tmp_path / "missing.json")
