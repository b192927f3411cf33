"""End-to-end CLI tests on skimage images (always) and on Set5 (when ../shared/datasets exists)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from qcsr.cli import main
from qcsr.model import ZOO
from qcsr.model.checkpoint import load_model, save_model
from qcsr.model.network import QCSRNet


@pytest.fixture(scope="module")
def image_sets(tmp_path_factory, camera, astronaut) -> Path:
    """A data folder with two tiny 'sets' and a 'training' layout, all from skimage images."""
    root = tmp_path_factory.mktemp("data")
    crops = {
        "camera.png": camera[100:164, 200:280],
        "astro.png": astronaut[50:110, 100:190],
        "odd.png": astronaut[:45, :33],
    }
    (root / "SetA").mkdir()
    for name, img in crops.items():
        Image.fromarray(img).save(root / "SetA" / name)
    for folder in ("T91", "BSD200"):
        (root / folder).mkdir()
        Image.fromarray(camera[:200, :240]).save(root / folder / "camera.png")
        Image.fromarray(astronaut[100:260, 50:250]).save(root / folder / "astro.png")
    (root / "SetB").mkdir()
    Image.fromarray(camera[:40, :40]).save(root / "SetB" / "grey.bmp")
    return root


@pytest.fixture(scope="module")
def random_model(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    net = QCSRNet()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.1)
    path = tmp_path_factory.mktemp("models") / "rand.pt"
    save_model(net, path, {"degradation": "none", "note": "test"})
    return path


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_upscale_rgb_and_grey(tmp_path, image_sets, random_model, capsys):
    for src in (image_sets / "SetA" / "odd.png", image_sets / "SetB" / "grey.bmp"):
        dst = tmp_path / f"{src.stem}_x2.png"
        code, _, err = run(["upscale", src, dst, "--model", random_model], capsys)
        assert code == 0, err
        src_img, out = np.asarray(Image.open(src)), np.asarray(Image.open(dst))
        assert out.shape[:2] == (2 * src_img.shape[0], 2 * src_img.shape[1])
        assert out.ndim == src_img.ndim


def test_eval_writes_json_and_markdown(tmp_path, image_sets, random_model, capsys):
    js, md = tmp_path / "r.json", tmp_path / "r.md"
    code, out, err = run(
        ["eval", "--model", random_model, "--data", image_sets, "--sets", "SetA,SetB", "--jpeg", "none,80",
         "--json", js, "--md", md], capsys)  # fmt: skip
    assert code == 0, err
    rep = json.loads(js.read_text())
    assert set(rep["results"]) == {"SetA", "SetB"}
    for s in rep["results"].values():
        assert set(s) == {"clean", "jpeg80"}
        assert all(10 < v["psnr"] < 60 and 0 < v["ssim"] <= 1 for v in s.values())
    assert rep["results"]["SetA"]["clean"]["images"] == 3
    assert "| SetA |" in md.read_text() and "SetA" in out


def test_eval_grey_convention(tmp_path, camera, random_model, capsys):
    """--grey rgb scores a grey file exactly as the same picture saved as RGB; --grey luma does not."""
    grey = camera[100:164, 200:280]  # textured: errors well above the 8-bit rounding
    for folder, img in (("G", grey), ("R", np.repeat(grey[..., None], 3, axis=2))):
        (tmp_path / folder).mkdir()
        Image.fromarray(img).save(tmp_path / folder / "cam.png")
    got = {}
    for key, folder, extra in (("luma", "G", []), ("rgb", "G", ["--grey", "rgb"]), ("saved_rgb", "R", [])):
        js = tmp_path / f"{key}.json"
        code, _, err = run(["eval", "--model", random_model, "--data", tmp_path, "--sets", folder, "--jpeg",
                            "none,80", "--json", js, *extra], capsys)  # fmt: skip
        assert code == 0, err
        got[key] = json.loads(js.read_text())
    assert got["rgb"]["results"]["G"] == got["saved_rgb"]["results"]["R"]
    assert got["rgb"]["protocol"]["grey"] == "rgb" and got["luma"]["protocol"]["grey"] == "luma"
    luma, rgb = got["luma"]["results"]["G"]["clean"]["psnr"], got["rgb"]["results"]["G"]["clean"]["psnr"]
    assert 1.0 < rgb - luma < 1.6  # errors on the 16..235 luma scale are about 219/255 of the grey-scale ones


def test_bicubic_model_name_and_jpeg_condition_lower_psnr(tmp_path, image_sets, capsys):
    js = tmp_path / "b.json"
    code, _, err = run(["eval", "--model", "bicubic", "--data", image_sets, "--sets", "SetA", "--jpeg", "none,30",
                        "--json", js], capsys)  # fmt: skip
    assert code == 0, err
    r = json.loads(js.read_text())["results"]["SetA"]
    assert r["jpeg30"]["psnr"] < r["clean"]["psnr"]


def test_train_resume_and_outputs(tmp_path, image_sets, capsys):
    out = tmp_path / "m.pt"
    base = ["train", "--degradation", "proposed", "--data", image_sets, "--out", out, "--threads", "1"]
    code, _, err = run(base + ["--steps", "3"], capsys)
    assert code == 0, err
    for suffix in (".pt", ".pt.ckpt", ".log.csv", ".curves.png", ".json"):
        assert out.with_name("m" + suffix).is_file(), suffix
    first = load_model(out)[0].state_dict()
    code, _, err = run(base + ["--steps", "5", "--resume"], capsys)
    assert code == 0, err
    rows = out.with_name("m.log.csv").read_text().splitlines()
    assert rows[0].startswith("step,") and rows[-1].startswith("5,")
    net, prov = load_model(out)
    assert prov["degradation"] == "proposed" and prov["iterations"] == 5
    assert any(not torch.equal(first[k], v) for k, v in net.state_dict().items())


def test_resume_is_deterministic(tmp_path, image_sets, capsys):
    """An interrupted run (3 iterations) resumed to 5 gives the same weights as 5 straight ones."""
    a, b = tmp_path / "a.pt", tmp_path / "b.pt"
    common = ["--degradation", "proposed", "--data", image_sets, "--threads", "1"]
    assert run(["train", *common, "--out", a, "--steps", "5"], capsys)[0] == 0
    assert run(["train", *common, "--out", b, "--steps", "5", "--stop-after", "3"], capsys)[0] == 0
    assert not b.exists()
    assert run(["train", *common, "--out", b, "--steps", "5", "--resume"], capsys)[0] == 0
    sa, sb = load_model(a)[0].state_dict(), load_model(b)[0].state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


def test_finetune_overrides_recorded(tmp_path, image_sets, capsys):
    """--init/--lr/--patch/--batch fine-tune from a parent model; the provenance records all of them."""
    parent, child = tmp_path / "p.pt", tmp_path / "c.pt"
    common = ["train", "--degradation", "bicubic", "--data", image_sets, "--threads", "1"]
    assert run([*common, "--out", parent, "--steps", "2"], capsys)[0] == 0
    code, _, err = run([*common, "--out", child, "--steps", "2", "--init", parent, "--lr", "5e-4",
                        "--patch", "64", "--batch", "4"], capsys)  # fmt: skip
    assert code == 0, err
    prov = load_model(child)[1]
    assert prov["schedule"]["patch"] == 64 and prov["schedule"]["batch"] == 4 and prov["schedule"]["lr"] == 5e-4
    assert prov["finetuned_from"]["file"] == "p.pt"
    bad = tmp_path / "bad.pt"
    code, _, err = run([*common, "--out", bad, "--steps", "2", "--patch", "33"], capsys)
    assert_clean_failure(code, err, "--patch", bad)


def test_degradation_ranges_recorded_and_validated(tmp_path, image_sets, capsys):
    """--sigma/--quality/--noise narrow eq. 2 for ablations; the provenance records the ranges used."""
    out = tmp_path / "m.pt"
    common = ["train", "--data", image_sets, "--threads", "1", "--steps", "2", "--out", out]
    code, _, err = run([*common, "--degradation", "proposed", "--noise", "0,0", "--quality", "none"], capsys)
    assert code == 0, err
    ranges = load_model(out)[1]["degradation_ranges"]
    assert ranges == {"sigma": [0.2, 0.8], "quality": None, "noise_std": [0.0, 0.0], "clean_fraction": 0.0}
    code, _, err = run([*common, "--degradation", "proposed", "--clean-fraction", "0.5"], capsys)
    assert code == 0, err
    assert load_model(out)[1]["degradation_ranges"]["clean_fraction"] == 0.5
    for args, needle in (
        (["--degradation", "proposed", "--clean-fraction", "1.5"], "clean fraction"),
        (["--degradation", "proposed", "--noise", "0.01"], "--noise must be LOW,HIGH"),
        (["--degradation", "proposed", "--quality", "90,80"], "quality range"),
        (["--degradation", "bicubic", "--sigma", "0.1,0.2"], "proposed degradations only"),
        (["--degradation", "proposed-direct", "--sigma", "0,0.5"], "must start above 0"),
    ):
        bad = tmp_path / "bad.pt"
        code, _, err = run([*common[:-1], bad, *args], capsys)
        assert_clean_failure(code, err, needle, bad)


def test_codec_degradation_trains_and_takes_only_a_clean_fraction(tmp_path, image_sets, capsys):
    out = tmp_path / "c.pt"
    common = ["train", "--degradation", "codec", "--data", image_sets, "--threads", "1", "--steps", "2", "--out", out]
    code, _, err = run([*common, "--clean-fraction", "0.5"], capsys)
    assert code == 0, err
    prov = load_model(out)[1]
    assert prov["degradation"] == "codec" and prov["degradation_ranges"]["clean_fraction"] == 0.5
    bad = tmp_path / "bad.pt"
    code, _, err = run([*common[:-1], bad, "--sigma", "0,0.3"], capsys)
    assert_clean_failure(code, err, "--clean-fraction only", bad)


def test_reparam_training_writes_the_folded_network(tmp_path, image_sets, capsys):
    """--reparam trains the expansion; OUT is the deployed architecture, the checkpoint resumes the branches."""
    out = tmp_path / "r.pt"
    common = ["train", "--degradation", "bicubic", "--data", image_sets, "--threads", "1", "--out", out,
              "--reparam", "2"]  # fmt: skip
    assert run([*common, "--steps", "4", "--stop-after", "2"], capsys)[0] == 0
    code, _, err = run([*common, "--steps", "4", "--resume"], capsys)
    assert code == 0, err
    net, prov = load_model(out)
    assert type(net).__name__ == "QCSRNet" and sum(p.numel() for p in net.parameters()) == 2560
    assert prov["reparam"]["pointwise_expand"] == 2 and prov["reparam"]["deployed_weights"] == 2560
    code, _, err = run([*common[:-1], "0", "--steps", "6", "--resume"], capsys)  # resumed without the expansion
    assert_clean_failure(code, err, "--reparam 2")


# --- bad input: one clear line, exit code 2, no partial output --------------------------------


def assert_clean_failure(code: int, err: str, needle: str, *paths: Path) -> None:
    assert code == 2
    # what a terminal shows: progress bars redraw with carriage returns and clear themselves
    lines = [ln.split("\r")[-1] for ln in err.splitlines()]
    lines = [ln for ln in lines if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("qcsr: error:") and needle in lines[0], err
    for p in paths:
        assert not p.exists(), p


@pytest.mark.parametrize("bad", ["1.5", "0", "a,b"])
def test_train_bad_scale_augmentation(tmp_path, image_sets, capsys, bad):
    out = tmp_path / "m.pt"
    code, _, err = run(["train", "--degradation", "bicubic", "--data", image_sets, "--out", out, "--steps", "2",
                        "--scale-aug", bad], capsys)  # fmt: skip
    assert_clean_failure(code, err, "scale", out, out.with_name("m.pt.ckpt"), out.with_name("m.log.csv"))


def test_train_scale_augmentation_is_recorded(tmp_path, image_sets, capsys):
    out = tmp_path / "m.pt"
    code, _, err = run(["train", "--degradation", "bicubic", "--data", image_sets, "--out", out, "--steps", "2",
                        "--threads", "1", "--scale-aug", "1.0"], capsys)  # fmt: skip
    assert code == 0, err
    assert load_model(out)[1]["scale_augmentation"] == [1.0]


def test_missing_data_folder(tmp_path, capsys):
    js = tmp_path / "r.json"
    code, _, err = run(["eval", "--model", "bicubic", "--data", tmp_path / "nope", "--json", js], capsys)
    assert_clean_failure(code, err, "data folder not found", js)
    code, _, err = run(["train", "--degradation", "bicubic", "--data", tmp_path / "nope", "--out",
                        tmp_path / "m.pt"], capsys)  # fmt: skip
    assert_clean_failure(code, err, "not found", tmp_path / "m.pt")


def test_missing_set_folder(tmp_path, image_sets, capsys):
    js, md = tmp_path / "r.json", tmp_path / "r.md"
    code, _, err = run(["eval", "--model", "bicubic", "--data", image_sets, "--sets", "SetA,Set99", "--json", js,
                        "--md", md], capsys)  # fmt: skip
    assert_clean_failure(code, err, "Set99", js, md)


def test_corrupt_image_in_a_set(tmp_path, image_sets, capsys):
    data = tmp_path / "d"
    (data / "S").mkdir(parents=True)
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(data / "S" / "a.png")
    (data / "S" / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    js = tmp_path / "r.json"
    code, _, err = run(["eval", "--model", "bicubic", "--data", data, "--sets", "S", "--json", js], capsys)
    assert_clean_failure(code, err, "b.png", js)


def test_image_too_small_for_ssim(tmp_path, capsys):
    (tmp_path / "S").mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "S" / "tiny.png")
    code, _, err = run(["eval", "--model", "bicubic", "--data", tmp_path, "--sets", "S"], capsys)
    assert_clean_failure(code, err, "too small")


def test_upscale_bad_inputs(tmp_path, random_model, capsys):
    dst = tmp_path / "out.png"
    text = tmp_path / "notes.png"
    text.write_text("hello")
    code, _, err = run(["upscale", text, dst, "--model", random_model], capsys)
    assert_clean_failure(code, err, "cannot read image", dst)
    code, _, err = run(["upscale", tmp_path / "missing.png", dst, "--model", random_model], capsys)
    assert_clean_failure(code, err, "image not found", dst)


@pytest.mark.parametrize("kind", ["text", "other_torch", "truncated", "wrong_shapes"])
def test_not_a_qcsr_model(kind, tmp_path, random_model, camera, capsys):
    bad = tmp_path / "bad.pt"
    if kind == "text":
        bad.write_text("not a model")
    elif kind == "other_torch":
        torch.save({"weights": torch.zeros(3)}, bad)
    elif kind == "truncated":
        bad.write_bytes(random_model.read_bytes()[:200])
    else:
        blob = torch.load(random_model, weights_only=True)
        blob["state_dict"]["head.weight"] = torch.zeros(16, 1, 5, 5)
        torch.save(blob, bad)
    src = tmp_path / "in.png"
    Image.fromarray(camera[:16, :16]).save(src)
    dst = tmp_path / "out.png"
    code, _, err = run(["upscale", src, dst, "--model", bad], capsys)
    assert_clean_failure(code, err, "bad.pt", dst)


def test_console_script_exit_code(tmp_path):
    exe = Path(sys.executable).with_name("qcsr")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "qcsr.cli"]
    r = subprocess.run(cmd + ["upscale", str(tmp_path / "none.png"), str(tmp_path / "o.png")],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and r.stderr.strip().startswith("qcsr: error: image not found")


# --- shipped models and the real benchmark (skip without ../shared/datasets) ------------------


@pytest.mark.parametrize("name", ["qcsr_x2_bicubic", "qcsr_x2_proposed"])
def test_shipped_models_load(name):
    net, prov = load_model(ZOO / f"{name}.pt")
    assert prov["degradation"] == name.rsplit("_", 1)[1]
    assert sum(p.numel() for p in net.parameters()) == 2560
    side = json.loads((ZOO / f"{name}.json").read_text())
    assert side["provenance"]["degradation"] == prov["degradation"]


@pytest.mark.datasets
def test_eval_set5_bicubic_reproduces_published_baseline(datasets, tmp_path, capsys):
    js = tmp_path / "b.json"
    code, _, err = run(["eval", "--model", "bicubic", "--data", datasets, "--sets", "Set5", "--jpeg", "none",
                        "--json", js], capsys)  # fmt: skip
    assert code == 0, err
    r = json.loads(js.read_text())["results"]["Set5"]["clean"]
    assert abs(r["psnr"] - 33.66) <= 0.02 and abs(r["ssim"] - 0.9299) <= 0.001


@pytest.mark.datasets
@pytest.mark.parametrize("name", ["qcsr_x2_bicubic", "qcsr_x2_proposed"])
def test_eval_set5_reproduces_the_shipped_results(name, datasets, tmp_path, capsys):
    """`qcsr eval` on Set5 gives exactly the numbers recorded in the model's sidecar (and beats bicubic)."""
    js = tmp_path / "m.json"
    code, _, err = run(["eval", "--model", name, "--data", datasets, "--sets", "Set5", "--jpeg", "none,70",
                        "--json", js], capsys)  # fmt: skip
    assert code == 0, err
    got = json.loads(js.read_text())["results"]["Set5"]
    recorded = json.loads((ZOO / f"{name}.json").read_text())["results"]["float"]["Set5"]
    for cond in ("clean", "jpeg70"):
        assert got[cond]["psnr"] == pytest.approx(recorded[cond]["psnr"], abs=1e-6)
        assert got[cond]["ssim"] == pytest.approx(recorded[cond]["ssim"], abs=1e-6)
    assert got["clean"]["psnr"] > 33.66 + 1.0  # the published bicubic baseline, by a wide margin


