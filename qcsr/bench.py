"""`qcsr bench`: wall time per 1920x1080 frame of every engine, measured in one run -> docs/bench.md.

Hardware benchmarks (HLS csim, Verilator) drop JSON rows into `out/bench/*.json`
({"engine": ..., "seconds_per_frame": ..., "notes": ...}); they are merged into the same table.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from qcsr.golden.simd import has_avx2, peak_madd
from qcsr.pipeline import golden_engine, luma_upscaler
from qcsr.util.atomic import save_bytes

FRAME_W, FRAME_H = 1920, 1080


def test_frame() -> np.ndarray:
    """A deterministic 1920x1080 RGB frame (skimage astronaut, resized)."""
    from skimage import data

    return np.asarray(Image.fromarray(data.astronaut()).resize((FRAME_W, FRAME_H), Image.BICUBIC))


MIN_SECONDS = 2.0  # each engine runs at least `repeat` times and at least this long (as timeit's autorange)


def _time(fn: Callable[[], Any], repeat: int, min_seconds: float = MIN_SECONDS) -> tuple[float, float]:
    """Best and median wall time of `fn` over max(repeat, as many runs as fill `min_seconds`)."""
    times: list[float] = []
    while len(times) < repeat or sum(times) < min_seconds:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def run_bench(model: str, repeat: int = 3, extra_dir: Path | None = None, frame: np.ndarray | None = None,
              min_seconds: float | None = None, extras: bool = True) -> list[dict[str, Any]]:  # fmt: skip
    """One luma row per registered engine (qcsr.engines.ENGINES, `bench=True`), then the whole-frame rows,
    the Numba CNN, PyTorch on one thread, ONNX Runtime, the physical limit, a new process and video."""
    import torch

    from qcsr.engines import ENGINES
    from qcsr.fixedpoint.colour import rgb_to_y
    from qcsr.golden.fast import FastEngine
    from qcsr.resolver import open_model

    ref = open_model(model)  # each model file read once for the whole bench
    frame = test_frame() if frame is None else frame
    rows: list[dict[str, Any]] = []
    gold = golden_engine(ref)
    y = rgb_to_y(frame)
    fast = FastEngine(gold.model)
    if not np.array_equal(fast.upscale(frame), gold.upscale(frame)):  # the speed of a wrong answer is no figure
        raise AssertionError("fast engine differs from the golden engine on the bench frame")
    numba_fast = FastEngine(gold.model, simd=False)  # the CNN in Numba: the engine before the int16 kernels
    if not np.array_equal(numba_fast.upscale_luma(y), gold.upscale_luma(y)):
        raise AssertionError("fast engine (Numba CNN) differs from the golden engine on the bench frame")
    kern = f"{'AVX2' if has_avx2() else 'portable C'} int16 CNN" if fast._simd is not None else "Numba CNN"
    n = fast_threads()
    threads = torch.get_num_threads()
    label = {"golden": "golden (NumPy int)", "fast": f"fast ({kern}, {n} threads)",
             "float": f"float PyTorch, {threads} thread{'s' if threads > 1 else ''}"}  # fmt: skip
    built = {"golden": gold.upscale_luma, "fast": fast.upscale_luma}  # reuse the engines checked above
    cases: list[tuple[str, str, Callable[[], Any]]] = []
    for name, eng in ENGINES.items():
        if eng.bench and (name == "float" or not ref.is_baseline):
            fn = built.get(name) or eng.luma(ref, None)
            cases.append((label.get(name, name), "luma CNN + residual", lambda fn=fn: fn(y)))
    cases += [
        ("golden (NumPy int)", "full RGB pipeline", lambda: gold.upscale(frame)),
        (f"fast ({kern}, {n} threads)", "full RGB pipeline", lambda: fast.upscale(frame)),
        (f"fast (Numba CNN, {n} threads)", "luma CNN + residual", lambda: numba_fast.upscale_luma(y)),
    ]
    if threads > 1:
        fl = luma_upscaler(ref, "float")
        cases.append(("float PyTorch, 1 thread", "luma CNN + residual",
                      lambda: (torch.set_num_threads(1), fl(y), torch.set_num_threads(threads))))  # fmt: skip
    ort_fn = _ort_case(ref, y)
    if ort_fn is not None:
        cases.append(("float ONNX Runtime, 2 threads", "luma CNN + residual", ort_fn))
    for engine, what, fn in cases:
        fn()  # warm-up
        best, med = _time(fn, repeat, MIN_SECONDS if min_seconds is None else min_seconds)
        rows.append({"engine": engine, "what": what, "seconds_per_frame": best, "median": med})
    torch.set_num_threads(threads)
    if extras:
        rows.append(peak_row(gold.model))
        rows.append(startup_row())
        rows.extend(video_rows(fast.upscale))
    if extra_dir and Path(extra_dir).is_dir():
        for f in sorted(Path(extra_dir).glob("*.json")):
            rows.extend(json.loads(f.read_text()))
    return rows


def _ort_case(model, y: np.ndarray) -> Callable[[], Any] | None:
    """The same luma work in ONNX Runtime on the `qcsr export --format onnx` graph (2 threads, rounded and
    clipped as the float engine), or None where onnxruntime is not installed."""
    import tempfile

    try:
        import onnxruntime as ort
    except ImportError:
        return None
    from qcsr.onnx_export import export_onnx

    with tempfile.TemporaryDirectory() as d:
        path = export_onnx(model, Path(d) / "m.onnx")
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    x = y.astype(np.float32)[None, None]
    return lambda: np.clip(np.floor(sess.run(None, {"y": x})[0][0, 0] + 0.5), 0, 255).astype(np.uint8)


def network_macs(model, w: int = FRAME_W, h: int = FRAME_H) -> int:
    """Multiply-adds of the CNN on one LR frame (every layer, every pixel)."""
    return sum(lay.spec.out_channels * (lay.spec.in_channels // lay.spec.groups) * lay.spec.kh * lay.spec.kw
               for lay in model.layers) * w * h  # fmt: skip


def peak_row(model, threads: int = 2) -> dict[str, Any]:
    """The physical limit: the machine's int16 multiply-add rate (12 independent vpmaddwd chains per thread,
    16 MACs each), and the CNN's time at that rate: the floor for the luma row above."""
    from concurrent.futures import ThreadPoolExecutor

    iters = 20_000_000
    peak_madd(iters // 10)  # warm up the clock
    secs = float("inf")
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(5):  # the best of five: the rate the machine reaches, not a moment of contention
            t = time.perf_counter()
            list(pool.map(peak_madd, [iters] * threads))
            secs = min(secs, time.perf_counter() - t)
    macs = threads * iters * 12 * 16 / secs if has_avx2() else 0.0
    floor = network_macs(model) / macs if macs else float("nan")
    return {"engine": f"physical limit: vpmaddwd peak, {threads} threads", "what": "CNN MACs at peak",
            "seconds_per_frame": floor, "median": floor, "peak_gmacs": macs / 1e9,
            "notes": f"{macs / 1e9:.0f} GMAC/s measured; {network_macs(model) / 1e9:.2f} GMAC per 1080p frame"}


def startup_row() -> dict[str, Any]:
    """A new process: `qcsr upscale` of a 64x64 image from start to exit (imports, the kernels from Numba's
    cache, the model file, the work), best of three."""
    import subprocess
    import sys
    import tempfile

    times = []
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.png"
        Image.fromarray(test_frame()[:64, :64]).save(src)
        for i in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "qcsr.cli", "upscale", str(src), str(Path(d) / f"o{i}.png")],
                           check=True, capture_output=True)  # fmt: skip
            times.append(time.perf_counter() - t)
    return {"engine": "new process: qcsr upscale", "what": "64x64 image, start to exit", "seconds_per_frame":
            min(times), "median": float(np.median(times)), "notes": "kernels loaded from the cache (no compile)"}


