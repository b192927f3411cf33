"""`make cosim-video`: a real clip through the Verilated RTL core (default build), checked frame by frame.

    python rtl/bench/cosim_video.py [--input CLIP] [--frames N] [--out OUT.mkv] [--model NAME]

Decodes the clip (default: the embedded demo clip, `qcsr clip`, as H.264), streams all its frames
back to back into qcsr_top through the C++ feeder of bench_main.cpp (one configuration packet, then
frame after frame with no idle cycles), compares every HR frame with the golden engine's upscale of
the same decoded frame (np.array_equal), and writes the core's frames as a lossless FFV1 video with
the clip's frame rate. Exit code 1 on any mismatch or framing error.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "rtl_tb"))  # the simulation helpers
sys.path.insert(0, str(HERE))

from bench_rtl import build, run_feeder  # noqa: E402
from qcsr_tbutil import BUILD_ROOT  # noqa: E402


def run(clip: Path, out: Path | None, model_name: str = "qcsr_x2_proposed", frames: int | None = None) -> dict:
    from qcsr.golden.engine import GoldenEngine
    from qcsr.resolver import open_model
    from qcsr.util.video import VideoReader, write_video

    reader = VideoReader(clip)
    try:
        lr = list(reader.frames())
        rate = reader.info.rate or Fraction(24)
    finally:
        reader.close()
    lr = lr[:frames] if frames else lr
    h, w = lr[0].shape[:2]
    model = open_model(model_name).quant()
    exe = build(BUILD_ROOT / "bench-qcsr_top-fold1", {"FOLD": 1})
    res, hr, t_sim = run_feeder(exe, model, np.stack(lr), "video")
    gold = GoldenEngine(model)
    bad = [i for i, f in enumerate(lr) if not np.array_equal(hr[i], gold.upscale(f))]
    res.update({"clip": str(clip), "model": model_name, "sim_s": round(t_sim, 1), "mismatched_frames": bad,
                "bit_exact": not bad, "cycles_per_pixel": res["cycles"] / (w * h * len(lr))})  # fmt: skip
    if out is not None and not bad:
        write_video(out, list(hr), rate, "ffv1", audio_tone=None)
        res["output"] = str(out)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", type=Path, help="video file (default: the embedded demo clip)")
    ap.add_argument("--frames", type=int, default=24, help="frames of the clip to stream (default %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("out/cosim_video/clip_x2_rtl.mkv"))
    ap.add_argument("--model", default="qcsr_x2_proposed")
    a = ap.parse_args(argv)
    clip = a.input
    if clip is None:
        from qcsr.util.video import default_clip_frames, write_video

        clip = a.out.with_name("clip.mkv")
        write_video(clip, default_clip_frames(a.frames), Fraction(24), "h264", audio_tone=None)
    r = run(clip, a.out, a.model, a.frames)
    print(f"qcsr_top on {r['clip']}: {r['frames']} frames {r['width']}x{r['height']} -> "
          f"{2 * r['width']}x{2 * r['height']} streamed back to back, {r['cycles']} cycles "
          f"({r['cycles_per_pixel']:.4f} cycles per input pixel), simulation {r['sim_s']} s")
    print(f"  output {'bit-exact with the golden engine on every frame' if r['bit_exact'] else 'MISMATCH'}"
          f"{'' if r['bit_exact'] else ' on frames ' + str(r['mismatched_frames'])}, framing errors "
          f"{r['framing_errors']}; {'wrote ' + r['output'] if 'output' in r else 'no output written'}")
    return 0 if r["bit_exact"] and r["complete"] and r["framing_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