def test_weight_average_is_the_ema_of_the_trained_weights(tmp_path, image_sets, capsys):
    """--ema D writes the running average of the deployed weights, not the last iterate; resume keeps it."""
    from qcsr.fixedpoint.arch import Arch
    from qcsr.model.network import QCSRNet

    a, b, c = tmp_path / "a.pt", tmp_path / "b.pt", tmp_path / "c.pt"
    common = ["train", "--degradation", "bicubic", "--data", image_sets, "--threads", "1", "--steps", "20"]
    assert run([*common, "--out", a], capsys)[0] == 0  # plain: the last iterate
    assert run([*common, "--out", b, "--ema", "0.9"], capsys)[0] == 0
    plain, (avg_net, prov) = load_model(a)[0].state_dict(), load_model(b)
    avg = avg_net.state_dict()
    assert prov["weight_average"]["ema_decay"] == 0.9
    assert any(not torch.equal(plain[k], avg[k]) for k in plain)
    # One update after 10 iterations (EMA_EVERY): average = d^10 * initial + (1 - d^10) * iterate 10.
    torch.manual_seed(0)  # train() seeds with --seed (0) and then builds the network
    init = QCSRNet(Arch()).state_dict()
    assert run([*common, "--out", c, "--ema", "0.9", "--stop-after", "10"], capsys)[0] == 0
    ck = torch.load(c.with_name("c.pt.ckpt"), weights_only=False)
    d = 0.9**10
    for k, v in ck["ema"].items():
        assert torch.allclose(v, d * init[k] + (1 - d) * ck["model"][k], atol=1e-7), k
    assert run([*common, "--out", c, "--ema", "0.9", "--resume"], capsys)[0] == 0
    resumed = load_model(c)[0].state_dict()
    assert all(torch.equal(avg[k], resumed[k]) for k in avg)
    bad = tmp_path / "bad.pt"
    code, _, err = run([*common, "--out", bad, "--ema", "1.0"], capsys)
    assert_clean_failure(code, err, "--ema", bad)


