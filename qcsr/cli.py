"""qcsr: x2 super-resolution of images and video with a quantized CNN (the golden integers of the FPGA core).

For users: upscale (images, videos, folders, y4m pipes), export (ONNX / QONNX), eval (PSNR/SSIM), clip (a
demo video). For the project: train, quantize, golden, report, sweep, bench, figure, ablation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from qcsr.engines import ENGINES, engines_help
from qcsr.fixedpoint.arch import Arch
from qcsr.onnx_export import FORMATS as EXPORT_FORMATS
from qcsr.util.errors import QcsrError

PIPE = "-"
DEFAULT_DATA = Path("../shared/datasets")


def _range(text: str | None, what: str, kind: type = float) -> tuple | None:
    """'LO,HI' -> (LO, HI); QcsrError naming the option when malformed."""
    if text is None:
        return None
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        return tuple(kind(x) for x in parts)
    except ValueError:
        raise QcsrError(f"--{what} must be LOW,HIGH ({kind.__name__} values), got {text!r}") from None


def degradation_ranges(a: argparse.Namespace):
    """The eq. 2 ranges given on the command line, or None when none was."""
    from qcsr.model.degradations import EQ2, DegradationRanges

    if a.sigma is None and a.quality is None and a.noise is None and a.clean_fraction is None:
        return None
    quality = EQ2.quality if a.quality is None else None if a.quality == "none" else _range(a.quality, "quality", int)
    try:
        return DegradationRanges(
            sigma=_range(a.sigma, "sigma") or EQ2.sigma,
            quality=quality,
            noise_std=_range(a.noise, "noise") or EQ2.noise_std,
            clean_fraction=EQ2.clean_fraction if a.clean_fraction is None else a.clean_fraction,
        )
    except ValueError as e:
        raise QcsrError(str(e)) from None


def _scales(spec: str | None) -> tuple[float, ...] | None:
    """'1.0,0.8' -> (1.0, 0.8); None when not given."""
    if spec is None:
        return None
    try:
        return tuple(float(t) for t in spec.split(","))
    except ValueError:
        raise QcsrError(f"bad --scale-aug {spec!r}: give comma-separated factors in (0, 1], e.g. 1,0.8") from None


def cmd_train(a: argparse.Namespace) -> None:
    from qcsr.model.train import TrainConfig, train

    arch = Arch(F=a.F, C=a.C, N=a.N, KH=a.KH, KW=a.KW, G=a.G)
    ranges = degradation_ranges(a)
    prov = train(TrainConfig(
        a.degradation,
        a.preset,
        a.data,
        a.out,
        seed=a.seed,
        resume=a.resume,
        steps=a.steps,
        arch=arch,
        threads=a.threads,
        stop_after=a.stop_after,
        init=a.init,
        loss=a.loss,
        lr=a.lr,
        patch=a.patch,
        batch=a.batch,
        ranges=ranges,
        reparam=a.reparam,
        ema=a.ema,
        scale_aug=_scales(a.scale_aug),
    ))
    if prov is None:
        print(f"stopped after {a.stop_after} iterations; continue with --resume")
        return
    print(f"wrote {a.out} ({prov['iterations']} iterations, {prov['train_seconds']:.0f} s)")


def cmd_eval(a: argparse.Namespace) -> None:
    from qcsr.evaluate import evaluate, parse_codec_conditions, parse_conditions, to_markdown, write_report

    sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    conditions = (parse_conditions(a.jpeg) if a.jpeg else []) + parse_codec_conditions(a.codec)
    if not conditions:
        raise QcsrError("no input condition: give --jpeg and/or --codec")
    report = evaluate(a.model, a.data, sets, conditions, engine=a.engine, grey=a.grey)
    write_report(report, a.json, a.md)
    print(to_markdown(report), end="")
    for p in (a.json, a.md):
        if p:
            print(f"wrote {p}")


IMAGE_OUTPUTS = (".png", ".bmp", ".tif", ".tiff", ".ppm", ".jpg", ".jpeg", ".webp")
QUALITY_OUTPUTS = (".jpg", ".jpeg", ".webp")


def _upscale_jobs(a: argparse.Namespace) -> list[tuple[str, str]]:
    """(input, output) pairs: one file to one file (or `-`), or files and folders into an output folder."""
    from qcsr.util.imaging import IMAGE_SUFFIXES
    from qcsr.util.video import VIDEO_SUFFIXES

    inputs, out = [str(p) for p in a.inputs], str(a.output)
    single = len(inputs) == 1 and not Path(inputs[0]).is_dir()
    if single and not Path(out).is_dir():
        return [(inputs[0], out)]
    if PIPE in inputs:
        raise QcsrError("`-` (stdin) is one input, upscaled to one output")
    if out == PIPE:
        raise QcsrError("several inputs or a folder go to an output folder, not to `-`")
    if Path(out).exists() and not Path(out).is_dir():
        raise QcsrError(f"several inputs or a folder go to an output folder; {out} is a file")
    media = IMAGE_SUFFIXES | VIDEO_SUFFIXES
    files: list[Path] = []
    for src in map(Path, inputs):
        if src.is_dir():
            found = sorted(f for f in src.iterdir() if f.is_file() and f.suffix.lower() in media)
            if not found:
                raise QcsrError(f"no image or video in folder {src}")
            files += found
        elif src.is_file():
            files.append(src)
        else:
            raise QcsrError(f"input not found: {src}")
    jobs, seen = [], {}
    for f in files:
        dst = Path(out) / f.name
        if dst.name in seen:
            raise QcsrError(f"two inputs would write {dst}: {seen[dst.name]} and {f}")
        seen[dst.name] = f
        jobs.append((str(f), str(dst)))
    return jobs


def _check_job(a: argparse.Namespace, src: str, dst: str) -> str:
    """Validate one (input, output) pair before any work; returns its kind ('video' or 'image')."""
    from qcsr.util.outputs import check_output, check_video_output, default_codec
    from qcsr.util.video import is_video_path

    if dst != PIPE:
        check_output(dst, (src,) if src != PIPE else (), a.overwrite)
    if src != PIPE and not Path(src).is_file():  # before the engine is built (and its kernels loaded)
        raise QcsrError(f"{'video' if is_video_path(src) else 'image'} not found: {src}")
    if is_video_path(src) or is_video_path(dst):
        if not (is_video_path(src) and is_video_path(dst)):
            raise QcsrError(f"a video upscales to a video file and an image to an image: {src} -> {dst}")
        check_video_output(dst, a.codec or default_codec(dst), a.crf, a.preset)
        return "video"
    suffix = Path(dst).suffix.lower()
    if suffix not in IMAGE_OUTPUTS:
        raise QcsrError(f"unsupported output image type: {dst} (write {', '.join(IMAGE_OUTPUTS)})")
    return "image"


def _check_options(a: argparse.Namespace, jobs: list[tuple[str, str]], kinds: list[str]) -> None:
    """Video options need a video among the jobs, --quality a JPEG/WebP output (in a folder run, each applies
    to the files it fits)."""
    if "video" not in kinds and (a.crf is not None or a.preset is not None or a.codec is not None):
        raise QcsrError("--codec, --crf and --preset apply to video output")
    if a.quality is not None:
        suffixes = {Path(d).suffix.lower() for (_, d), k in zip(jobs, kinds, strict=True) if k == "image"}
        if not suffixes & set(QUALITY_OUTPUTS):
            what = ", ".join(sorted(suffixes)) or "video (use --crf)"
            raise QcsrError(f"--quality applies to JPEG/WebP image output, not {what}")


def cmd_upscale(a: argparse.Namespace) -> None:
    import time

    from PIL import Image

    from qcsr.pipeline import image_upscaler
    from qcsr.resolver import open_model
    from qcsr.util.imaging import ALPHA_SUFFIXES, load_image_alpha, save_image
    from qcsr.util.outputs import default_codec
    from qcsr.util.video import upscale_video

    if a.max_pixels is not None and a.max_pixels < 1:
        raise QcsrError(f"--max-pixels must be >= 1, got {a.max_pixels}")
    if a.threads is not None and a.threads < 1:
        raise QcsrError(f"--threads must be >= 1, got {a.threads}")
    if a.quality is not None and not 1 <= a.quality <= 100:
        raise QcsrError(f"--quality must be in 1..100, got {a.quality}")
    if a.overwrite and a.skip_existing:
        raise QcsrError("--overwrite and --skip-existing exclude each other")
    # everything about every output is checked before any work (a missing or unreadable input: its reader)
    jobs = _upscale_jobs(a)
    if a.skip_existing:
        jobs = [(s, d) for s, d in jobs if d == PIPE or not Path(d).exists()]
    elif not a.overwrite and len(jobs) > 1:
        there = [d for _, d in jobs if Path(d).exists()]
        if there:
            raise QcsrError(f"{len(there)} of {len(jobs)} outputs exist (first: {there[0]}); use --overwrite to "
                            "replace them or --skip-existing to leave them")
    kinds = [_check_job(a, s, d) for s, d in jobs]
    _check_options(a, jobs, kinds)
    if a.max_pixels is not None:
        Image.MAX_IMAGE_PIXELS = a.max_pixels
    _set_threads(a.threads)
    say = sys.stderr if any(d == PIPE for _, d in jobs) else sys.stdout  # stdout may be the video itself
    if not jobs:
        print("qcsr: nothing to do (every output exists; --skip-existing)", file=say)
        return
    ref = open_model(a.model)  # resolved once for every job
    up = image_upscaler(ref, a.engine or ref.default_engine(), threads=a.threads)
    t0, frames = time.perf_counter(), 0
    for (src, dst), kind in zip(jobs, kinds, strict=True):
        if kind == "video":
            info, n, damaged = upscale_video(src, dst, up, codec=a.codec, crf=a.crf, preset=a.preset,
                                             strict=a.strict, threads=a.threads or 0)  # fmt: skip
            if damaged:
                print(f"qcsr: warning: {damaged} of {n} frames of {src} had decode errors (concealed by FFmpeg; "
                      "--strict refuses such input)", file=sys.stderr)  # fmt: skip
            frames += n
            print(f"wrote {dst} ({n} frames, {2 * info.width}x{2 * info.height}, "
                  f"{a.codec or default_codec(dst)}{', audio copied' if info.audio else ''})", file=say)  # fmt: skip
            continue
        img, alpha = load_image_alpha(src)
        suffix = Path(dst).suffix.lower()
        if alpha is not None and suffix not in ALPHA_SUFFIXES:
            raise QcsrError(f"{src} has an alpha channel, which {suffix} cannot hold: write .png or .tif "
                            "(alpha is upscaled with the bicubic path)")  # fmt: skip
        hr = up(img)
        if alpha is not None:  # alpha: the core's fixed-point bicubic, as for chroma
            from qcsr.fixedpoint.bicubic import upscale2x_u8

            hr = np.dstack([hr, upscale2x_u8(alpha)])  # RGBA, or LA for a grey image
        save_image(hr, dst, quality=a.quality if Path(dst).suffix.lower() in QUALITY_OUTPUTS else None)
        frames += 1
        print(f"wrote {dst} ({hr.shape[1]}x{hr.shape[0]}{', alpha kept' if alpha is not None else ''})", file=say)
    secs = time.perf_counter() - t0
    files = f"{len(jobs)} file{'s' if len(jobs) > 1 else ''}"
    print(f"upscaled {files}, {frames} frame{'s' if frames != 1 else ''} in {secs:.1f} s "
          f"({frames / secs if secs > 0 else 0:.2f} frames/s)", file=say)


def _set_threads(n: int | None) -> None:
    """--threads: the SR kernels' pool (passed to the engine), Numba's and PyTorch's."""
    if n is None:
        return
    import numba

    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


