import json

from qcsr.report import BEGIN, END, claim_check, load_reports, write_results


def _report(model: str, base: float) -> dict:
    res = {s: {c: {"psnr": base + i + (0.1 * j if "jpeg" in c else 0), "ssim": 0.9, "images": 1}
               for j, c in enumerate(("clean", "jpeg70", "jpeg80"))}
           for i, s in enumerate(("Set5", "Set14"))}  # fmt: skip
    return {"model": model, "engine": "float", "results": res}


def test_tables_and_claim_are_generated(tmp_path):
    d = tmp_path / "results"
    d.mkdir()
    for name, base in (("bicubic", 30.0), ("qcsr_x2_bicubic", 32.0), ("qcsr_x2_proposed", 32.5)):
        (d / f"{name}.json").write_text(json.dumps(_report(name, base)))
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{BEGIN}\nold\n{END}\noutro\n")
    write_results(d, tmp_path / "results.md", readme)
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "\nold\n" not in text
    assert "| Set5 | 33.66 / 0.9299 | 36.66 / 0.9548 | 30.00 / 0.9000 | 32.00 / 0.9000 | 32.50 / 0.9000 |" in text
    assert "**JPEG q = 70 LR input**" in text and "**holds**" in text
    assert list(load_reports(d)) == ["bicubic", "qcsr_x2_bicubic", "qcsr_x2_proposed"]


def test_claim_check_reports_a_loss_honestly():
    a, b = _report("qcsr_x2_proposed", 32.5), _report("qcsr_x2_bicubic", 32.0)
    a["results"]["Set14"]["jpeg80"]["psnr"] -= 1.0
    text = claim_check({"qcsr_x2_proposed": a, "qcsr_x2_bicubic": b})
    assert "does NOT hold everywhere" in text and "3 of 4" in text and "Set14 jpeg80" in text


def test_grey_convention_table(tmp_path):
    d = tmp_path / "results"
    (d / "grey-rgb").mkdir(parents=True)
    for name, base in (("bicubic", 30.0), ("qcsr_x2_bicubic", 32.0)):
        (d / f"{name}.json").write_text(json.dumps(_report(name, base)))
        (d / "grey-rgb" / f"{name}.json").write_text(json.dumps(_report(name, base + 0.1)))
    write_results(d, tmp_path / "results.md", None)
    text = (tmp_path / "results.md").read_text()
    assert "| Set14 | qcsr_x2_bicubic | 33.00 / 0.9000 | 33.10 / 0.9000 | +0.100 | 32.52 (Ours float) |" in text
    assert "| Set14 | bicubic | 31.00 / 0.9000 | 31.10 / 0.9000 | +0.100 | 30.24 (Bicubic) |" in text
    (d / "grey-rgb" / "bicubic.json").unlink()
    (d / "grey-rgb" / "qcsr_x2_bicubic.json").unlink()
    write_results(d, tmp_path / "results.md", None)
    assert "presented as RGB" not in (tmp_path / "results.md").read_text()
