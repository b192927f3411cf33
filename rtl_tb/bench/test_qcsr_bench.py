"""Throughput of the default core (MAX 1920 x 1080): cycles counted by the C++ feeder/checker of
bench_main.cpp, outputs compared with the golden engine, cycles compared with the analytical model
of docs/ARCHITECTURE.md section 4 (exactly: the pipeline never stalls without back-pressure).

One default-network build per FOLD (1 and 2); the full 1080p frames take ~26 s (FOLD = 1) and ~33 s
(FOLD = 2) of simulation plus ~3 s of golden engine each, the same runs as `make bench-rtl`.
"""

from __future__ import annotations

import pytest
from bench_rtl import run


@pytest.mark.parametrize("fold", [1, 2])
@pytest.mark.parametrize("w,h", [(1920, 12), (1919, 9), (2, 2)])
def test_cycles_match_model(vectors_dir, monkeypatch, w, h, fold):
    monkeypatch.setenv("QCSR_VECTORS", str(vectors_dir))
    r = run(w, h, fold=fold)
    assert r["complete"] and r["framing_errors"] == 0, r
    assert r["bit_exact"], f"{r['mismatched_pixels']} HR pixels differ from the golden engine"
    assert r["cycles"] == r["model"]["cycles"], (r["cycles"], r["model"])
    assert r["latency_cycles"] == r["model"]["latency"], (r["latency_cycles"], r["model"])


# FOLD 2 (the shipped configuration) in CI; FOLD 1's full frame (a minute) in the slow set, its cycles are
# checked on 1920 x 12 above
@pytest.mark.parametrize("fold", [pytest.param(1, marks=pytest.mark.slow), 2])
def test_throughput_1080p(vectors_dir, monkeypatch, fold):
    monkeypatch.setenv("QCSR_VECTORS", str(vectors_dir))
    r = run(1920, 1080, fold=fold)
    assert r["complete"] and r["framing_errors"] == 0, r
    assert r["bit_exact"], f"{r['mismatched_pixels']} HR pixels differ from the golden engine"
    assert r["cycles_per_pixel"] <= fold + 0.01 * fold, r["cycles_per_pixel"]
    assert r["cycles"] == r["model"]["cycles"], (r["cycles"], r["model"])


def test_cosim_video_clip(tmp_path):
    """`make cosim-video`: the demo clip (H.264) streamed frame after frame through the core; every HR
    frame equals the golden upscale of its decoded LR frame, and the FFV1 output decodes to those frames."""
    from fractions import Fraction

    import numpy as np
    from cosim_video import run as run_video

    from qcsr.util.video import default_clip_frames, read_frames, write_video

    clip = write_video(tmp_path / "clip.mkv", default_clip_frames(5), Fraction(24), "h264", audio_tone=None)
    r = run_video(clip, tmp_path / "out.mkv", frames=5)
    assert r["frames"] == 5 and r["complete"] and r["framing_errors"] == 0, r
    assert r["bit_exact"], r["mismatched_frames"]
    from qcsr.golden.engine import GoldenEngine
    from qcsr.resolver import open_model

    gold = GoldenEngine(open_model("qcsr_x2_proposed").quant())
    got, src = read_frames(tmp_path / "out.mkv"), read_frames(clip)
    assert len(got) == 5 and all(np.array_equal(g, gold.upscale(f)) for g, f in zip(got, src, strict=True))
