"""`qcsr upscale` as a video user drives it: folders and several inputs, existing outputs, YUV4MPEG2 pipes,
VP9/AV1, --threads, --quality, --version, the end-of-run line; every new argument with its bad values (exit 2,
one `qcsr: error:` line, no output); the compiled kernels loaded from the cache by a second process."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qcsr.cli import main
from qcsr.util.video import default_clip_frames, read_frames, write_video


def run(args, capsys) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def one_error(rc: int, err: str, text: str) -> None:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert rc == 2, (rc, err)
    assert len(lines) == 1 and lines[0].startswith("qcsr: error:"), err
    assert text in lines[0], (text, lines[0])


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """A folder with two images, one video and a file that is neither."""
    from skimage import data

    d = tmp_path_factory.mktemp("media")
    Image.fromarray(data.astronaut()[100:124, 150:182]).save(d / "a.png")
    Image.fromarray(data.coffee()[50:70, 60:90]).save(d / "b.jpg", quality=95)
    write_video(d / "c.mkv", default_clip_frames(4, (32, 24)), codec="ffv1")
    (d / "notes.txt").write_text("not media")
    return d


@pytest.fixture(scope="module")
def y4m(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("y4m") / "in.y4m"
    write_video(p, default_clip_frames(5, (40, 24)), rate=Fraction(25), codec="y4m")
    return p


def test_folder_input_processes_every_image_and_video_once(media, tmp_path, capsys):
    out = tmp_path / "out"
    rc, so, _ = run(["upscale", media, out, "--codec", "ffv1"], capsys)
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.jpg", "c.mkv"]
    assert sum(ln.startswith("wrote ") for ln in so.splitlines()) == 3
    assert "upscaled 3 files, 6 frames in" in so and "frames/s" in so
    assert Image.open(out / "a.png").size == (64, 48)
    assert len(read_frames(out / "c.mkv")) == 4
    # again: every output exists -> refused (nothing touched), skipped, or replaced
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    rc, _, err = run(["upscale", media, out], capsys)
    one_error(rc, err, "3 of 3 outputs exist")
    rc, so, _ = run(["upscale", media, out, "--skip-existing"], capsys)
    assert rc == 0 and "nothing to do" in so
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    (out / "a.png").unlink()
    rc, so, _ = run(["upscale", media, out, "--skip-existing"], capsys)
    assert rc == 0 and "upscaled 1 file, 1 frame" in so and (out / "a.png").is_file()
    rc, so, _ = run(["upscale", media / "a.png", media / "b.jpg", out, "--overwrite"], capsys)
    assert rc == 0 and "upscaled 2 files" in so


def test_batch_refusals(media, tmp_path, capsys):
    f = tmp_path / "file.png"
    f.write_bytes(b"x")
    for args, text in [
        ([media / "a.png", media / "b.jpg", f], "is a file"),
        ([media, "-"], "not to `-`"),
        (["-", media / "a.png", tmp_path / "o"], "`-` (stdin) is one input"),
        ([tmp_path / "empty", media / "a.png", tmp_path / "o"], "input not found"),
        ([media / "a.png", media / "a.png", tmp_path / "o"], "two inputs would write"),
        ([media, tmp_path / "o", "--overwrite", "--skip-existing"], "exclude each other"),
    ]:
        rc, _, err = run(["upscale", *args], capsys)
        one_error(rc, err, text)
    assert not (tmp_path / "o").exists()
    empty = tmp_path / "nothing"
    empty.mkdir()
    rc, _, err = run(["upscale", empty, tmp_path / "o"], capsys)
    one_error(rc, err, "no image or video in folder")


@pytest.mark.parametrize("opt,text", [
    (["--threads", "0"], "--threads must be >= 1"), (["--threads", "x"], "invalid int value"),
    (["--quality", "0"], "--quality must be in 1..100"), (["--quality", "101"], "--quality must be in 1..100"),
    (["--quality", "high"], "invalid int value"), (["--codec", "mpeg2"], "invalid choice"),
])  # fmt: skip
def test_bad_values_of_new_arguments(media, tmp_path, capsys, opt, text):
    rc, _, err = run(["upscale", media / "a.png", tmp_path / "o.jpg", *opt], capsys)
    one_error(rc, err, text)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("out,opt,text", [
    ("o.png", ["--quality", "90"], "--quality applies to JPEG/WebP image output, not .png"),
    ("o.webm", ["--quality", "90"], "not video (use --crf)"),
    ("o.webm", ["--codec", "h264"], ".webm does not hold h264"),
    ("o.webm", ["--crf", "64"], "--crf 64 outside [0, 63] for vp9"),
    ("o.webm", ["--codec", "av1", "--preset", "14"], "is not a av1 preset"),
    ("o.mkv", ["--codec", "ffv1", "--crf", "10"], "--crf applies to"),
    ("o.png", ["--codec", "h264"], "apply to video output"),
])  # fmt: skip
def test_bad_combinations(media, tmp_path, capsys, out, opt, text):
    src = media / ("c.mkv" if out.endswith((".webm", ".mkv")) else "a.png")
    rc, _, err = run(["upscale", src, tmp_path / out, *opt], capsys)
    one_error(rc, err, text)
    assert not list(tmp_path.iterdir())


def test_quality_and_threads(media, tmp_path, capsys):
    for q in (30, 95):
        assert run(["upscale", media / "b.jpg", tmp_path / f"q{q}.jpg", "--quality", q], capsys)[0] == 0
    assert (tmp_path / "q95.jpg").stat().st_size > (tmp_path / "q30.jpg").stat().st_size
    assert run(["upscale", media / "a.png", tmp_path / "t1.png", "--threads", "1"], capsys)[0] == 0
    assert run(["upscale", media / "a.png", tmp_path / "t2.png"], capsys)[0] == 0
    assert np.array_equal(np.asarray(Image.open(tmp_path / "t1.png")), np.asarray(Image.open(tmp_path / "t2.png")))
    assert run(["upscale", media / "a.png", tmp_path / "w.webp", "--quality", "90"], capsys)[0] == 0
    assert Image.open(tmp_path / "w.webp").size == (64, 48)


@pytest.mark.parametrize("codec", ["vp9", "av1"])
def test_webm_output(media, tmp_path, capsys, codec):
    out = tmp_path / f"o_{codec}.webm"
    rc, so, _ = run(["upscale", media / "c.mkv", out, "--codec", codec], capsys)
    assert rc == 0 and f", {codec}" in so
    frames = read_frames(out)
    assert len(frames) == 4 and frames[0].shape == (48, 64, 3)


def test_y4m_pipe_round_trip_is_bit_exact_with_the_file_path(y4m, tmp_path, capsys):
    """ffmpeg ... -f yuv4mpegpipe - | qcsr upscale - - | ffmpeg -i - ...: the bytes equal a .y4m file output."""
    via_file = tmp_path / "file.y4m"
    assert run(["upscale", y4m, via_file], capsys)[0] == 0
    r = subprocess.run([sys.executable, "-m", "qcsr.cli", "upscale", "-", "-"], input=y4m.read_bytes(),
                       capture_output=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == via_file.read_bytes()
    assert b"upscaled 1 file, 5 frames" in r.stderr  # the report goes to stderr: stdout is the video
    frames = read_frames(via_file)
    assert len(frames) == 5 and frames[0].shape == (48, 80, 3)


def test_garbage_on_stdin_is_one_error_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "qcsr.cli", "upscale", "-", tmp_path / "o.mkv"], input=b"not y4m",
                       capture_output=True, timeout=300)  # fmt: skip
    err = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and err[0].startswith("qcsr: error: cannot read video <stdin>"), err
    assert not list(tmp_path.iterdir())


def test_pipelined_video_equals_the_serial_one(media, tmp_path):
    from qcsr.pipeline import image_upscaler
    from qcsr.resolver import open_model
    from qcsr.util.errors import QcsrError
    from qcsr.util.video import upscale_video

    up = image_upscaler(open_model("qcsr_x2_proposed"), "fast")
    a, b = tmp_path / "a.mkv", tmp_path / "b.mkv"
    upscale_video(media / "c.mkv", a, up, codec="ffv1", pipeline=True)
    upscale_video(media / "c.mkv", b, up, codec="ffv1", pipeline=False)
    assert all(np.array_equal(x, y) for x, y in zip(read_frames(a), read_frames(b), strict=True))
    calls = []

    def failing(rgb):
        calls.append(1)
        if len(calls) == 3:
            raise QcsrError("SR stage failed")
        return up(rgb)

    with pytest.raises(QcsrError, match="SR stage failed"):
        upscale_video(media / "c.mkv", tmp_path / "c.mkv", failing, codec="ffv1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mkv", "b.mkv"]  # no partial output


def test_version(capsys):
    assert main(["--version"]) == 0 and capsys.readouterr().out.startswith("qcsr ")


def test_a_second_process_loads_the_kernels_from_the_cache(media, tmp_path):
    """The first process after an install may compile (make setup does it); the next one must not."""
    code = ("import numpy as np; from qcsr.golden.fast import FastEngine; from qcsr.resolver import open_model; "
            "FastEngine(open_model('qcsr_x2_proposed').quant()).upscale(np.zeros((8, 8, 3), np.uint8))")
    env = dict(os.environ, NUMBA_DEBUG_CACHE="1")
    for _ in range(2):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
        assert r.returncode == 0, r.stderr
    assert "[cache] data loaded" in r.stdout
    assert "[cache] data saved" not in r.stdout and "compiling" not in r.stderr, (r.stdout[-2000:], r.stderr)


def test_every_argument_has_a_help_text():
    import argparse

    from qcsr.cli import build_parser

    ap = build_parser()
    sub = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {a.option_strings or a.dest}" for name, p in sub.choices.items() for a in p._actions
               if not isinstance(a, argparse._HelpAction) and not a.help]  # fmt: skip
    assert not missing, missing
    assert all(act.help for act in sub._choices_actions)