def _clip(w: int, h: int, frames: int) -> list[np.ndarray]:
    """A pan across the bench frame, `frames` frames of w x h."""
    big = test_frame()
    return [np.ascontiguousarray(np.asarray(Image.fromarray(big[:, 8 * i : 8 * i + 1600]).resize((w, h),
            Image.BICUBIC))) for i in range(frames)]  # fmt: skip


def video_rows(upscale: Callable[[np.ndarray], np.ndarray], frames: int = 24) -> list[dict[str, Any]]:
    """H.264 clips (720p, 1080p) -> x2 H.264 with `qcsr upscale`'s defaults: decode alone, SR alone, encode
    alone, and end to end (serial, and the three stages overlapped), each in frames per second."""
    import tempfile
    from fractions import Fraction

    from qcsr.util.video import VideoReader, _encode, _open_output, upscale_video, write_video

    rows = []
    for w, h in ((1280, 720), (1920, 1080)):
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / f"clip{h}.mp4"
            write_video(src, _clip(w, h, frames), rate=Fraction(24), codec="h264", crf=23, preset="medium")

            def decode(src: Path = src) -> list[np.ndarray]:
                r = VideoReader(src)
                try:
                    return list(r.frames())
                finally:
                    r.close()

            t = time.perf_counter()
            lr = decode()
            t_dec = time.perf_counter() - t
            t = time.perf_counter()
            hr = [upscale(f) for f in lr]
            t_sr = time.perf_counter() - t
            t = time.perf_counter()
            out, vs = _open_output(Path(d) / "enc.mp4", "h264", 2 * w, 2 * h, Fraction(24), Fraction(1, 24), None,
                                   None)  # fmt: skip
            for i, f in enumerate(hr):
                _encode(out, vs, f, i, Fraction(1, 24))
            for packet in vs.encode():
                out.mux(packet)
            out.close()
            t_enc = time.perf_counter() - t
            del hr
            t = time.perf_counter()
            upscale_video(src, Path(d) / "serial.mp4", upscale, pipeline=False)
            t_ser = time.perf_counter() - t
            t = time.perf_counter()
            upscale_video(src, Path(d) / "piped.mp4", upscale, pipeline=True)
            t_pipe = time.perf_counter() - t
        sr_fps = frames / t_sr
        for stage, secs in (("decode H.264", t_dec), ("SR (fast engine, RGB)", t_sr), ("encode x2 H.264", t_enc),
                            ("end to end, serial", t_ser), ("end to end, overlapped", t_pipe)):  # fmt: skip
            fps = frames / secs
            rows.append({"engine": f"video {w}x{h} -> {2 * w}x{2 * h}", "what": stage,
                         "seconds_per_frame": secs / frames, "median": secs / frames,
                         "notes": f"{fps:.2f} frames/s = {fps / sr_fps:.2f}x SR alone ({frames} frames)"})  # fmt: skip
    return rows