def cmd_export(a: argparse.Namespace) -> None:
    from qcsr.onnx_export import check_format, export
    from qcsr.util.outputs import check_output

    check_format(a.format)
    if Path(a.output).suffix.lower() != ".onnx":
        raise QcsrError(f"an ONNX model is written to a .onnx file, got {a.output}")
    check_output(a.output, (), a.overwrite)
    out = export(a.model, a.output, a.format)
    print(f"wrote {out} ({a.format}, {out.stat().st_size:,} bytes)")


def cmd_clip(a: argparse.Namespace) -> None:
    from fractions import Fraction

    from qcsr.util.outputs import check_output, check_video_output
    from qcsr.util.video import default_clip_frames, write_video

    if a.frames < 1:
        raise QcsrError(f"--frames must be >= 1, got {a.frames}")
    check_output(a.output, (), a.overwrite)
    check_video_output(a.output, a.codec, None, None)
    frames = default_clip_frames(a.frames)
    write_video(a.output, frames, Fraction(24), a.codec, audio_tone=None if a.no_audio else 440.0)
    h, w = frames[0].shape[:2]
    print(f"wrote {a.output} ({len(frames)} frames, {w}x{h}, 24 fps, {a.codec})")


def cmd_report(a: argparse.Namespace) -> None:
    from qcsr.report import write_codec_results, write_results
    from qcsr.resolver import ZOO

    written = write_codec_results(a.results, a.md) if a.codec else write_results(a.results, a.md, a.readme, ZOO)
    for p in written:
        print(f"wrote {p}")


