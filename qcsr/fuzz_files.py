"""Model-file and media fuzzing (`make fuzz`): mutated `.q.json` / `.pt` models and mutated images and videos,
each judged by what qcsr promises for bad input (docs/fuzz.md).

- A model file is either refused with a QcsrError, or loads into a model that works: a quantized model whose
  fast and golden engines give the same pixels, a float model whose output is finite.
- A media file through `qcsr upscale` (the CLI's `main`, in a worker process) ends in exit 0 with the output
  file, or exit 2 with one `qcsr: error:` line and no output; never a traceback, a hang (per-case timeout),
  a crash of the process, or a file left beside the output.

Mutations come from Hypothesis with a fixed seed (the same driver as qcsr/fuzz_packets.py): structural ones
(a JSON value or a tensor replaced by a boundary, NaN/inf, a wrong type or shape, a key dropped or added,
nesting deep enough to exhaust a recursive parser) and byte-level ones (bits flipped, bytes overwritten,
inserted or cut, the file truncated), from the shipped models and from small images and videos of every
container the CLI reads. Each case runs in a worker process; a case that kills the worker is a crash and a
case past its timeout a hang, and the worker is restarted for the next case.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ZOO = ROOT / "model" / "zoo"
FAILURES = ("traceback", "hang", "crash", "fast != golden", "non-finite output", "partial output",
            "exit code", "no error line", "output missing")


# ---------------------------------------------------------------------------------------------- mutations
def _byte_mutation(rnd: random.Random, data: bytes) -> tuple[str, bytes]:
    """A byte-level mutation of `data`."""
    n = len(data)
    kind = rnd.choice(["flip", "overwrite", "insert", "cut", "truncate", "header", "zero", "empty"])
    b = bytearray(data)
    if kind == "empty":
        return kind, b""
    if kind == "truncate":
        return kind, bytes(b[: rnd.randint(0, max(n - 1, 0))])
    if kind in ("flip", "header"):
        hi = min(n, 64) if kind == "header" else n
        for _ in range(rnd.randint(1, 8)):
            i = rnd.randint(0, hi - 1)
            b[i] ^= 1 << rnd.randint(0, 7)
        return kind, bytes(b)
    i = rnd.randint(0, n - 1)
    ln = rnd.randint(1, 64)
    if kind == "overwrite":
        b[i : i + ln] = rnd.randbytes(ln)
    elif kind == "zero":
        b[i : i + ln] = bytes(len(b[i : i + ln]))
    elif kind == "insert":
        b[i:i] = rnd.randbytes(rnd.randint(1, ln))
    else:  # cut
        del b[i : i + ln]
    return kind, bytes(b)


_ODD_VALUES = [0, -1, 1, 2, 3, 15, 16, 17, 255, 256, 1023, 1024, -1024, -1025, 2**31, -(2**31) - 1, 2**63,
               10**30, 0.5, 1.0, -0.0, 1e308, float("nan"), float("inf"), float("-inf"), "x", "", None, True,
               False, [], {}, [1, 2], {"a": 1}]


def _paths(obj, prefix=()):
    """Every (path, value) in a JSON tree, containers included."""
    yield prefix, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def _set(obj, path, value):
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value


def json_mutation(rnd: random.Random, good: dict, text: bytes) -> tuple[str, bytes]:
    """A mutated quantized-model file: a structural change of the JSON tree, or bytes mutated."""
    kind = rnd.choice(["value", "value", "value", "boundary", "drop", "add", "shape", "swap", "deep",
                                 "bytes", "bytes", "encoding"])
    if kind == "bytes":
        sub, data = _byte_mutation(rnd, text)
        return f"bytes:{sub}", data
    if kind == "encoding":
        enc = rnd.choice(["bom", "utf16", "latin1-key", "nul"])
        if enc == "bom":
            return "encoding", b"\xef\xbb\xbf" + text
        if enc == "utf16":
            return "encoding", text.decode().encode("utf-16")
        if enc == "nul":
            return "encoding", text[:100] + b"\x00" + text[100:]
        return "encoding", text.replace(b'"format"', b'"f\xe9rmat"', 1)
    if kind == "deep":
        depth = rnd.choice([100, 1000, 10_000, 200_000])
        return "deep", b'{"format": "qcsr-quant", "layers": ' + b"[" * depth + b"]" * depth + b"}"
    obj = copy.deepcopy(good)
    paths = [p for p, _ in _paths(obj) if p]
    path = rnd.choice(paths)
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    cur = parent[path[-1]]
    if kind == "value":
        _set(obj, path, copy.deepcopy(rnd.choice(_ODD_VALUES)))
    elif kind == "boundary" and isinstance(cur, int) and not isinstance(cur, bool):
        _set(obj, path, cur + rnd.choice([-2, -1, 1, 2, 1 << 9, -(1 << 9), 1 << 13, -(1 << 13)]))
    elif kind == "drop":
        del parent[path[-1]]
    elif kind == "add":
        if isinstance(cur, dict):
            cur[rnd.choice(["extra", "shift", "bits", ""])] = rnd.choice(_ODD_VALUES[:12])
        elif isinstance(cur, list):
            cur.append(copy.deepcopy(cur[-1]) if cur else 0)
        else:
            _set(obj, path, [cur, cur])
    elif kind == "shape" and isinstance(cur, list) and cur:
        op = rnd.choice(["drop", "dup", "wrap", "flatten"])
        if op == "drop":
            cur.pop(rnd.randint(0, len(cur) - 1))
        elif op == "dup":
            cur.insert(0, copy.deepcopy(cur[0]))
        elif op == "wrap":
            _set(obj, path, [cur])
        else:
            _set(obj, path, list(np.asarray(cur, dtype=object).ravel()) if isinstance(cur[0], list) else cur[:1])
    elif kind == "swap":
        other = rnd.choice(paths)
        try:
            a, b = cur, copy.deepcopy(dict(_paths(obj))[other])
            _set(obj, path, b)
            _set(obj, other, a)
        except (KeyError, IndexError, TypeError):
            pass
    else:
        _set(obj, path, copy.deepcopy(rnd.choice(_ODD_VALUES)))
    # NaN and infinities as Python's json writes them (bare tokens), which strict JSON readers refuse
    return kind, json.dumps(obj, allow_nan=True, default=str).encode()


def pt_mutation(rnd: random.Random, blob: dict, data: bytes) -> tuple[str, bytes]:
    """A mutated float-model file: a changed checkpoint dictionary (saved with torch), or bytes mutated."""
    import torch

    kind = rnd.choice(["tensor", "tensor", "dtype", "shape", "key", "arch", "arch", "header",
                                 "provenance", "bytes", "bytes"])
    if kind == "bytes":
        sub, b = _byte_mutation(rnd, data)
        return f"bytes:{sub}", b
    blob = copy.deepcopy(blob)
    sd = blob["state_dict"]
    name = rnd.choice(sorted(sd))
    t = sd[name]
    if kind == "tensor":
        v = rnd.choice([float("nan"), float("inf"), float("-inf"), 1e38, -1e38, 1e6, 0.0])
        t = t.clone().reshape(-1)
        if t.numel():
            t[rnd.randint(0, t.numel() - 1)] = v
        sd[name] = t.reshape(sd[name].shape)
    elif kind == "dtype":
        dt = rnd.choice([torch.float16, torch.float64, torch.int32, torch.int8, torch.bool,
                                   torch.complex64, torch.bfloat16])
        sd[name] = t.to(dt) if dt is not torch.complex64 else torch.complex(t.float(), torch.full_like(t.float(),
                                                                                                         float("nan")))
    elif kind == "shape":
        op = rnd.choice(["flat", "grow", "shrink", "scalar", "empty"])
        sd[name] = {"flat": t.reshape(-1), "grow": torch.cat([t, t]) if t.dim() else t.reshape(1),
                    "shrink": t[:1] if t.dim() else t, "scalar": torch.tensor(1.0),
                    "empty": torch.empty(0)}[op]
    elif kind == "key":
        op = rnd.choice(["drop", "add", "rename", "value"])
        if op == "drop":
            del sd[name]
        elif op == "add":
            sd["extra.weight"] = torch.zeros(3)
        elif op == "rename":
            sd[name + "_x"] = sd.pop(name)
        else:
            sd[name] = rnd.choice([None, 1, "w", [1.0, 2.0]])
    elif kind == "arch":
        key = rnd.choice(["F", "C", "N", "KH", "KW", "G", "scale", "extra"])
        blob["arch"][key] = rnd.choice([0, -1, 1, 2, 4, 5, 64, 10**4, 10**9, 3.0, "3", None, [3]])
    elif kind == "header":
        key = rnd.choice(["format", "version", "arch", "state_dict"])
        blob[key] = rnd.choice([None, 0, 2, "qcsr", [], {}])
    else:
        v = rnd.choice([float("nan"), float("inf"), [float("nan")], {"a": float("-inf")}, "ok", 1])
        blob["provenance"] = {"x": v} if (rnd.random() < 0.5) else v
    buf = io.BytesIO()
    torch.save(blob, buf)
    return kind, buf.getvalue()


def collect(make: Callable[[random.Random], object], count: int, seed: int) -> list:
    """`count` cases, each made by `make` from a random generator Hypothesis draws (reproducible for a seed;
    the generator, not Hypothesis' own value choices, picks among mutations, so they come uniformly)."""
    from hypothesis import strategies as st

    from qcsr.fuzz_packets import examples

    return examples(st.randoms(use_true_random=False).map(make), count, seed)


# ---------------------------------------------------------------------------------------------- media
def _tiny_rgb(h: int = 14, w: int = 18) -> np.ndarray:
    from skimage import data as skdata

    img = skdata.astronaut()[200 : 200 + 2 * h : 2, 180 : 180 + 2 * w : 2]
    return np.ascontiguousarray(img)


def media_seeds(folder: Path) -> list[Path]:
    """Small good inputs of every kind the CLI reads: images (8-bit RGB, grey, RGBA, palette) and videos
    (H.264 in MP4, FFV1 in Matroska, H.264 + AAC in Matroska, VP9 in WebM)."""
    from fractions import Fraction

    import av
    from PIL import Image

    from qcsr.util.video import write_video

    folder.mkdir(parents=True, exist_ok=True)
    rgb = _tiny_rgb()
    out = []
    for name, im in [("rgb.png", Image.fromarray(rgb)), ("grey.png", Image.fromarray(rgb[..., 0])),
                     ("rgba.png", Image.fromarray(np.dstack([rgb, rgb[..., 1]]))),
                     ("palette.png", Image.fromarray(rgb).convert("P")), ("rgb.jpg", Image.fromarray(rgb)),
                     ("rgb.bmp", Image.fromarray(rgb)), ("rgb.tif", Image.fromarray(rgb)),
                     ("grey.pgm", Image.fromarray(rgb[..., 1])), ("rgb.ppm", Image.fromarray(rgb))]:
        im.save(folder / name)
        out.append(folder / name)
    frames = [np.roll(rgb, 2 * k, axis=1) for k in range(4)]
    out.append(write_video(folder / "h264.mp4", frames, Fraction(24), "h264", preset="ultrafast"))
    out.append(write_video(folder / "ffv1.mkv", frames, Fraction(24), "ffv1"))
    out.append(write_video(folder / "h264_aac.mkv", frames, Fraction(24), "h264", preset="ultrafast",
                           audio_tone=440.0))
    p = folder / "vp9.webm"
    with av.open(str(p), "w") as c:
        s = c.add_stream("libvpx-vp9", rate=24, options={"deadline": "realtime", "cpu-used": "8"})
        s.width, s.height, s.pix_fmt = rgb.shape[1], rgb.shape[0], "yuv420p"
        for i, f in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(f, format="rgb24").reformat(format="yuv420p")
            vf.pts = i
            for pk in s.encode(vf):
                c.mux(pk)
        for pk in s.encode():
            c.mux(pk)
    out.append(p)
    return out


def media_mutation(rnd: random.Random, seeds: Sequence[tuple[str, bytes]]) -> tuple[str, str, bytes, list[str]]:
    """(seed name, mutation, bytes, extra CLI options) for one media case."""
    name, data = rnd.choice(list(seeds))
    sub, b = _byte_mutation(rnd, data) if rnd.randint(0, 9) else ("none", data)
    opts = []
    if name.endswith((".mp4", ".mkv", ".webm")):
        opts = rnd.choice([["--codec", "ffv1"], ["--codec", "h264", "--preset", "ultrafast"],
                                     ["--codec", "ffv1", "--strict"]])
    return name, sub, b, opts


# ---------------------------------------------------------------------------------------------- judging
class _Hang(BaseException):
    pass


def _alarm(_sig, _frame):
    raise _Hang()


def _judge_quant(path: Path) -> str:
    from qcsr.golden.engine import GoldenEngine
    from qcsr.golden.fast import FastEngine
    from qcsr.resolver import open_model
    from qcsr.util.errors import QcsrError

    try:
        model = open_model(path).quant()
    except QcsrError:
        return "refused"
    y = _tiny_rgb(10, 12)[..., 1]
    fast, gold = FastEngine(model).upscale_luma(y), GoldenEngine(model).upscale_luma(y)
    return "accepted" if np.array_equal(fast, gold) else "fast != golden"


def _judge_float(path: Path) -> str:
    import torch

    from qcsr.resolver import open_model
    from qcsr.util.errors import QcsrError

    try:
        net = open_model(path).float_net()
    except QcsrError:
        return "refused"
    with torch.no_grad():
        out = net(torch.from_numpy(_tiny_rgb(10, 12)[..., 1].astype(np.float32)[None, None] / 255))
    return "accepted" if bool(torch.isfinite(out).all()) else "non-finite output"


def _judge_media(path: Path, opts: list[str]) -> str:
    from qcsr.cli import main

    suffix = ".mkv" if path.suffix in (".mp4", ".mkv", ".webm") else ".png"
    out_dir = path.parent / "out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir()
    out = out_dir / f"up{suffix}"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["upscale", str(path), str(out), "--engine", "fast", *opts])
    left = sorted(p.name for p in out_dir.iterdir())
    text = err.getvalue()
    if rc == 0:
        if left != [out.name]:
            return "output missing" if not left else "partial output"
        return "upscaled, damage warned" if "qcsr: warning:" in text else "upscaled"
    if rc != 2:
        return "exit code"
    if left:
        return "partial output"
    if sum(ln.startswith("qcsr: error:") for ln in text.splitlines()) != 1:
        return "no error line"
    return "refused"


