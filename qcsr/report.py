"""Results tables (docs/results.md and the README block) generated from `qcsr eval` JSON files."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from qcsr.evaluate import BENCHMARK_SETS
from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError

# SPEC section 6: the paper's Table 1 (x2, PSNR dB / SSIM), clean inputs.
PAPER_TABLE1 = {
    "Bicubic": {
        "Set5": (33.66, 0.9299),
        "Set14": (30.24, 0.8688),
        "B100": (29.56, 0.8431),
        "Urban100": (26.88, 0.8403),
    },
    "Ours float": {
        "Set5": (36.66, 0.9548),
        "Set14": (32.52, 0.9073),
        "B100": (31.32, 0.8880),
        "Urban100": (29.34, 0.8943),
    },
    "Ours 10/14-bit": {
        "Set5": (36.64, 0.9544),
        "Set14": (32.52, 0.9071),
        "B100": (31.31, 0.8876),
        "Urban100": (29.33, 0.8942),
    },
    "Ours 10/14-bit, proposed degradation": {
        "Set5": (36.24, 0.9481),
        "Set14": (31.96, 0.8994),
        "B100": (30.82, 0.8816),
        "Urban100": (29.12, 0.8898),
    },
}
ORDER = ("bicubic", "bicubic-int", "qcsr_x2_bicubic", "qcsr_x2_bicubic.golden", "qcsr_x2_proposed",
         "qcsr_x2_proposed.golden")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def load_reports(folder: Path) -> dict[str, dict[str, Any]]:
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise QcsrError(f"no eval JSON files in {folder}")
    reports = {f.stem: json.loads(f.read_text()) for f in files}
    return dict(sorted(reports.items(), key=lambda kv: (ORDER.index(kv[0]) if kv[0] in ORDER else 99, kv[0])))


def _cell(r: dict[str, float] | None) -> str:
    return "—" if r is None else f"{r['psnr']:.2f} / {r['ssim']:.4f}"


def clean_table(reports: dict[str, dict[str, Any]]) -> str:
    sets = list(BENCHMARK_SETS)
    cols = ["paper: Bicubic", "paper: Ours float"] + list(reports)
    out = ["| set | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for s in sets:
        cells = [
            _cell({"psnr": PAPER_TABLE1[k][s][0], "ssim": PAPER_TABLE1[k][s][1]}) for k in ("Bicubic", "Ours float")
        ]
        cells += [_cell(r["results"].get(s, {}).get("clean")) for r in reports.values()]
        out.append(f"| {s} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def compressed_tables(reports: dict[str, dict[str, Any]]) -> str:
    conds = sorted({c for r in reports.values() for row in r["results"].values() for c in row if c != "clean"})
    blocks = []
    for c in conds:
        sets = [s for s in BENCHMARK_SETS if any(s in r["results"] for r in reports.values())]
        lines = [
            f"**{condition_title(c)}**",
            "",
            "| set | " + " | ".join(reports) + " |",
            "|---|" + "---|" * len(reports),
        ]
        for s in sets:
            vals = [r["results"].get(s, {}).get(c) for r in reports.values()]
            best = max((v["psnr"] for v in vals if v), default=None)
            cells = [("**" + _cell(v) + "**") if v and v["psnr"] == best else _cell(v) for v in vals]
            lines.append(f"| {s} | " + " | ".join(cells) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def condition_title(c: str) -> str:
    from qcsr.evaluate import CODEC_NAMES, codec_of

    if c.startswith("jpeg"):
        return f"JPEG q = {c.removeprefix('jpeg')} LR input"
    codec = codec_of(c)
    return f"{CODEC_NAMES[codec[0]]} CRF {codec[1]} LR video (pan sequences)" if codec else c


def quant_loss_table(reports: dict[str, dict[str, Any]]) -> str:
    """PSNR of each quantized model (golden engine) minus its float model, per set and condition."""
    lines = []
    for name in ("qcsr_x2_bicubic", "qcsr_x2_proposed"):
        fl, q = reports.get(name), reports.get(f"{name}.golden")
        if not fl or not q:
            continue
        conds = [c for c in next(iter(q["results"].values())) if c in next(iter(fl["results"].values()))]
        if not lines:
            lines = ["| model | set | " + " | ".join(conds) + " |", "|---|---|" + "---|" * len(conds)]
        for s in q["results"]:
            cells = [f"{q['results'][s][c]['psnr'] - fl['results'][s][c]['psnr']:+.3f}" for c in conds]
            lines.append(f"| {name} | {s} | " + " | ".join(cells) + " |")
    return "\n".join(lines) if lines else "(needs <model>.json and <model>.golden.json)"


def claim_check(reports: dict[str, dict[str, Any]], suffix: str = "") -> str:
    """Measured verdict on the paper's claim: proposed-trained beats bicubic-trained on JPEG inputs."""
    a, b = reports.get(f"qcsr_x2_proposed{suffix}"), reports.get(f"qcsr_x2_bicubic{suffix}")
    if not a or not b:
        return f"(claim check needs qcsr_x2_proposed{suffix}.json and qcsr_x2_bicubic{suffix}.json)"
    diffs = {
        (s, c): a["results"][s][c]["psnr"] - b["results"][s][c]["psnr"]
        for s in a["results"]
        if s in b["results"]
        for c in a["results"][s]
        if c != "clean" and c in b["results"][s]
    }
    if not diffs:
        return "(no compressed-input results to compare)"
    what = "JPEG inputs" if all(c.startswith("jpeg") for _, c in diffs) else "compressed inputs"
    worst = min(diffs, key=diffs.get)
    wins = sum(d > 0 for d in diffs.values())
    verdict = "holds" if wins == len(diffs) else "does NOT hold everywhere"
    return (
        f"Paper's claim (proposed degradation restores {what} better), {a.get('engine', 'float')} engine: "
        f"**{verdict}** — "
        f"qcsr_x2_proposed beats qcsr_x2_bicubic in PSNR in {wins} of {len(diffs)} (set, condition) cases; "
        f"gain {min(diffs.values()):+.2f} to {max(diffs.values()):+.2f} dB (smallest: {worst[0]} {worst[1]})."
    )


