import json

import pytest

from qcsr.ablation import _delta, feature_line_bits, requantizers, write_ablation
from qcsr.cli import main
from qcsr.fixedpoint.arch import Arch
from qcsr.model.checkpoint import save_model
from qcsr.model.network import QCSRNet
from qcsr.util.errors import QcsrError

ARCHS = [Arch(), Arch(C=20, N=4), Arch(C=16, N=5, KH=3, KW=5), Arch(F=5, C=8, N=2, G=2)]


@pytest.mark.parametrize("arch", ARCHS)
def test_hardware_cost_counts_match_the_network_layers(arch):
    convs = QCSRNet(arch).layers()
    assert len(convs) == 2 * arch.N + 2
    # every conv output is one requantized activation per LR pixel
    assert requantizers(arch) == sum(c.out_channels for c in convs)
    # a kh-row window needs kh-1 stored lines of its input: 8-bit luma for the head, 14-bit otherwise
    bits = sum((c.kernel_size[0] - 1) * c.in_channels * (8 if i == 0 else 14) for i, c in enumerate(convs))
    assert feature_line_bits(arch, width=1920) == bits * 1920


def test_default_line_memory_matches_spec_figure():
    # SPEC section 2: 6 stages x 2 lines x 1920 x 224 bits = 5.2 Mbit (plus the head's two 8-bit lines)
    assert feature_line_bits(Arch()) == 6 * 2 * 1920 * 224 + 2 * 1920 * 8


def _variant(d, name, arch, psnr5, psnr14, seconds=100.0, prov=None, jpeg70=None):
    save_model(QCSRNet(arch), d / f"{name}.pt", prov or {"degradation": "bicubic"})
    rows = ["step,lr,loss,val_set,val_psnr_clean,val_psnr_jpeg80,elapsed_s"]
    rows += [f"{s},0.001,0.02,Set5,{psnr5 - 1 + s / 1000:.3f},32.0,{seconds * s / 1000:.1f}" for s in (500, 1000)]
    (d / f"{name}.log.csv").write_text("\n".join(rows) + "\n")
    res = {"Set5": {"clean": {"psnr": psnr5, "ssim": 0.95}}, "Set14": {"clean": {"psnr": psnr14, "ssim": 0.9}}}
    if jpeg70 is not None:
        for s, v in zip(("Set5", "Set14"), jpeg70, strict=True):
            res[s]["jpeg70"] = {"psnr": v, "ssim": 0.8}
    (d / f"{name}.eval.json").write_text(json.dumps({"results": res}))


def test_ablation_table_and_plot(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    _variant(runs, "base", Arch(), 36.5, 32.30)
    _variant(runs, "wide", Arch(C=20, N=4), 36.4, 32.35, seconds=50.0)
    md, png = tmp_path / "abl.md", tmp_path / "abl.png"
    assert main(["ablation", "--runs", str(runs), "--md", str(md), "--png", str(png), "--reference", "base"]) == 0
    text = md.read_text()
    rows = [r for r in text.splitlines() if r.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == ["`wide`", "`base`"]  # best Set14 first
    assert "| 2,520 |" in rows[0] and "| 2,560 |" in rows[1]
    assert "36.40 (-0.10) | 32.35 (+0.05) |" in rows[0] and "| 20.0 |" in rows[0]  # 1000 steps in 50 s
    assert png.stat().st_size > 10_000
    from PIL import Image

    w, h = Image.open(png).size
    assert w < 2 * h  # architectures differ: one panel, clean inputs


def test_ablation_errors_name_the_problem(tmp_path, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    md = tmp_path / "abl.md"
    with pytest.raises(QcsrError, match="no trained variants"):
        write_ablation(runs, md, tmp_path / "a.png")
    _variant(runs, "base", Arch(), 36.5, 32.3)
    (runs / "base.eval.json").unlink()
    assert main(["ablation", "--runs", str(runs), "--md", str(md), "--png", str(tmp_path / "a.png")]) == 2
    assert "base.eval.json: missing" in capsys.readouterr().err
    assert not md.exists()
    (runs / "base.eval.json").write_text(json.dumps({"results": {"Set5": {"jpeg70": {"psnr": 30.0}}}}))
    with pytest.raises(QcsrError, match="base.eval.json: no clean-input results"):
        write_ablation(runs, md, tmp_path / "a.png")
    (runs / "base.eval.json").write_text("{not json")
    with pytest.raises(QcsrError, match="base.eval.json: not a readable qcsr eval report"):
        write_ablation(runs, md, tmp_path / "a.png")
    assert not md.exists()


def test_degradation_ablation_tables_per_condition(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    eq2 = {"sigma": [0.2, 0.8], "quality": [70, 99], "noise_std": [0.0, 0.02]}
    off = {"sigma": [0.2, 0.8], "quality": None, "noise_std": [0.0, 0.0]}
    _variant(runs, "eq2", Arch(), 35.0, 31.5, prov={"degradation": "proposed", "degradation_ranges": eq2},
             jpeg70=(32.5, 29.7))  # fmt: skip
    _variant(runs, "mild", Arch(), 35.5, 31.8, prov={"degradation": "proposed", "degradation_ranges": off},
             jpeg70=(32.0, 29.5))  # fmt: skip
    base = tmp_path / "base.json"
    res = {"Set5": {"clean": {"psnr": 36.0}, "jpeg70": {"psnr": 31.75}},
           "Set14": {"clean": {"psnr": 32.0}, "jpeg70": {"psnr": 29.25}}}  # fmt: skip
    base.write_text(json.dumps({"results": res}))
    md = tmp_path / "deg.md"
    write_ablation(runs, md, tmp_path / "deg.png", baseline=base)
    text = md.read_text()
    assert "weights" not in text  # one architecture: no hardware table
    assert text.index("**clean**") < text.index("**jpeg70**")
    jpeg = text[text.index("**jpeg70**") :]
    assert "| baseline | | 31.75 | 29.25 |" in jpeg
    assert "| `eq2` | proposed | 32.50 (+0.75) | 29.70 (+0.45) |" in jpeg
    assert "| `mild` | proposed, quality off, noise_std 0-0 | 32.00 (+0.25) | 29.50 (+0.25) |" in jpeg
    from PIL import Image

    arch_png = tmp_path / "arch.png"
    write_ablation(runs, tmp_path / "arch.md", arch_png, reference="eq2")  # reference: architecture table too
    assert "weights" in (tmp_path / "arch.md").read_text()
    # one architecture: validation curves on clean and JPEG-80 inputs side by side (two 8 x 4.5 in panels)
    w, h = Image.open(tmp_path / "deg.png").size
    assert w > 3 * h
    with pytest.raises(QcsrError, match="not a readable qcsr eval report"):
        write_ablation(runs, md, tmp_path / "deg.png", baseline=tmp_path / "missing.json")


@pytest.mark.parametrize(("db", "text"), [(-0.001, "+0.00"), (-0.004, "+0.00"), (-0.006, "-0.01"), (0.125, "+0.12")])
def test_delta_has_no_negative_zero(db, text):
    assert _delta(db) == text