def _judge_probe(_path: Path, opts: list[str]) -> str:
    """The harness's own check (tests/test_fuzz_files.py): a case that raises, hangs or kills the process."""
    import time

    if "raise" in opts:
        raise ValueError("probe")
    if "hang" in opts:
        while True:
            time.sleep(0.01)
    if "crash" in opts:
        os._exit(3)
    return "refused"


def _worker(conn, timeout_s: float) -> None:
    """Run cases sent over `conn` until None: (kind, path, opts) -> outcome (a traceback names its type)."""
    import signal

    signal.signal(signal.SIGALRM, _alarm)
    judges: dict[str, Callable] = {"q.json": lambda p, o: _judge_quant(p), "pt": lambda p, o: _judge_float(p),
                                   "media": _judge_media, "probe": _judge_probe}
    while True:
        job = conn.recv()
        if job is None:
            return
        kind, path, opts = job
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
        try:
            res = judges[kind](Path(path), opts)
        except _Hang:
            res = "hang"
        except BaseException as e:  # noqa: BLE001 - the point is to see every escape
            tb = traceback.extract_tb(e.__traceback__)
            where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
            res = f"traceback:{type(e).__name__} at {where}: {str(e)[:120]}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        conn.send(res)


@dataclass
class Runner:
    """Cases in a worker process: a worker that dies is a crash, one past its timeout (+ margin) a hang."""

    timeout_s: float = 20.0
    proc: mp.Process | None = None
    conn: object = None
    restarts: int = 0
    ctx: object = field(default_factory=lambda: mp.get_context("spawn"))

    def _start(self) -> None:
        a, b = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(b, self.timeout_s), daemon=True)
        self.proc.start()
        self.conn = a

    def run(self, kind: str, path: Path, opts: Sequence[str] = ()) -> str:
        if self.proc is None or not self.proc.is_alive():
            self._start()
        self.conn.send((kind, str(path), list(opts)))
        # the first case in a worker pays for its imports and JIT compiles
        crashed = False
        if self.conn.poll(self.timeout_s + 120):
            try:
                return self.conn.recv()
            except (EOFError, ConnectionError):     # the worker's end closed: it died
                crashed = True
        self.proc.kill()
        self.proc.join()
        self.proc = None
        self.restarts += 1
        return "crash" if crashed else "hang"

    def close(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.conn.send(None)
            self.proc.join(10)
            if self.proc.is_alive():
                self.proc.kill()


# ---------------------------------------------------------------------------------------------- campaigns
def _tally(rows: dict[str, Counter], mutation: str, outcome: str, examples: dict[str, list]) -> None:
    cls = outcome.split(":", 1)[0]
    rows[mutation][cls] += 1
    if cls in FAILURES and len(examples[cls]) < 5:
        examples[cls].append(f"{mutation}: {outcome}")


def fuzz_models(count: int, seed: int, work: Path, runner: Runner,
                bar: Callable[[int], None] | None = None) -> dict:  # fmt: skip
    """`count` mutated model files, about 70 % quantized (`.q.json`) and 30 % float (`.pt`)."""
    import torch

    work.mkdir(parents=True, exist_ok=True)
    n_q = round(count * 0.7)
    rows: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list] = defaultdict(list)
    for stem in ("qcsr_x2_proposed", "qcsr_x2_bicubic"):
        text = (ZOO / f"{stem}.q.json").read_bytes()
        good = json.loads(text)
        cases = collect(lambda r, g=good, t=text: json_mutation(r, g, t), n_q // 2, seed)
        for i, (mut, data) in enumerate(cases):
            p = work / f"m{i % 7}.q.json"
            p.write_bytes(data)
            _tally(rows, f".q.json {mut}", runner.run("q.json", p), examples)
            if bar:
                bar(1)
    data = (ZOO / "qcsr_x2_proposed.pt").read_bytes()
    blob = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    cases = collect(lambda r: pt_mutation(r, blob, data), count - 2 * (n_q // 2), seed + 1)
    for i, (mut, b) in enumerate(cases):
        p = work / f"m{i % 7}.pt"
        p.write_bytes(b)
        _tally(rows, f".pt {mut}", runner.run("pt", p), examples)
        if bar:
            bar(1)
    return {"rows": {k: dict(v) for k, v in sorted(rows.items())}, "examples": dict(examples)}


def fuzz_media(count: int, seed: int, work: Path, runner: Runner,
               bar: Callable[[int], None] | None = None) -> dict:  # fmt: skip
    """`count` mutated images and videos through `qcsr upscale`."""

    seeds = [(p.name, p.read_bytes()) for p in media_seeds(work / "seeds")]
    cases = collect(lambda r: media_mutation(r, seeds), count, seed)
    rows: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list] = defaultdict(list)
    for i, (name, mut, data, opts) in enumerate(cases):
        case = work / f"c{i % 5}"
        shutil.rmtree(case, ignore_errors=True)
        case.mkdir(parents=True)
        p = case / f"in{Path(name).suffix}"
        p.write_bytes(data)
        _tally(rows, f"{Path(name).suffix[1:]} {mut}", runner.run("media", p, opts), examples)
        if bar:
            bar(1)
    return {"rows": {k: dict(v) for k, v in sorted(rows.items())}, "examples": dict(examples)}


def failures(result: dict) -> int:
    return sum(n for r in result["rows"].values() for c, n in r.items() if c in FAILURES)


def markdown(models: dict | None, media: dict | None, seed: int) -> str:
    """docs/fuzz.md's model-file and media sections."""
    out = []
    for title, res, what in [
        ("Model files", models, "Mutated `.q.json` and `.pt` files (Hypothesis, seed {seed}) loaded as `--model` "
         "loads them; `accepted`: a quantized model whose fast and golden engines agree on a test image, or a "
         "float model with finite output; `refused`: a QcsrError naming the problem."),
        ("Images and videos", media, "Mutated images and videos (Hypothesis, seed {seed}) through `qcsr upscale "
         "--engine fast` (the CLI's `main` in a worker process, 20 s per case): `upscaled` (exit 0, the output "
         "file and nothing else), `upscaled, damage warned` (FFmpeg concealed decode errors; one warning line), "
         "`refused` (exit 2, one `qcsr: error:` line, no file left).")]:
        if res is None:
            continue
        rows = res["rows"]
        classes = sorted({c for r in rows.values() for c in r}, key=lambda c: (c in FAILURES, c))
        total = Counter()
        for r in rows.values():
            total.update(r)
        out += [f"## {title}", "", what.format(seed=seed), "",
                "| mutation | cases | " + " | ".join(classes) + " |", "|---|---|" + "---|" * len(classes)]
        for k, r in rows.items():
            out.append(f"| {k} | {sum(r.values()):,} | " + " | ".join(f"{r.get(c, 0):,}" for c in classes) + " |")
        out.append(f"| **all** | **{sum(total.values()):,}** | "
                   + " | ".join(f"**{total.get(c, 0):,}**" for c in classes) + " |")
        bad = failures(res)
        out += ["", f"Failures (traceback, hang, crash, fast != golden, partial output, ...): **{bad}**.", ""]
        for cls, ex in res.get("examples", {}).items():
            out += [f"- {cls}: " + "; ".join(f"`{e}`" for e in ex)]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Model-file and media fuzzing (docs/fuzz.md).")
    ap.add_argument("--models", type=int, default=10_000, help="mutated model files (0: none)")
    ap.add_argument("--media", type=int, default=2_000, help="mutated images and videos (0: none)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per case before it counts as a hang")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    ap.add_argument("--json", type=Path, help="write the counts as JSON")
    ap.add_argument("--md", type=Path, help="write docs/fuzz.md: title, the --include sections, then these")
    ap.add_argument("--include", type=Path, action="append", default=[],
                    help="a section written by another fuzzer (qcsr.fuzz_packets --md), placed first")
    a = ap.parse_args(argv)
    from tqdm import tqdm

    work = a.work or Path(tempfile.mkdtemp(prefix="qcsr-fuzz-"))
    runner = Runner(a.timeout)
    res: dict = {}
    try:
        with tqdm(total=a.models + a.media, desc="fuzz models+media", unit=" case", file=sys.stderr) as bar:
            if a.models:
                res["models"] = fuzz_models(a.models, a.seed, work / "models", runner, bar.update)
            if a.media:
                res["media"] = fuzz_media(a.media, a.seed, work / "media", runner, bar.update)
    finally:
        runner.close()
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = markdown(res.get("models"), res.get("media"), a.seed)
    print(text)
    head = ("# Fuzzing (`make fuzz`)\n\nGenerated by `make fuzz`: configuration packets by qcsr/fuzz_packets.py, "
            "model files and media by qcsr/fuzz_files.py. CI runs a bounded sample of each (tests/test_fuzz_*.py, "
            "rtl_tb/fuzz/).\n\n")
    text = head + "".join(p.read_text() + "\n" for p in a.include) + text
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    if a.md:
        a.md.parent.mkdir(parents=True, exist_ok=True)
        a.md.write_text(text)
    return 1 if any(failures(r) for r in res.values()) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