PAPER_COLUMN = {  # the paper's Table 1 column each of our models is measured against
    "bicubic": "Bicubic",
    "bicubic-int": "Bicubic",
    "qcsr_x2_bicubic": "Ours float",
    "qcsr_x2_proposed": "Ours 10/14-bit, proposed degradation",
    "qcsr_x2_bicubic.golden": "Ours 10/14-bit",
    "qcsr_x2_proposed.golden": "Ours 10/14-bit, proposed degradation",
}
GREY_DIR = "grey-rgb"  # eval JSONs of the sets holding grey images, scored with `qcsr eval --grey rgb`


def grey_table(reports: dict[str, dict[str, Any]], grey: dict[str, dict[str, Any]]) -> str:
    """Clean PSNR of the sets with a grey image under both grey-image conventions, against the paper."""
    sets = [s for s in BENCHMARK_SETS if any(s in r["results"] for r in grey.values())]
    lines = [
        "| set | model | grey value as luma (tables above) | grey image presented as RGB | difference | paper |",
        "|---|---|---|---|---|---|",
    ]
    for s in sets:
        for name, r in grey.items():
            column = PAPER_COLUMN.get(name)
            paper = f"{PAPER_TABLE1[column][s][0]:.2f} ({column})" if column else "—"
            g = r["results"].get(s, {}).get("clean")
            lum = reports.get(name, {}).get("results", {}).get(s, {}).get("clean")
            if g is None or lum is None:
                continue
            lines.append(f"| {s} | {name} | {_cell(lum)} | {_cell(g)} | {g['psnr'] - lum['psnr']:+.3f} | {paper} |")
    return "\n".join(lines)