def cmd_ablation(a: argparse.Namespace) -> None:
    from qcsr.ablation import write_ablation

    for p in write_ablation(a.runs, a.md, a.png, a.reference, a.baseline):
        print(f"wrote {p}")


def cmd_figure(a: argparse.Namespace) -> None:
    from qcsr.figures import zebra_figure

    zebra_figure(a.data, a.out, quality=a.quality)
    print(f"wrote {a.out}")


def cmd_golden(a: argparse.Namespace) -> None:
    from qcsr.golden_job import run_golden_job
    from qcsr.pipeline import default_engine

    engine = a.engine or {"fast": "golden"}.get(default_engine(a.model), "float")  # the job of the golden model
    for what, path in run_golden_job(a.out, a.data, a.model, engine, vectors=not a.no_vectors):
        print(f"wrote {what}: {path}")


def cmd_quantize(a: argparse.Namespace) -> None:
    from qcsr.fixedpoint.model_file import save_quant_model
    from qcsr.model.quantize import quantize_model
    from qcsr.resolver import open_model

    if a.threads:
        import torch

        torch.set_num_threads(a.threads)
    ref = open_model(a.model)
    net, prov = ref.float_net(), ref.float_provenance()
    data = a.data if a.data.is_dir() else None
    res = quantize_model(net, prov, Path(a.model).name, data, a.weight_bits, a.act_bits, a.qat_steps, a.passes)
    save_quant_model(res.model, a.out)
    f = res.model.formats
    print(f"fw = {list(f.fw)}\nfa = {list(f.fa)}")
    print(f"validation PSNR: float {res.float_psnr:.3f} dB, golden integer {res.quant_psnr:.3f} dB")
    print(f"wrote {a.out}")