def fast_threads() -> int:
    import numba

    return numba.get_num_threads()


def bench_markdown(rows: list[dict[str, Any]], model: str) -> str:
    by = {(r["engine"], r["what"]): r["seconds_per_frame"] for r in rows}
    fast = next((r["seconds_per_frame"] for r in rows if r["engine"].startswith("fast") and "RGB" in r["what"]), None)
    gold_rgb = by.get(("golden (NumPy int)", "full RGB pipeline"))
    ref = by.get(("float PyTorch, 1 thread", "luma CNN + residual"))
    gold = by.get(("golden (NumPy int)", "luma CNN + residual"))
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` (`qcsr bench`) on {platform.machine()} with {os.cpu_count()} CPU cores, "
        f"model `{model}`, one 1920x1080 RGB frame (x2 -> 3840x2160). Best of the repeats (at least 3 "
        f"runs and {MIN_SECONDS:g} s per engine); "
        f"load average when the table was written: {os.getloadavg()[0]:.1f}.",
        "",
        "| engine | work | s / frame | frames / s | notes |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["seconds_per_frame"]
        lines.append(f"| {r['engine']} | {r['what']} | {s:.3f} | {1 / s:.2f} | {r.get('notes', '')} |")
    if ref and gold:
        lines += ["", f"Golden engine / float PyTorch (same luma work, one thread each): **{gold / ref:.2f}x**."]
    peak = next((r for r in rows if r["engine"].startswith("physical limit")), None)
    luma = next((r["seconds_per_frame"] for r in rows if r["engine"].startswith("fast (") and "int16" in r["engine"]
                 and "luma" in r["what"]), None)  # fmt: skip
    numba_luma = next((r["seconds_per_frame"] for r in rows if r["engine"].startswith("fast (Numba CNN")), None)
    if peak and luma:
        bound = peak["seconds_per_frame"]
        lines += ["", f"Fast luma against the physical limit ({peak['peak_gmacs']:.0f} GMAC/s of vpmaddwd on 2 "
                      f"threads: {bound * 1000:.1f} ms for the CNN's MACs): **{luma / bound:.2f}x the bound** (the "
                      "luma row also holds the bicubic and the residual)."]  # fmt: skip
    if luma and numba_luma:
        lines += ["", "int16 kernels over the Numba CNN (same luma work, same integers): "
                      f"**{numba_luma / luma:.1f}x**."]  # fmt: skip
    if fast and gold_rgb:
        lines += ["", f"Fast engine speed-up over the golden engine (full RGB pipeline, same frame, same integers "
                      f"— checked before timing): **{gold_rgb / fast:.1f}x**."]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_bench(rows: list[dict[str, Any]], model: str, out: Path) -> Path:
    save_bytes(bench_markdown(rows, model).encode(), out)
    return out
