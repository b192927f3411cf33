"""1080p throughput run of the RTL core: Verilated C++ feeder/checker, golden comparison, analytical model.

    python rtl/bench/bench_rtl.py [--width 1920 --height 1080] [--json out.json]

Builds qcsr_top (default parameters, MAX 1920 x 1080) with bench_main.cpp into build/rtl_tb/bench-*,
feeds one frame with no idle cycles and no back-pressure, and reports cycles from the first input beat
to the last output beat per input pixel, the latency to the first output beat in LR lines, and the
analytical model of docs/ARCHITECTURE.md section 4 next to them. The HR frame must equal the golden
engine's (np.array_equal) or the run fails. The weights come from the first "proposed" vector of
$QCSR_VECTORS (or out/golden/vectors; else the shipped models in model/zoo).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "rtl_tb"))  # the simulation helpers (Verilator, sources)

from qcsr_tbutil import BUILD_ROOT, ROOT, VERILATOR_ARGS, ensure_verilator, rtl_sources  # noqa: E402

from qcsr.fixedpoint.arch import Arch  # noqa: E402

# default core parameters (qcsr_top): F, C, N, KH, KW, G of the one architecture type
ARCH = {k: v for k, v in Arch().to_dict().items() if k != "scale"}


def clog2(x: int) -> int:
    return max(0, (x - 1).bit_length())


def model_cycles(w: int, h: int, F=ARCH["F"], C=ARCH["C"], N=ARCH["N"], KH=ARCH["KH"], KW=ARCH["KW"], G=ARCH["G"],
                 FOLD=1) -> dict:  # fmt: skip
    """Analytical cycle model (docs/ARCHITECTURE.md section 4.6) for one frame with no idle input and no
    back-pressure, exact while the reorder credit never runs out (CORE + 3 <= FOLD * W / 2 or so: every
    size the bench runs; the regression checks them cycle for cycle)."""
    cnn_rows, cnn_cols = F // 2 + N * (KH // 2), F // 2 + N * (KW // 2)
    rows, cols = max(cnn_rows, 2), max(cnn_cols, 2)
    lag = rows * w + cols                                     # slots before the first output position
    cnn_cyc = (FOLD + F * F + 8) + N * (FOLD + KH * KW + 8) + N * (FOLD + C + 6) + (FOLD + C // G + 6)
    cnn_path = cnn_cyc + (1 if rows > cnn_rows else 0) + (1 if cols > cnn_cols else 0)
    bic_path = (1 if cols > 2 else 0) + 16                    # qcsr_bicubic: 4 + 2 x 6
    core = 7 + max(cnn_path, bic_path) + 6 + 7                # slot -> reorder writer (cycles)
    beats = 2 * ((2 * w + 3) // 4)                            # both HR rows of one LR row
    start = 6                                                 # SOF accept .. first slot valid
    # LR row r is complete in the reorder RAM in cycle done(r); its 2B beats are read one per cycle
    # from the next cycle on, or after the previous row's (odd W at FOLD = 1: 2B = W + 1 > W)
    read = 0
    for r in range(h):
        done = start + FOLD * ((r + 1) * w - 1 + lag) + core
        read = max(done + 1, read + beats) if r else done + 1
    total = read + beats - 1 + 3 + 1                          # first in .. last out (+3: RAM, FIFO, out reg)
    latency = start + FOLD * (w - 1 + lag) + core + 4         # first in .. first out
    return {"cycles": total, "latency": latency, "core_cycles": core, "lag_slots": lag,
            "cnn_rows": cnn_rows, "fold": FOLD}


def build(build_dir: Path, params: dict | None = None) -> Path:
    """Verilate qcsr_top with the C++ bench; Verilator skips the build when nothing changed."""
    ensure_verilator()
    main = HERE / "bench_main.cpp"
    if (build_dir / "bench_main.d").is_file() and str(main) not in (build_dir / "bench_main.d").read_text():
        shutil.rmtree(build_dir)  # built from a bench_main.cpp elsewhere (the bench moved): make would stop on it
    build_dir.mkdir(parents=True, exist_ok=True)
    # -O2 on the model (Verilator's default is -Os): ~1.6x faster simulation for ~20 % more build time
    cmd = ["verilator", "--cc", "--exe", "--build", "-j", os.environ.get("QCSR_BUILD_JOBS", "2"),
           "-MAKEFLAGS", "OPT_FAST=-O2",
           "--top-module", "qcsr_top", "-Mdir", str(build_dir), "-o", "bench", *VERILATOR_ARGS,
           *[f"-G{k}={v}" for k, v in (params or {}).items()],
           str(main), *[str(s) for s in rtl_sources()]]  # fmt: skip
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return build_dir / "bench"


def run_feeder(exe: Path, model, frames: np.ndarray, tag: str) -> tuple[dict, np.ndarray, float]:
    """Stream `frames` ((H, W, 3) or (F, H, W, 3) uint8) through the built core with bench_main.cpp after
    the model's configuration packet; returns its JSON line, the HR frames (same leading shape, x2) and
    the simulation time in seconds."""
    from qcsr.golden.config_packet import config_words

    h, w = frames.shape[-3:-1]
    work = exe.parent
    cfg, inp, out = work / f"{tag}_cfg.bin", work / f"{tag}_in.bin", work / f"{tag}_out.bin"
    cfg.write_bytes(config_words(model, w, h).astype("<u4").tobytes())
    inp.write_bytes(np.ascontiguousarray(frames).tobytes())
    t0 = time.time()
    proc = subprocess.run([str(exe), str(cfg), str(inp), str(w), str(h), str(out)], capture_output=True, text=True)
    t_sim = time.time() - t0
    if not proc.stdout.strip():
        raise RuntimeError(f"RTL run failed: {proc.stderr}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    if proc.returncode != 0:
        res["error"] = proc.stderr.strip()
    hr = np.frombuffer(out.read_bytes(), np.uint8).reshape(*frames.shape[:-3], 2 * h, 2 * w, 3)
    return res, hr, t_sim


def test_image(w: int, h: int, seed: int = 1) -> np.ndarray:
    """A deterministic natural-looking RGB frame: scikit-image's astronaut scaled to w x h plus noise."""
    from PIL import Image
    from skimage import data

    img = Image.fromarray(data.astronaut()).resize((w, h), Image.BICUBIC)
    rng = np.random.default_rng(seed)
    noisy = np.asarray(img, dtype=np.int16) + rng.integers(-6, 7, (h, w, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def bench_model():
    """The weights for the run: a 'proposed' vector's model, else the shipped model."""
    vec = Path(os.environ.get("QCSR_VECTORS", ROOT / "out" / "golden" / "vectors"))
    if (vec / "index.json").is_file():
        os.environ["QCSR_VECTORS"] = str(vec)
        from qcsr_tbutil import vector_entry, vector_index, vector_model

        name = next(v["name"] for v in vector_index()["vectors"] if v["model"] == "proposed")
        return vector_model(vector_entry(name)), f"vectors {vec} ({name})"
    from qcsr.resolver import shipped_models

    return shipped_models()["proposed"], "model/zoo/qcsr_x2_proposed.q.json"


def run(w: int = 1920, h: int = 1080, seed: int = 1, fold: int = 1) -> dict:
    from qcsr.golden.engine import GoldenEngine

    t0 = time.time()
    exe = build(BUILD_ROOT / f"bench-qcsr_top-fold{fold}", {"FOLD": fold})
    t_build = time.time() - t0
    model, source = bench_model()
    rgb = test_image(w, h, seed)
    res, got, t_sim = run_feeder(exe, model, rgb, "bench")
    t2 = time.time()
    want = GoldenEngine(model).upscale(rgb)
    t_golden = time.time() - t2
    res.update({
        "bit_exact": bool(np.array_equal(got, want)),
        "mismatched_pixels": int(np.any(got != want, axis=-1).sum()),
        "cycles_per_pixel": res["cycles"] / (w * h),
        "latency_cycles": res["first_out"] - res["first_in"],
        "latency_lines": (res["first_out"] - res["first_in"]) / w,
        "model": model_cycles(w, h, **ARCH, FOLD=fold),
        "fold": fold,
        "weights": source,
        "build_s": round(t_build, 1), "sim_s": round(t_sim, 1), "golden_s": round(t_golden, 1),
        "sim_cycles_per_s": round((res["last_out"] + 1) / max(t_sim, 1e-9)),
    })  # fmt: skip
    res["model"]["cycles_per_pixel"] = res["model"]["cycles"] / (w * h)
    res["model"]["latency_lines"] = res["model"]["latency"] / w
    return res


CLOCK_MHZ = {1: 148.5, 2: 297.0, 4: 594.0}     # the clock each FOLD needs for 1080p60 in (docs/ARCHITECTURE.md)
TABLE_SIZES = ((960, 540), (1280, 720), (1920, 1080))


def table(folds=(1, 2), sizes=TABLE_SIZES) -> str:
    """Latency and throughput per input resolution and FOLD, measured on the Verilated default core (each
    frame bit-exact against the golden engine), as the Markdown table docs/integration.md includes."""
    from tqdm import tqdm

    rows = ["| input | FOLD | clock | cycles / frame | cycles / pixel | frame time | max fps | latency (cycles) | "
            "latency | bit-exact |", "|---|---|---|---|---|---|---|---|---|---|"]
    for fold in folds:
        for w, h in tqdm(sizes, desc=f"FOLD {fold}", unit="frame"):
            r = run(w, h, fold=fold)
            mhz = CLOCK_MHZ[fold]
            t_ms = r["cycles"] / (mhz * 1e3)
            rows.append(f"| {w}x{h} | {fold} | {mhz:g} MHz | {r['cycles']:,} | {r['cycles_per_pixel']:.4f} | "
                        f"{t_ms:.2f} ms | {1e3 / t_ms:.1f} | {r['latency_cycles']:,} | "
                        f"{r['latency_cycles'] / mhz:.1f} us ({r['latency_lines']:.2f} LR lines) | "
                        f"{'yes' if r['bit_exact'] else 'NO'} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--fold", type=int, default=1, help="the core's FOLD parameter (cycles per input pixel)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--bench-row", type=Path, help="also write a `qcsr bench` row (docs/bench.md)")
    ap.add_argument("--table", type=Path, help="measure 960x540, 1280x720, 1920x1080 at FOLD 1 and 2 and write "
                    "the latency/throughput table (Markdown) here instead")
    a = ap.parse_args(argv)
    if a.table:
        text = table()
        a.table.parent.mkdir(parents=True, exist_ok=True)
        a.table.write_text(text)
        print(text)
        return 0 if "| NO |" not in text else 1
    r = run(a.width, a.height, fold=a.fold)
    m = r["model"]
    print(f"qcsr_top FOLD={a.fold} {a.width}x{a.height}: {r['cycles']} cycles "
          "from first input beat to last output beat")
    print(f"  cycles per input pixel: {r['cycles_per_pixel']:.5f}"
          f"   (model {m['cycles']} = {m['cycles_per_pixel']:.5f})")
    print(f"  latency to first output beat: {r['latency_cycles']} cycles = {r['latency_lines']:.3f} LR lines"
          f"   (model {m['latency']} = {m['latency_lines']:.3f})")
    print(f"  output {'bit-exact' if r['bit_exact'] else 'MISMATCH'} vs golden engine "
          f"({r['mismatched_pixels']} HR pixels differ), framing errors {r['framing_errors']}, status {r['status']:#x}")
    print(f"  weights: {r['weights']}; build {r['build_s']} s, simulation {r['sim_s']} s "
          f"({r['sim_cycles_per_s']} cycles/s), golden {r['golden_s']} s")
    if a.json:
        a.json.write_text(json.dumps(r, indent=1) + "\n")
    if a.bench_row and r["bit_exact"]:
        a.bench_row.parent.mkdir(parents=True, exist_ok=True)
        row = {"engine": f"RTL on Verilator 5.048, FOLD={a.fold}", "what": f"full core, {a.width}x{a.height} RGB",
               "seconds_per_frame": r["sim_s"],
               "notes": f"{r['cycles']} cycles first input to last output = {r['cycles_per_pixel']:.5f} cycles/pixel, "
                        f"latency {r['latency_lines']:.2f} LR lines, output bit-exact"}  # fmt: skip
        a.bench_row.write_text(json.dumps([row], indent=1) + "\n")
    ok = r["bit_exact"] and r["framing_errors"] == 0 and r["complete"] and r["cycles_per_pixel"] <= a.fold + 0.02
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