def cmd_sweep(a: argparse.Namespace) -> None:
    from qcsr.resolver import open_model
    from qcsr.sweep import run_sweep, sweep_markdown, write_sweep

    net = open_model(a.model).float_net()
    res = run_sweep(net, a.data)
    print(sweep_markdown(res, a.model), end="")
    for p in write_sweep(res, a.model, a.out):
        print(f"wrote {p}")


def cmd_bench(a: argparse.Namespace) -> None:
    from qcsr.bench import bench_markdown, run_bench, write_bench

    rows = run_bench(a.model, a.repeat, a.extra)
    print(bench_markdown(rows, a.model), end="")
    print(f"wrote {write_bench(rows, a.model, a.out)}")


UPSCALE_DESCRIPTION = (
    "x2 upscale: one input to one output, or files and folders into an output folder (same file names). `-` is "
    "YUV4MPEG2 on stdin/stdout, for pipes: ffmpeg -i in.mp4 -f yuv4mpegpipe - | qcsr upscale - - | ffmpeg -i - out.mp4"
)
USER_COMMANDS = ("upscale", "export", "eval", "clip")  # listed first in `qcsr -h`; the rest reproduce the project


class _Parser(argparse.ArgumentParser):
    """argparse with one error line (`qcsr: error: ...`, exit 2), like every other refusal of the CLI."""

    def error(self, message: str):
        self.exit(2, f"qcsr: error: {self.prog}: {message} (see {self.prog} -h)\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qcsr")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without an install
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="qcsr", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                 epilog="commands for users: " + ", ".join(USER_COMMANDS) + "\ncommands of the project (train, "
                        "reproduce, regenerate docs): train, quantize, golden, report, sweep, bench, figure, ablation"
                        "\n`qcsr COMMAND -h` for each")  # fmt: skip
    ap.add_argument("--version", action="version", version=f"qcsr {_version()}")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    t = sub.add_parser("train", help="train a float model")
    t.add_argument("--degradation", choices=["bicubic", "proposed", "proposed-direct", "codec"], required=True,
                   help="codec: real H.264/HEVC LR material (model/codec_pool.py)")
    t.add_argument("--preset", choices=["paper", "fast"], default="fast",
                   help="training schedule (model/train.py PRESETS; default %(default)s)")
    t.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding T91/ and BSD200/")
    t.add_argument("--out", type=Path, required=True, help="model file to write (.pt)")
    t.add_argument("--seed", type=int, default=0, help="random seed of the run (default %(default)s)")
    t.add_argument("--resume", action="store_true", help="continue from OUT.ckpt")
    t.add_argument("--steps", type=int, help="override the preset's iteration count")
    t.add_argument("--threads", type=int, help="torch CPU threads")
    t.add_argument("--stop-after", type=int, help="checkpoint and stop after this many iterations")
    t.add_argument("--init", type=Path, help="start from this float model's weights (fine-tuning)")
    t.add_argument("--loss", choices=["l1", "l2"], default="l1",
                   help="training loss (l2: the loss PSNR measures; default %(default)s)")
    t.add_argument("--lr", type=float, help="override the preset's peak learning rate")
    t.add_argument("--patch", type=int, help="override the preset's HR crop side (pixels)")
    t.add_argument("--batch", type=int, help="override the preset's batch size")
    t.add_argument("--sigma", help="proposed: blur sigma range LOW,HIGH (default 0.2,0.8; 0,0 = no blur)")
    t.add_argument("--quality", help="proposed: JPEG quality range LOW,HIGH (default 70,99) or 'none'")
    t.add_argument("--noise", help="proposed: noise std range LOW,HIGH on [0, 1] (default 0,0.02; 0,0 = none)")
    t.add_argument("--clean-fraction", type=float,
                   help="proposed: probability that a training image is the clean bicubic LR (default 0)")
    t.add_argument("--reparam", type=int, default=0, metavar="E",
                   help="train re-parameterised linear branches (pointwise expansion E, e.g. 4) and write the "
                        "folded deployed network (default 0: off)")
    t.add_argument("--ema", type=float, default=0.0, metavar="D",
                   help="keep an exponential moving average of the deployed weights (per-iteration decay D, "
                        "e.g. 0.999); validation and the model file use it (default 0: off)")
    t.add_argument("--scale-aug", metavar="S1,S2,...",
                   help="HR scale-augmentation factors in (0, 1] (a crop of patch/s pixels resized to the patch; "
                        "default 1.0,0.9,0.8,0.7,0.6; 1.0 = none)")
    for name, default in ((k, v) for k, v in Arch().to_dict().items() if k != "scale"):
        t.add_argument(f"--{name}", type=int, default=default, help=f"architecture parameter {name}")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="PSNR/SSIM on benchmark sets: clean, JPEG and video-codec inputs")
    e.add_argument("--model", required=True, help="model file, zoo name, 'bicubic' or 'bicubic-int'")
    e.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the set folders")
    e.add_argument("--sets", default="Set5,Set14,B100,Urban100", help="comma-separated folders under --data")
    e.add_argument("--jpeg", default="none,70,80,90", help="input conditions: 'none' and/or JPEG qualities "
                   "('' for none of them)")
    e.add_argument("--codec", help="video conditions, e.g. h264:crf23,h264:crf28,hevc:crf28: each image as a "
                   "short LR pan encoded with inter frames (docs/codec.md)")
    e.add_argument("--engine", choices=list(ENGINES), default="float",
                   help="default float. " + engines_help())
    e.add_argument("--grey", choices=["luma", "rgb"], default="luma",
                   help="grey images: the grey value is the luma (MATLAB SR code, default) or the image is "
                        "presented as RGB and goes through BT.601 (EDSR/BasicSR loaders; what the core sees)")
    e.add_argument("--json", type=Path, help="write results as JSON")
    e.add_argument("--md", type=Path, help="write results as a Markdown table")
    e.set_defaults(func=cmd_eval)

    u = sub.add_parser("upscale", help="x2 upscale images and videos (luma by the network, chroma bicubic)",
                       description=UPSCALE_DESCRIPTION)
    u.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="image, video (anything FFmpeg decodes), folder of them, or - (YUV4MPEG2 on stdin)")
    u.add_argument("output", metavar="OUTPUT",
                   help="image or video file, - (YUV4MPEG2 on stdout), or a folder for several inputs")
    u.add_argument("--model", default="qcsr_x2_proposed", help="model file or zoo name (default: %(default)s)")
    u.add_argument("--engine", choices=list(ENGINES),
                   help="default: fast for quantized models (zoo names, .q.json), float for .pt files. "
                        + engines_help())  # fmt: skip
    u.add_argument("--codec", choices=["h264", "hevc", "vp9", "av1", "ffv1", "y4m"],
                   help="video output codec (default: what the output implies: vp9 for .webm, y4m for .y4m and "
                        "-, else h264; ffv1: lossless RGB, for bit-exact checks)")  # fmt: skip
    u.add_argument("--crf", type=int, help="video quality: h264/hevc 0..51 (default 23), vp9/av1 0..63 "
                   "(default 32 / 35)")
    u.add_argument("--preset", help="encoder speed: x264/x265 ultrafast..placebo, vp9 cpu-used 0..8, av1 0..13 "
                   "(default by output size: medium / 4 / 8 up to 1080p, veryfast / 8 / 10 above)")
    u.add_argument("--quality", type=int, help="JPEG/WebP output quality 1..100 (default: Pillow's, 75 / 80)")
    u.add_argument("--threads", type=int, help="threads for the SR kernels, Numba, PyTorch and the video "
                   "encoder (default: every core)")
    u.add_argument("--overwrite", action="store_true", help="replace existing output files")
    u.add_argument("--skip-existing", action="store_true", help="leave existing output files and upscale the rest")
    u.add_argument("--strict", action="store_true", help="a video with frames FFmpeg decoded with errors (and "
                   "concealed) is an error (exit 2, no output) instead of a warning")
    u.add_argument("--max-pixels", type=int, help="largest input image in pixels (Pillow's decompression-bomb "
                   "guard, default 89,478,485)")
    u.set_defaults(func=cmd_upscale)

    ex = sub.add_parser("export", help="the network for other runtimes: ONNX (float) or QONNX (quantized)")
    ex.add_argument("model", help="model file (.pt, .q.json) or zoo name")
    ex.add_argument("output", type=Path, help="file to write (.onnx)")
    ex.add_argument("--format", default="onnx", help="; ".join(f"{k}: {v}" for k, v in EXPORT_FORMATS.items())
                    + " (default onnx; luma in, luma out)")
    ex.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    ex.set_defaults(func=cmd_export)

    c = sub.add_parser("clip", help="write the embedded demo clip (a pan across scikit-image's astronaut)")
    c.add_argument("output", type=Path, help="video file to write (.mkv, .mp4, ...)")
    c.add_argument("--frames", type=int, default=72, help="frames at 24 fps (default %(default)s: 3 s)")
    c.add_argument("--codec", choices=["h264", "hevc", "ffv1"], default="h264",
                   help="video codec (default %(default)s)")
    c.add_argument("--no-audio", action="store_true", help="no 440 Hz tone audio stream")
    c.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    c.set_defaults(func=cmd_clip)

    r = sub.add_parser("report", help="build docs/results.md and the README tables from eval JSONs")
    r.add_argument("--results", type=Path, default=Path("docs/results"), help="folder of eval JSON files")
    r.add_argument("--md", type=Path, default=Path("docs/results.md"),
                   help="results page to write (default %(default)s)")
    r.add_argument("--readme", type=Path, default=Path("README.md"),
                   help="README whose results block is rewritten (default %(default)s)")
    r.add_argument("--codec", action="store_true",
                   help="the video-codec report (docs/codec.md): no README block, no zoo sidecars")
    r.set_defaults(func=cmd_report)

    x = sub.add_parser("ablation", help="table + validation plot of trained architecture variants")
    x.add_argument("--runs", type=Path, default=Path("runs/arch"), help="folder of <name>.pt/.log.csv/.json")
    x.add_argument("--md", type=Path, default=Path("docs/training/arch_ablation.md"),
                   help="table to write (default %(default)s)")
    x.add_argument("--png", type=Path, default=Path("docs/training/arch_ablation.png"),
                   help="plot to write (default %(default)s)")
    x.add_argument("--reference", help="variant the clean-table PSNR deltas are taken against")
    x.add_argument("--baseline", type=Path, help="eval JSON the per-condition tables are compared with")
    x.set_defaults(func=cmd_ablation)

    g = sub.add_parser("golden", help="upscale default images and benchmark sets, write PNGs, table, vectors")
    g.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark sets are used when present")
    g.add_argument("--out", type=Path, default=Path("out/golden"), help="output folder (default %(default)s)")
    g.add_argument("--model", default="qcsr_x2_proposed", help="zoo name or .q.json (golden), .pt (float)")
    g.add_argument("--engine", choices=list(ENGINES),
                   help="default: golden for quantized models (zoo names, .q.json), float for .pt files")
    g.add_argument("--no-vectors", action="store_true", help="skip the HLS/RTL test vectors")
    g.set_defaults(func=cmd_golden)

    q = sub.add_parser("quantize", help="format search + QAT fine-tune + export of a float model (.q.json)")
    q.add_argument("--model", required=True, help="float model file or zoo name")
    q.add_argument("--out", type=Path, required=True, help="quantized model to write (.q.json)")
    q.add_argument("--data", type=Path, default=DEFAULT_DATA, help="training images (validation and QAT)")
    q.add_argument("--weight-bits", type=int, default=10, help="weight width in bits (default %(default)s)")
    q.add_argument("--act-bits", type=int, default=14, help="activation width in bits (default %(default)s)")
    q.add_argument("--qat-steps", type=int, default=0, help="QAT fine-tuning iterations (0: post-training only)")
    q.add_argument("--passes", type=int, default=2, help="passes of the PSNR-driven format search")
    q.add_argument("--threads", type=int, help="PyTorch threads (default: every core)")
    q.set_defaults(func=cmd_quantize)

    w = sub.add_parser("sweep", help="PSNR (Set5, Set14) vs weight bits 6..12 and activation bits 8..16")
    w.add_argument("--model", required=True, help="float model file or zoo name")
    w.add_argument("--data", type=Path, default=DEFAULT_DATA,
                   help="folder holding Set5 and Set14 (default %(default)s)")
    w.add_argument("--out", type=Path, default=Path("docs"),
                   help="folder for sweep.md, sweep.json, sweep.png (default %(default)s)")
    w.set_defaults(func=cmd_sweep)

    b = sub.add_parser("bench", help="wall time per 1920x1080 frame of each engine -> docs/bench.md")
    b.add_argument("--model", default="qcsr_x2_proposed", help="model file or zoo name (default %(default)s)")
    b.add_argument("--repeat", type=int, default=3,
                   help="runs per engine at least (default %(default)s; and at least 2 s)")
    b.add_argument("--extra", type=Path, default=Path("out/bench"), help="folder of hardware bench JSON rows")
    b.add_argument("--out", type=Path, default=Path("docs/bench.md"), help="table to write (default %(default)s)")
    b.set_defaults(func=cmd_bench)

    f = sub.add_parser("figure", help="paper Fig. 2 style crops of Set14 zebra from a JPEG LR input")
    f.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding Set14 (default %(default)s)")
    f.add_argument("--quality", type=int, default=70, help="JPEG quality of the LR input (default %(default)s)")
    f.add_argument("--out", type=Path, default=Path("docs/fig2_zebra_jpeg70.png"),
                   help="figure to write (default %(default)s)")
    f.set_defaults(func=cmd_figure)
    # users' commands first, then the project's, marked (argparse lists subcommands in creation order)
    acts = sub._choices_actions
    for act in acts:
        if act.dest not in USER_COMMANDS:
            act.help = f"[project] {act.help}"
    acts.sort(key=lambda act: USER_COMMANDS.index(act.dest) if act.dest in USER_COMMANDS else len(USER_COMMANDS))
    return ap


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that every atomic writer removes its partial file."""


def _on_sigterm(_signum, _frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    import signal

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # -h, --version (0) or a bad argument (2, its one error line already printed)
        return int(e.code or 0)
    clear = "\r\033[K" if sys.stderr.isatty() else ""  # past any half-drawn progress bar
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if _main_thread() else None
    try:
        args.func(args)
    except QcsrError as e:
        print(f"{clear}qcsr: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{clear}qcsr: interrupted (no output written)", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{clear}qcsr: terminated (no output written)", file=sys.stderr)
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