def results_markdown(reports: dict[str, dict[str, Any]], grey: dict[str, dict[str, Any]] | None = None) -> str:
    engines = sorted({r["engine"] for r in reports.values()})
    grey_block = []
    if grey:
        grey_block = [
            "#### Grey benchmark images: both conventions",
            "",
            "The tables above score a grey image on its grey value (MATLAB SR code, the convention of the "
            "Bicubic column the paper quotes). Python SR toolboxes (EDSR, BasicSR) read every image as RGB and "
            "score a grey one on its BT.601 luma, 16 + 219 g / 255 (also what the core computes from a grey RGB "
            f"frame). Its errors then shrink by about 219/255, {20 * math.log10(255 / 219):.2f} dB on that image; "
            "the difference column is what that does to each set's mean, measured (`qcsr eval --grey rgb`, "
            "files in "
            f"`docs/results/{GREY_DIR}/`):",
            "",
            grey_table(reports, grey),
            "",
        ]
    return "\n".join(
        [
            f"Generated by `make results` from `docs/results/*.json` (`qcsr eval`, engine: {', '.join(engines)}). "
            "x2, PSNR (dB) / SSIM on Y, shave 2; LR = PIL bicubic downscale, JPEG = Pillow 4:2:0.",
            "`bicubic` is plain bicubic upscaling (PIL); `bicubic-int` is the hardware's fixed-point bicubic "
            "path alone.",
            "",
            "#### Clean LR input (paper Table 1 setting)",
            "",
            clean_table(reports),
            "",
            "#### JPEG-compressed LR input",
            "",
            compressed_tables(reports),
            "",
            claim_check(reports),
            "",
            claim_check(reports, ".golden"),
            "",
            "#### Quantization loss (10-bit weights / 14-bit activations, golden engine minus float, dB)",
            "",
            quant_loss_table(reports),
            "",
            *grey_block,
        ]
    )


def write_sidecars(reports: dict[str, dict[str, Any]], zoo: Path) -> list[Path]:
    """model/zoo/<name>.json: training provenance (from the .pt) plus the measured results per engine."""
    from qcsr.model.checkpoint import load_model

    written = []
    for name in ("qcsr_x2_bicubic", "qcsr_x2_proposed"):
        if not (zoo / f"{name}.pt").is_file() or name not in reports:
            continue
        _, prov = load_model(zoo / f"{name}.pt")
        side = {"provenance": prov, "protocol": reports[name].get("protocol", {}), "results": {}}
        for key, engine in ((name, "float"), (f"{name}.golden", "golden")):
            if key in reports:
                side["results"][engine] = reports[key]["results"]
        save_bytes((json.dumps(side, indent=1) + "\n").encode(), zoo / f"{name}.json")
        written.append(zoo / f"{name}.json")
    return written


def write_results(folder: Path, md_path: Path, readme: Path | None, zoo: Path | None = None) -> list[Path]:
    """Write docs/results.md, the zoo sidecars and the README block between the results markers."""
    reports = load_reports(folder)
    grey_dir = Path(folder) / GREY_DIR
    grey = load_reports(grey_dir) if grey_dir.is_dir() and any(grey_dir.glob("*.json")) else None
    body = results_markdown(reports, grey)
    save_bytes(("# Results\n\n" + body).encode(), md_path)
    written = [md_path] + (write_sidecars(reports, zoo) if zoo else [])
    if readme and readme.is_file():
        text = readme.read_text()
        if BEGIN in text and END in text:
            new = re.sub(
                re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: f"{BEGIN}\n{body}\n{END}", text, flags=re.S
            )
            save_bytes(new.encode(), readme)
            written.append(readme)
    return written


def codec_markdown(reports: dict[str, dict[str, Any]]) -> str:
    """docs/codec.md: clean, JPEG and video-codec conditions side by side, with the claim check."""
    from qcsr.evaluate import CODEC_PROTOCOL, PAN_FRAMES

    engines = sorted({r["engine"] for r in reports.values()})
    return "\n".join([
        "# Compressed video inputs: H.264 / HEVC", "",
        f"Generated by `make codec-results` from `docs/results/codec/*.json` (`qcsr eval --codec ...`, engine: "
        f"{', '.join(engines)}). x2, PSNR (dB) / SSIM on Y, shave 2.", "",
        "Construction: " + CODEC_PROTOCOL.replace("PAN_FRAMES", str(PAN_FRAMES)) + ". The JPEG conditions are "
        "the still-image protocol of docs/results.md (Pillow 4:2:0 of the LR image); the codec conditions also "
        "carry the video path's own loss: RGB -> 4:2:0 YUV in the encoder and back to RGB in the decoder "
        "(FFmpeg swscale, BT.601), as `qcsr upscale` of a real video does.", "",
        "#### Clean LR input", "", clean_table(reports), "",
        "#### Compressed LR input", "", compressed_tables(reports), "",
        claim_check(reports), "",
    ])  # fmt: skip


def write_codec_results(folder: Path, md_path: Path) -> list[Path]:
    save_bytes(codec_markdown(load_reports(folder)).encode(), md_path)
    return [md_path]
