"""Each model file is read once per `qcsr` job (upscale, golden, bench): the CLI resolves `--model` once and
hands the resolved model on; every engine comes from that one object (qcsr.engines)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import qcsr.model.checkpoint as checkpoint
import qcsr.resolver as resolver
from qcsr.cli import main
from qcsr.engines import ENGINES


@pytest.fixture
def reads(monkeypatch):
    """Counts of model-file loads by path (the .q.json and .pt loaders every resolution goes through)."""
    count: Counter = Counter()
    load_q, load_pt = resolver.load_quant_model, checkpoint.load_model

    def q(path):
        count[Path(path).name] += 1
        return load_q(path)

    def pt(path, *a, **k):
        count[Path(path).name] += 1
        return load_pt(path, *a, **k)

    monkeypatch.setattr(resolver, "load_quant_model", q)
    monkeypatch.setattr(checkpoint, "load_model", pt)
    return count


@pytest.fixture
def qjson(tmp_path) -> Path:
    p = tmp_path / "m.q.json"
    shutil.copy(resolver.ZOO / "qcsr_x2_proposed.q.json", p)
    return p


def test_upscale_reads_the_model_once(reads, qjson, tmp_path):
    src = tmp_path / "in.png"
    Image.fromarray(np.full((12, 16, 3), 90, np.uint8)).save(src)
    for engine in ENGINES:  # every engine the CLI offers, from the one resolved model
        reads.clear()
        assert main(["upscale", str(src), str(tmp_path / f"o_{engine}.png"), "--model", str(qjson),
                     "--engine", engine]) == 0  # fmt: skip
        assert reads == Counter({"m.q.json": 1}), (engine, reads)


def test_golden_job_reads_each_model_once(reads, qjson, tmp_path):
    assert main(["golden", "--model", str(qjson), "--out", str(tmp_path / "g"), "--data", str(tmp_path / "none"),
                 "--no-vectors"]) == 0  # fmt: skip
    assert reads == Counter({"m.q.json": 1}), reads


def test_bench_reads_the_model_once(reads, qjson):
    from qcsr.bench import run_bench

    frame = np.asarray(Image.fromarray(np.full((24, 32, 3), 120, np.uint8)))
    rows = run_bench(str(qjson), repeat=1, frame=frame, min_seconds=0, extras=False)
    assert reads == Counter({"m.q.json": 1}), reads
    engines = {r["engine"].split(" ")[0] for r in rows}
    assert {e for e, v in ENGINES.items() if v.bench} <= engines  # the bench picks up every registered engine
