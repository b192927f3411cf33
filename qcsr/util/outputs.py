"""Checks an output path passes before any work starts (the CLI validates, then works): a location that can
be written, not a folder, not the input, not an existing file unless --overwrite; for videos a container
that holds the codec, and encoder settings in range."""

from __future__ import annotations

import os
from pathlib import Path

from qcsr.util.errors import QcsrError

# container (suffix) -> the --codec values it can hold (FFmpeg muxers: mp4/mov take H.264 and HEVC; FFV1 is
# a Matroska/AVI codec; webm takes only VP8/VP9/AV1 and y4m only raw video, neither of which qcsr writes)
CONTAINERS = {".mkv": ("h264", "hevc", "ffv1"), ".mp4": ("h264", "hevc"), ".m4v": ("h264", "hevc"),
              ".mov": ("h264", "hevc"), ".avi": ("h264", "ffv1"), ".nut": ("h264", "hevc", "ffv1")}
X26X_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
                "placebo")
CRF_RANGE = (0, 51)  # libx264 / libx265 (8-bit)


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
    """A container that holds `codec`, and x264/x265 settings the encoder takes."""
    suffix = Path(out).suffix.lower()
    if suffix not in CONTAINERS:
        ok = ", ".join(CONTAINERS)
        raise QcsrError(f"cannot write video {out}: {suffix or 'no suffix'} is not a container qcsr writes "
                        f"(use {ok})")
    if codec not in CONTAINERS[suffix]:
        raise QcsrError(f"cannot write video {out}: {suffix} does not hold {codec} "
                        f"(it holds {', '.join(CONTAINERS[suffix])}; or use .mkv)")
    if crf is not None:
        if codec == "ffv1":
            raise QcsrError("--crf applies to h264/hevc, not to the lossless ffv1")
        if not CRF_RANGE[0] <= crf <= CRF_RANGE[1]:
            raise QcsrError(f"--crf {crf} outside [{CRF_RANGE[0]}, {CRF_RANGE[1]}]")
    if preset is not None:
        if codec == "ffv1":
            raise QcsrError("--preset applies to h264/hevc, not to the lossless ffv1")
        if preset not in X26X_PRESETS:
            raise QcsrError(f"--preset {preset!r} is not an x264/x265 preset ({', '.join(X26X_PRESETS)})")
