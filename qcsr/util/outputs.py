"""Checks an output path passes before any work starts (the CLI validates, then works): a location that can
be written, not a folder, not the input, not an existing file unless --overwrite; for videos a container
that holds the codec, and encoder settings in range."""

from __future__ import annotations

import os
from pathlib import Path

from qcsr.util.errors import QcsrError

# container (suffix) -> the --codec values it can hold (FFmpeg muxers: mp4/mov take H.264 and HEVC, mp4 AV1 too;
# FFV1 is a Matroska/AVI codec; WebM takes only VP8/VP9/AV1; YUV4MPEG2 only raw 4:2:0); `-` is YUV4MPEG2 on stdout
CONTAINERS = {".mkv": ("h264", "hevc", "ffv1", "vp9", "av1"), ".mp4": ("h264", "hevc", "av1"),
              ".m4v": ("h264", "hevc"), ".mov": ("h264", "hevc"), ".avi": ("h264", "ffv1"),
              ".nut": ("h264", "hevc", "ffv1"), ".webm": ("vp9", "av1"), ".y4m": ("y4m",)}  # fmt: skip
X26X_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
                "placebo")
CRF_RANGE = {"h264": (0, 51), "hevc": (0, 51), "vp9": (0, 63), "av1": (0, 63)}  # 8-bit encoders
PRESETS = {"h264": X26X_PRESETS, "hevc": X26X_PRESETS, "vp9": tuple(map(str, range(9))),  # cpu-used
           "av1": tuple(map(str, range(14)))}  # SVT-AV1 preset  # fmt: skip


def _suffix(out: str | os.PathLike) -> str:
    return ".y4m" if str(out) == "-" else Path(out).suffix.lower()


def default_codec(out: str | os.PathLike) -> str:
    """The codec an output path implies: the first its container holds (H.264, VP9 for .webm, raw for y4m)."""
    return CONTAINERS.get(_suffix(out), ("h264",))[0]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(out: str | os.PathLike, inputs: tuple[str | os.PathLike, ...] = (), overwrite: bool = False) -> Path:
    """The output path, if writing it is allowed; QcsrError naming the problem otherwise."""
    p = Path(out)
    if p.is_dir():
        raise QcsrError(f"output is a folder, not a file: {p}")
    for src in inputs:
        if _same_file(p, Path(src)) or p.resolve() == Path(src).resolve():
            raise QcsrError(f"output is the input file: {p} (choose another output path)")
    if p.exists() and not overwrite:
        raise QcsrError(f"output exists: {p} (use --overwrite to replace it)")
    parent = p.parent if str(p.parent) else Path(".")
    probe = parent
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise QcsrError(f"cannot write {p}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise QcsrError(f"cannot write {p}: folder {probe} is not writable")
    return p


def check_video_output(out: str | os.PathLike, codec: str, crf: int | None, preset: str | None) -> None:
    """A container that holds `codec`, and encoder settings the encoder takes."""
    suffix = _suffix(out)
    if suffix not in CONTAINERS:
        ok = ", ".join(CONTAINERS)
        raise QcsrError(f"cannot write video {out}: {suffix or 'no suffix'} is not a container qcsr writes "
                        f"(use {ok}, or - for YUV4MPEG2 on stdout)")
    if codec not in CONTAINERS[suffix]:
        raise QcsrError(f"cannot write video {out}: {suffix} does not hold {codec} "
                        f"(it holds {', '.join(CONTAINERS[suffix])}; or use .mkv)")
    if crf is not None:
        if codec not in CRF_RANGE:
            raise QcsrError(f"--crf applies to {', '.join(CRF_RANGE)}, not to the lossless {codec}")
        lo, hi = CRF_RANGE[codec]
        if not lo <= crf <= hi:
            raise QcsrError(f"--crf {crf} outside [{lo}, {hi}] for {codec}")
    if preset is not None:
        if codec not in PRESETS:
            raise QcsrError(f"--preset applies to {', '.join(PRESETS)}, not to the lossless {codec}")
        if preset not in PRESETS[codec]:
            raise QcsrError(f"--preset {preset!r} is not a {codec} preset ({', '.join(PRESETS[codec])})")