def _zoo_recipe(tmp_path) -> dict[str, argparse.Namespace]:
    """The `qcsr train` commands of `make zoo-train`, parsed by the CLI's own parser, by output stem."""
    import shlex
    import shutil

    from qcsr.cli import build_parser

    if shutil.which("make") is None:
        pytest.skip("make not installed")
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run(["make", "-n", "-B", "zoo-train", f"ZOO_DIR={tmp_path}"], cwd=root, capture_output=True,
                         text=True, check=True)  # fmt: skip
    cmds = {}
    for line in res.stdout.replace("\\\n", " ").splitlines():
        argv = shlex.split(line)
        if len(argv) > 1 and argv[0].endswith("qcsr") and argv[1] == "train":
            a = build_parser().parse_args(argv[1:])
            cmds[a.out.stem] = a
    return cmds


def test_zoo_recipe_is_how_the_shipped_models_were_trained(tmp_path):
    """`make zoo-train` lists exactly the stages recorded in the shipped models' provenance."""
    from qcsr.model.train import PRESETS

    cmds = _zoo_recipe(tmp_path)
    assert set(cmds) == {"bicubic_s1", "bicubic_s2", "bicubic_s3", "proposed_s1"}
    _, bic = load_model(ZOO / "qcsr_x2_bicubic.pt")
    _, prop = load_model(ZOO / "qcsr_x2_proposed.pt")
    assert prop["finetuned_from"]["provenance"] == bic  # proposed is fine-tuned from the shipped bicubic model
    chain = [("proposed_s1", prop), ("bicubic_s3", bic), ("bicubic_s2", bic["finetuned_from"]["provenance"]),
             ("bicubic_s1", bic["finetuned_from"]["provenance"]["finetuned_from"]["provenance"])]  # fmt: skip
    for stem, prov in chain:
        a = cmds[stem]
        preset = PRESETS[a.preset]
        assert prov["degradation"] == a.degradation and prov["seed"] == a.seed and prov["preset"] == a.preset, stem
        sched = prov["schedule"]
        assert (sched["steps"], sched["patch"], sched["batch"]) == (a.steps, a.patch or preset.patch, preset.batch)
        assert sched["lr"] == pytest.approx(a.lr or preset.lr), stem
        assert prov["reparam"]["pointwise_expand"] == a.reparam, stem
        assert prov.get("weight_average", {}).get("ema_decay", 0.0) == a.ema, stem
        assert ("finetuned_from" in prov) == (a.init is not None), stem
        if a.degradation == "proposed":
            r = prov["degradation_ranges"]
            assert r["clean_fraction"] == a.clean_fraction
            assert r["sigma"] == [float(v) for v in a.sigma.split(",")]
            assert r["noise_std"] == [float(v) for v in a.noise.split(",")]
    assert cmds["proposed_s1"].init.stem == "bicubic_s3" and cmds["bicubic_s3"].init.stem == "bicubic_s2"
