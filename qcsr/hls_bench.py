"""Helpers for the HLS testbench: the bench vector and the bench row.

    python -m qcsr.hls_bench bench --src VECTORS --out DIR [--width 1920 --height 1080]

writes one large vector (a resized scikit-image sample, RGB) with the first model of VECTORS and
the golden engine's expected output, for `make bench-hls` (the model rebuilt from the set's first packet:
qcsr.golden.config_packet.model_from_words).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from qcsr.fixedpoint.quant_model import QuantModel
from qcsr.golden.config_packet import config_words, model_from_words
from qcsr.golden.vectors import Vector, read_index, write_vectors


def load_first_model(src: Path) -> tuple[str, QuantModel]:
    index = read_index(src)
    v = index["vectors"][0]
    key = v["model"]
    formats = index["models"][key]["formats"]
    words = np.fromfile(src / v["name"] / v["files"]["cfg"]["file"], dtype="<u4")
    model = model_from_words(words, formats["fw"], formats["fa"])
    if not np.array_equal(config_words(model, v["width"], v["height"]), words):
        raise SystemExit(f"{src}: the rebuilt model does not reproduce {v['name']}/cfg.bin")
    return key, model


def bench_image(width: int, height: int) -> np.ndarray:
    from PIL import Image
    from skimage import data

    img = Image.fromarray(data.astronaut()).resize((width, height), Image.Resampling.BICUBIC)
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


BENCH_LINE = re.compile(r"bench (\S+) (\d+)x(\d+): ([\d.]+) s per frame csim wall time.*?(\d+) cycles per frame"
                        r".*output (\S+)")


def bench_json(log: Path, out: Path) -> int:
    """Rows for docs/bench.md from the csim's `bench ...` lines (only frames whose output was exact)."""
    rows = []
    for m in BENCH_LINE.finditer(log.read_text()):
        name, w, h, sec, cycles, verdict = m.groups()
        if verdict != "exact":
            raise SystemExit(f"bench-json: {name} output was not exact ({verdict})")
        rows.append({"engine": "HLS C simulation (g++ -O2)", "what": f"full core, {w}x{h} RGB", "seconds_per_frame":
                     float(sec), "notes": f"{cycles} modelled cycles per frame, output bit-exact"})  # fmt: skip
    if not rows:
        raise SystemExit(f"bench-json: no bench line in {log}")
    out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench", help="write one large vector for make bench-hls")
    b.add_argument("--src", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--width", type=int, default=1920)
    b.add_argument("--height", type=int, default=1080)
    j = sub.add_parser("bench-json", help="turn the csim --bench log into a `qcsr bench` row")
    j.add_argument("--log", type=Path, required=True)
    j.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    if a.cmd == "bench-json":
        return bench_json(a.log, a.out)
    key, model = load_first_model(a.src)
    rgb = bench_image(a.width, a.height)
    path = write_vectors(a.out, {key: model}, [Vector(f"astronaut_{a.width}x{a.height}", "real", key, rgb)])
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
