"""Torch fake-quant (float64) == NumPy golden on every tensor; quantize/eval/golden/bench CLIs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from qcsr.cli import main
from qcsr.fixedpoint.colour import rgb_to_y
from qcsr.fixedpoint.model_file import load_quant_model, save_quant_model
from qcsr.fixedpoint.quant_model import QuantModel
from qcsr.golden.config_packet import config_words, parse_config_words, residual_shifts
from qcsr.golden.engine import GoldenEngine
from qcsr.golden.vectors import adversarial_inputs, read_array, read_index, real_inputs, stress_model
from qcsr.model import ZOO
from qcsr.model.checkpoint import save_model
from qcsr.model.network import QCSRNet
from qcsr.model.quant_net import QuantQCSRNet, calibrate
from qcsr.pipeline import image_upscaler

torch.set_num_threads(1)
INPUTS = {**real_inputs(), **adversarial_inputs()}


def fake_trace_codes(qm: QuantModel, y: np.ndarray) -> dict[str, np.ndarray]:
    """The float64 fake-quant forward of the torch model, every tensor turned back into integer codes."""
    q = QuantQCSRNet.from_quant_model(qm, "fake")
    q.net.double()
    with torch.no_grad():
        out = q.run_fake(torch.from_numpy(y.astype(np.float64))[None, None])
    frac = {lay.name: lay.act_format.frac for lay in qm.layers}
    frac.update(input=0, bicubic=14, y_hr=0, residual_hr=qm.layers[-1].act_format.frac)
    codes = {}
    for k, v in out.items():
        scaled = v[0].numpy() * 2.0 ** frac[k]
        assert np.array_equal(scaled, np.round(scaled)), f"{k} is not on its integer grid"
        codes[k] = scaled.astype(np.int64)
    return codes


@pytest.fixture(scope="module")
def models() -> dict[str, QuantModel]:
    torch.manual_seed(3)
    net = QCSRNet().eval()
    qm = calibrate(net).export({"source": "random"}, {})
    out = {"random": qm, "stress": stress_model(qm)}
    for name in ("qcsr_x2_bicubic", "qcsr_x2_proposed"):
        if (ZOO / f"{name}.q.json").is_file():
            out[name] = load_quant_model(ZOO / f"{name}.q.json")
    return out


@pytest.mark.parametrize("img", list(INPUTS), ids=list(INPUTS))
@pytest.mark.parametrize("which", ["random", "stress", "qcsr_x2_bicubic", "qcsr_x2_proposed"])
def test_fake_quant_equals_golden_on_every_tensor(models, which, img):
    if which not in models:
        pytest.skip(f"{which}.q.json not shipped")
    y = rgb_to_y(INPUTS[img])
    trace: dict[str, np.ndarray] = {}
    GoldenEngine(models[which]).upscale_luma(y, trace)
    fake = fake_trace_codes(models[which], y)
    assert set(fake) == set(trace) - {"ycbcr_lr", "ycbcr_hr", "rgb_hr"}
    for k, v in fake.items():
        assert np.array_equal(v, trace[k]), k


def test_stress_model_saturates(models):
    """The stress vectors exercise saturation in most layers, signed (dw) and unsigned (pw) alike."""
    fmts = {lay.name: lay.act_format for lay in models["stress"].layers}
    sat: set[str] = set()
    for img in ("checker1_24x16", "saltpepper_24x16", "noise_rgb_20x14", "ones255_16x12"):
        trace: dict[str, np.ndarray] = {}
        GoldenEngine(models["stress"]).upscale_luma(rgb_to_y(INPUTS[img]), trace)
        sat |= {k for k, f in fmts.items() if trace[k].max() == f.max_int or trace[k].min() == f.min_int}
    assert len(sat) >= 9 and any(k.startswith("dw") for k in sat) and any(k.startswith("pw") for k in sat), sat


@pytest.mark.datasets
def test_fake_quant_equals_golden_on_set5(datasets, models):
    from qcsr.evaluate import make_lr
    from qcsr.fixedpoint.colour import luma_u8
    from qcsr.util.imaging import list_images, load_image, modcrop

    shipped = [k for k in models if k.startswith("qcsr")]
    if not shipped:
        pytest.skip("no shipped quantized model")
    for f in list_images(datasets / "Set5"):
        y = luma_u8(make_lr(modcrop(load_image(f)), "clean"))
        for k in shipped:
            trace: dict[str, np.ndarray] = {}
            GoldenEngine(models[k]).upscale_luma(y, trace)
            for name, v in fake_trace_codes(models[k], y).items():
                assert np.array_equal(v, trace[name]), (f.name, k, name)


def test_engines_agree_on_whole_images(models, tmp_path):
    path = tmp_path / "m.q.json"
    save_quant_model(models["random"], path)
    for img in (INPUTS["astronaut_48x32"], INPUTS["odd_7x5"], rgb_to_y(INPUTS["coffee_33x17"])):
        gold = image_upscaler(str(path), "golden")(img)
        quant = image_upscaler(str(path), "quant")(img)
        assert gold.dtype == np.uint8 and np.array_equal(gold, quant)


def test_config_packet_round_trip(models):
    qm = models["random"]
    words = config_words(qm, 33, 17)
    assert words.dtype == np.uint32 and len(words) == 12 + 14 + 2560 + 3
    pkt = parse_config_words(words, qm)
    assert (pkt.width, pkt.height) == (33, 17)
    assert pkt.shifts == tuple(lay.shift for lay in qm.layers)
    for w, lay in zip(pkt.weights, qm.layers, strict=True):
        assert np.array_equal(w, lay.weights.reshape(-1))
    assert (pkt.yn_lshift, pkt.res_lshift, pkt.out_shift) == residual_shifts(qm)


# --- CLIs ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def train_data(tmp_path_factory, camera, astronaut) -> Path:
    root = tmp_path_factory.mktemp("data")
    for folder in ("T91", "BSD200"):
        (root / folder).mkdir()
        Image.fromarray(camera[:200, :240]).save(root / folder / "camera.png")
        Image.fromarray(astronaut[100:300, 50:250]).save(root / folder / "astro.png")
    return root


def test_quantize_cli_with_qat(tmp_path, train_data, capsys):
    torch.manual_seed(0)
    net = QCSRNet()
    fpath, qpath = tmp_path / "f.pt", tmp_path / "f.q.json"
    save_model(net, fpath, {"degradation": "proposed"})
    code = main(["quantize", "--model", str(fpath), "--out", str(qpath), "--data", str(train_data),
                 "--qat-steps", "2", "--passes", "1", "--threads", "1"])  # fmt: skip
    out = capsys.readouterr()
    assert code == 0, out.err
    qm = load_quant_model(qpath)
    assert qm.provenance["degradation"] == "proposed" and qm.provenance["quantization"]["qat_steps"] == 2
    assert "golden" in qm.metrics["validation_psnr"]
    assert "validation PSNR" in out.out


def test_quantize_rejects_non_model(tmp_path, capsys):
    bad = tmp_path / "x.pt"
    bad.write_text("nope")
    out = tmp_path / "o.q.json"
    assert main(["quantize", "--model", str(bad), "--out", str(out)]) == 2
    assert "not a qcsr model" in capsys.readouterr().err and not out.exists()


def test_eval_golden_engine_rejects_float_file(tmp_path, train_data, capsys):
    fpath = tmp_path / "f.pt"
    save_model(QCSRNet(), fpath, {})
    code = main(["eval", "--model", str(fpath), "--engine", "golden", "--data", str(train_data), "--sets", "T91"])
    assert code == 2 and "quantized model" in capsys.readouterr().err


def test_golden_cli_writes_images_table_and_vectors(tmp_path, models, capsys):
    qpath = tmp_path / "m.q.json"
    save_quant_model(models["random"], qpath)
    out = tmp_path / "g"
    code = main(["golden", "--model", str(qpath), "--out", str(out), "--data", str(tmp_path / "none")])
    text = capsys.readouterr().out
    assert code == 0
    assert (out / "default" / "astronaut_x2.png").is_file() and (out / "results.md").is_file()
    assert "HLS/RTL test vectors" in text and str(out) in text
    idx = read_index(out / "vectors")
    kinds = {v["kind"] for v in idx["vectors"]}
    assert kinds == {"real", "adversarial"} and {v["model"] for v in idx["vectors"]} >= {"proposed", "stress"}
    sizes = {(v["width"], v["height"]) for v in idx["vectors"]}
    assert (2, 2) in sizes and any(w % 2 for w, _ in sizes)
    for v in idx["vectors"][:4]:
        d = out / "vectors" / v["name"]
        rgb = read_array(d, v["files"]["input_rgb"])
        expect = GoldenEngine(models["random"]).upscale(np.ascontiguousarray(rgb))
        assert np.array_equal(read_array(d, v["files"]["output_rgb"]), expect)
        pkt = parse_config_words(read_array(d, v["files"]["cfg"]), models["random"])
        assert (pkt.width, pkt.height) == (v["width"], v["height"])


def test_bench_rows(monkeypatch, tmp_path, models):
    import qcsr.bench as bench

    qpath = tmp_path / "m.q.json"
    save_quant_model(models["random"], qpath)
    monkeypatch.setattr(bench, "FRAME_W", 64)
    monkeypatch.setattr(bench, "FRAME_H", 36)
    monkeypatch.setattr(bench, "MIN_SECONDS", 0.0)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "hw.json").write_text(json.dumps([{"engine": "HLS csim", "what": "x", "seconds_per_frame": 2.0}]))
    rows = bench.run_bench(str(qpath), repeat=1, extra_dir=extra, extras=False)  # no peak, process, video rows
    engines = [r["engine"] for r in rows]
    assert any(e.startswith("golden") for e in engines) and any(e.startswith("float PyTorch") for e in engines)
    assert engines[-1] == "HLS csim" and all(r["seconds_per_frame"] > 0 for r in rows)
    md = bench.bench_markdown(rows, "m")
    assert "| HLS csim | x | 2.000 | 0.50 |" in md and "Golden engine / float PyTorch" in md


@pytest.mark.parametrize("corrupt", ["truncated", "out_of_range", "not_json"])
def test_cli_rejects_bad_quantized_model(corrupt, tmp_path, models, camera, capsys):
    good = tmp_path / "good.q.json"
    save_quant_model(models["random"], good)
    bad = tmp_path / "bad.q.json"
    text = good.read_text()
    if corrupt == "truncated":
        bad.write_text(text[: len(text) // 2])
    elif corrupt == "out_of_range":
        obj = json.loads(text)
        obj["layers"][2]["weights"][0][0][0][0] = 4096
        bad.write_text(json.dumps(obj))
    else:
        bad.write_bytes(b"\x00\x01binary")
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(camera[:16, :16]).save(src)
    code = main(["upscale", str(src), str(dst), "--model", str(bad), "--engine", "golden"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2 and len(err) == 1 and err[0].startswith("qcsr: error:") and "bad.q.json" in err[0], err
    assert not dst.exists()
