"""Bad input to the CLI: every case is exit 2 with one `qcsr: error:` line, no output file, the source
untouched (or, for signals, exit 130 / 143 and no partial file). The cases are the ones issue 23 found by
hand and by fuzzing."""

from __future__ import annotations

import hashlib
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qcsr.cli import main


def run(args, capsys) -> tuple[int, str]:
    rc = main([str(a) for a in args])
    err = capsys.readouterr().err
    return rc, err


def assert_error(rc: int, err: str, text: str) -> None:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert rc == 2, (rc, err)
    assert len(lines) == 1 and lines[0].startswith("qcsr: error:"), err
    assert text in lines[0], (text, lines[0])


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def img(tmp_path_factory) -> Path:
    from skimage import data

    p = tmp_path_factory.mktemp("in") / "in.png"
    Image.fromarray(data.astronaut()[100:132, 150:190]).save(p)
    return p


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("clip") / "clip.mkv"
    assert main(["clip", str(p), "--frames", "6", "--codec", "ffv1", "--no-audio"]) == 0
    return p


def png_header(path: Path, w: int, h: int, bits: int = 8, colour: int = 2, rows: bytes = b"") -> None:
    """A PNG whose header says w x h (the data need not follow): enough for Pillow to judge the size."""
    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bits, colour, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("suffix,codec,text", [(".webm", "h264", ".webm does not hold h264"),
                                              (".y4m", "h264", ".y4m does not hold h264"),
                                              (".mp4", "ffv1", ".mp4 does not hold ffv1"),
                                              (".mkv", "y4m", ".mkv does not hold y4m"),
                                              (".ts", "h264", "not a container qcsr writes")])
def test_video_container_that_cannot_hold_the_codec(clip, tmp_path, capsys, suffix, codec, text):
    out = tmp_path / f"out{suffix}"
    rc, err = run(["upscale", clip, out, "--codec", codec], capsys)
    assert_error(rc, err, text)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_clip_to_an_image_name(tmp_path, capsys):
    rc, err = run(["clip", tmp_path / "out.png"], capsys)
    assert_error(rc, err, "not a container")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("opt,text", [(["--crf", "-5"], "--crf -5 outside"), (["--crf", "99"], "--crf 99 outside"),
                                      (["--preset", "bogus"], "not a h264 preset")])
def test_encoder_settings(clip, tmp_path, capsys, opt, text):
    rc, err = run(["upscale", clip, tmp_path / "out.mp4", *opt], capsys)
    assert_error(rc, err, text)
    assert not list(tmp_path.iterdir())


def test_output_folder_takes_the_input_name(clip, img, tmp_path, capsys):
    """An existing folder as the output is where the output goes (under the input's name), as `cp` does."""
    d = tmp_path / "d.mp4"
    d.mkdir()
    rc, _ = run(["upscale", clip, d, "--codec", "ffv1"], capsys)
    assert rc == 0 and (d / Path(clip).name).is_file()
    d2 = tmp_path / "d.png"
    d2.mkdir()
    rc, _ = run(["upscale", img, d2], capsys)
    assert rc == 0 and (d2 / Path(img).name).is_file()


def test_output_under_a_file(img, tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    rc, err = run(["upscale", img, f / "out.png"], capsys)
    assert_error(rc, err, "is a file, not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_folder_not_writable(img, tmp_path, capsys):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        rc, err = run(["upscale", img, d / "out.png"], capsys)
        assert_error(rc, err, "not writable")
    finally:
        d.chmod(0o700)


def test_output_is_the_input(img, capsys):
    before = digest(img)
    rc, err = run(["upscale", img, img, "--overwrite"], capsys)
    assert_error(rc, err, "output is the input file")
    assert digest(img) == before


def test_existing_output_needs_overwrite(img, tmp_path, capsys):
    out = tmp_path / "out.png"
    out.write_bytes(b"keep")
    rc, err = run(["upscale", img, out], capsys)
    assert_error(rc, err, "use --overwrite")
    assert out.read_bytes() == b"keep"
    assert main(["upscale", str(img), str(out), "--overwrite"]) == 0
    assert Image.open(out).size == (80, 64)


def test_decompression_bomb(tmp_path, capsys):
    bomb = tmp_path / "bomb.png"
    png_header(bomb, 20000, 20000)
    rc, err = run(["upscale", bomb, tmp_path / "out.png"], capsys)
    assert_error(rc, err, "--max-pixels")
    assert not (tmp_path / "out.png").exists()


def test_sixteen_bit_rgb_is_refused(tmp_path, capsys):
    p = tmp_path / "rgb16.png"
    rows = b"".join(b"\x00" + np.full((4, 3), 40000, ">u2").tobytes() for _ in range(4))
    png_header(p, 4, 4, bits=16, colour=2, rows=rows)
    rc, err = run(["upscale", p, tmp_path / "out.png"], capsys)
    assert_error(rc, err, "16-bit")


def test_alpha_is_kept_with_the_bicubic_path(img, tmp_path, capsys):
    from qcsr.fixedpoint.bicubic import upscale2x_u8

    rgb = np.asarray(Image.open(img))
    alpha = np.tile(np.arange(rgb.shape[1], dtype=np.uint8) * 6, (rgb.shape[0], 1))
    src = tmp_path / "rgba.png"
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(src)
    out = tmp_path / "out.png"
    assert main(["upscale", str(src), str(out)]) == 0
    got = np.asarray(Image.open(out))
    assert got.shape == (2 * rgb.shape[0], 2 * rgb.shape[1], 4)
    assert np.array_equal(got[..., 3], upscale2x_u8(alpha))
    rc, err = run(["upscale", src, tmp_path / "out.jpg"], capsys)
    assert_error(rc, err, "alpha channel")


def test_exif_orientation_is_applied(img, tmp_path):
    rgb = np.asarray(Image.open(img))
    src = tmp_path / "rot.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6                                  # rotate 90 CW on display
    Image.fromarray(rgb).save(src, exif=exif, quality=95)
    out = tmp_path / "out.png"
    assert main(["upscale", str(src), str(out)]) == 0
    assert Image.open(out).size == (2 * rgb.shape[0], 2 * rgb.shape[1])   # width and height swapped


def test_nonfinite_weights_and_provenance(tmp_path, capsys):
    import torch

    from qcsr.resolver import ZOO

    blob = torch.load(ZOO / "qcsr_x2_proposed.pt", map_location="cpu", weights_only=True)
    k = next(iter(blob["state_dict"]))
    blob["state_dict"][k] = blob["state_dict"][k].clone()
    blob["state_dict"][k].view(-1)[0] = float("nan")
    bad = tmp_path / "nan.pt"
    torch.save(blob, bad)
    src = tmp_path / "in.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    rc, err = run(["upscale", "--model", bad, src, tmp_path / "o.png"], capsys)
    assert_error(rc, err, "NaN or infinite")
    qj = (ZOO / "qcsr_x2_proposed.q.json").read_text()
    badq = tmp_path / "nan.q.json"
    badq.write_text(qj.replace('"provenance": {', '"provenance": {"psnr": NaN, ', 1))
    rc, err = run(["upscale", "--model", badq, src, tmp_path / "o.png"], capsys)
    assert_error(rc, err, "NaN is not a number")
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signals_leave_no_partial_file(tmp_path, sig, code):
    """A long video upscale stopped by SIGTERM / SIGINT: exit 143 / 130, one line, no partial output."""
    src = tmp_path / "clip.mkv"
    assert main(["clip", str(src), "--frames", "48", "--codec", "ffv1", "--no-audio"]) == 0
    out = tmp_path / "out.mkv"
    # the child starts with SIGINT at its default even when this suite runs in a background job (which ignores
    # SIGINT, and Python keeps an ignored SIGINT ignored), as in a terminal
    proc = subprocess.Popen([sys.executable, "-m", "qcsr.cli", "upscale", str(src), str(out), "--codec", "ffv1",
                             "--engine", "golden"], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while not list(tmp_path.glob(".out.partial*")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the upscale finished before it could be stopped"
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, (proc.returncode, err)
    assert "Traceback" not in err and err.strip().startswith("qcsr:"), err
    assert not out.exists() and not list(tmp_path.glob(".out*")), list(tmp_path.iterdir())


def test_damaged_video_warns_and_strict_refuses(tmp_path, capsys):
    """A stream FFmpeg decodes with concealed errors (bytes flipped inside the H.264 data): a one-line warning
    with the count; --strict makes it exit 2 with no output."""
    import random

    src = tmp_path / "c.mp4"
    assert main(["clip", str(src), "--frames", "24", "--no-audio"]) == 0
    import av

    clean = bytes(src.read_bytes())
    rng = random.Random(3)
    bad = tmp_path / "damaged.mp4"
    for _trial in range(40):      # flips until FFmpeg decodes every frame, some with concealed errors
        data = bytearray(clean)
        for _ in range(20):
            i = rng.randrange(len(data) // 4, len(data) * 3 // 4)
            data[i] ^= 0xFF
        bad.write_bytes(bytes(data))
        try:
            with av.open(str(bad)) as c:
                flags = [f.is_corrupt for f in c.decode(video=0)]
        except av.error.FFmpegError:
            continue
        if len(flags) == 24 and any(flags):
            break
    else:
        pytest.skip("no byte flips gave a decodable damaged stream with this FFmpeg")
    capsys.readouterr()
    out = tmp_path / "out.mkv"
    assert main(["upscale", str(bad), str(out), "--codec", "ffv1", "--engine", "fast"]) == 0
    err = capsys.readouterr().err
    warn = [line for line in err.splitlines() if line.startswith("qcsr: warning:")]
    assert len(warn) == 1 and "of 24 frames" in warn[0] and "decode errors" in warn[0], err
    out2 = tmp_path / "out2.mkv"
    rc, err = run(["upscale", bad, out2, "--codec", "ffv1", "--engine", "fast", "--strict"], capsys)
    assert_error(rc, err, "--strict writes no output")
    assert not out2.exists() and not list(tmp_path.glob(".out2*"))


def _patched(src: Path, dst: Path, old: bytes, new: bytes) -> Path:
    """`src` with one byte string replaced by another of the same length (a container field edited)."""
    data = src.read_bytes()
    assert len(old) == len(new) and data.count(old) >= 1, old
    dst.write_bytes(data.replace(old, new, 1))
    return dst


@pytest.fixture(scope="module")
def clip_audio(tmp_path_factory) -> Path:
    """H.264 + AAC in Matroska, with a title tag to edit."""
    from fractions import Fraction

    import av

    from qcsr.util.video import default_clip_frames, write_video

    d = tmp_path_factory.mktemp("clip_audio")
    p = write_video(d / "a.mkv", default_clip_frames(6, (32, 24)), Fraction(24), "ffv1", audio_tone=440.0)
    t = d / "t.mkv"
    with av.open(str(p)) as i, av.open(str(t), "w") as o:
        o.metadata["title"] = "QCSRTITLE"
        m = {s.index: o.add_stream_from_template(s) for s in i.streams}
        for pk in i.demux():
            if pk.dts is not None:
                pk.stream = m[pk.stream.index]
                o.mux(pk)
    return t


def test_video_with_metadata_that_is_not_utf8(clip_audio, tmp_path, capsys):
    """Tags in another encoding (or damaged) are read with replacement characters, not a traceback."""
    bad = _patched(clip_audio, tmp_path / "latin1.mkv", b"QCSRTITLE", b"Q\xe9\xff\xfeTITLE")
    out = tmp_path / "o.mkv"
    rc, err = run(["upscale", bad, out, "--codec", "ffv1", "--engine", "fast"], capsys)
    assert rc == 0 and "Traceback" not in err and out.is_file(), err


def test_video_with_audio_sample_rate_zero(tmp_path, capsys):
    """PCM audio whose Matroska SamplingFrequency element (0xB5, 8-byte float) is 0 (AAC would recover the
    rate from its own header): refused up front, not an FFmpeg ArgumentError once the output is opened."""
    import av

    p = tmp_path / "pcm.mkv"
    with av.open(str(p), "w") as o:
        vs = o.add_stream("ffv1", rate=24)
        vs.width, vs.height, vs.pix_fmt = 32, 24, "bgr0"
        au = o.add_stream("pcm_s16le", rate=48000)
        for i in range(4):
            f = av.VideoFrame.from_ndarray(np.zeros((24, 32, 3), np.uint8), format="rgb24").reformat(format="bgr0")
            f.pts = i
            for pk in vs.encode(f):
                o.mux(pk)
            af = av.AudioFrame.from_ndarray(np.zeros((1, 2000), np.int16), format="s16", layout="mono")
            af.sample_rate, af.pts = 48000, 2000 * i
            for pk in au.encode(af):
                o.mux(pk)
        for pk in [*vs.encode(), *au.encode()]:
            o.mux(pk)
    rate = b"\xb5\x88" + struct.pack(">d", 48000.0)
    bad = _patched(p, tmp_path / "sr0.mkv", rate, b"\xb5\x88" + struct.pack(">d", 0.0))
    rc, err = run(["upscale", bad, tmp_path / "o.mkv", "--codec", "ffv1", "--engine", "fast"], capsys)
    assert_error(rc, err, "sample rate 0")
    assert not (tmp_path / "o.mkv").exists() and not list(tmp_path.glob(".o.*"))


def test_video_with_an_unknown_codec(clip, tmp_path, capsys):
    """The CodecID element edited to a codec FFmpeg does not know: no decoder, no frame size."""
    bad = _patched(clip, tmp_path / "unk.mkv", b"V_FFV1", b"V_QQQ1")
    rc, err = run(["upscale", bad, tmp_path / "o.mkv", "--codec", "ffv1", "--engine", "fast"], capsys)
    assert rc == 2 and err.strip().startswith("qcsr: error:") and "Traceback" not in err, err
    assert not (tmp_path / "o.mkv").exists()


def test_damaged_ffv1_is_warned(clip, tmp_path, capsys):
    """FFV1 slices carry CRCs: a bit flipped in the picture data is logged by FFmpeg (not flagged corrupt),
    and the reader counts it from the log."""
    data = bytearray(clip.read_bytes())
    i = len(data) * 2 // 3
    data[i] ^= 0x10
    bad = tmp_path / "flip.mkv"
    bad.write_bytes(bytes(data))
    out = tmp_path / "o.mkv"
    rc, err = run(["upscale", bad, out, "--codec", "ffv1", "--engine", "fast"], capsys)
    if rc == 2:      # the flip hit a header field: a refusal is as good as a warning, never silence
        assert_error(rc, err, str(bad.name))
        return
    warn = [line for line in err.splitlines() if line.startswith("qcsr: warning:")]
    assert rc == 0 and len(warn) == 1 and "decode errors" in warn[0], err


def test_model_files_that_would_hang_or_hide_bad_values(tmp_path, capsys):
    """Deeply nested JSON (RecursionError), an architecture of 10**9 channels (an allocation that never
    ends), complex weights with NaN imaginary parts (dropped by load_state_dict's cast): each a clean refusal."""
    import torch

    from qcsr.resolver import ZOO

    src = tmp_path / "in.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    deep = tmp_path / "deep.q.json"
    deep.write_text('{"format": "qcsr-quant", "layers": ' + "[" * 100_000 + "]" * 100_000 + "}")
    rc, err = run(["upscale", "--model", deep, src, tmp_path / "o.png"], capsys)
    assert_error(rc, err, "nested too deeply")
    blob = torch.load(ZOO / "qcsr_x2_proposed.pt", map_location="cpu", weights_only=True)
    torch.save(dict(blob, arch=dict(blob["arch"], C=10**9)), tmp_path / "huge.pt")
    rc, err = run(["upscale", "--model", tmp_path / "huge.pt", src, tmp_path / "o.png"], capsys)
    assert_error(rc, err, "C=1000000000 or N=6 out of range")  # Arch's own limits, before any allocation
    big = dict(blob, arch=dict(blob["arch"], C=1024, N=64))  # each field in range, 67 million weights
    torch.save(big, tmp_path / "big.pt")
    t0 = time.time()
    rc, err = run(["upscale", "--model", tmp_path / "big.pt", src, tmp_path / "o.png"], capsys)
    assert_error(rc, err, "at most 1,000,000")
    assert time.time() - t0 < 30
    k = next(iter(blob["state_dict"]))
    sd = dict(blob["state_dict"])
    sd[k] = torch.complex(sd[k].float(), torch.full_like(sd[k].float(), float("nan")))
    torch.save(dict(blob, state_dict=sd), tmp_path / "cplx.pt")
    rc, err = run(["upscale", "--model", tmp_path / "cplx.pt", src, tmp_path / "o.png"], capsys)
    assert_error(rc, err, "complex")
    assert not (tmp_path / "o.png").exists()
