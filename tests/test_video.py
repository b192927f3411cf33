"""Video in and out: the embedded clip, a lossless round trip per engine, and clean failures on bad files."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest
from test_cli import assert_clean_failure, run

from qcsr.cli import main
from qcsr.golden.engine import GoldenEngine
from qcsr.resolver import open_model
from qcsr.util.video import default_clip_frames, read_frames, write_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """The demo clip (12 frames) as H.264 in Matroska with a 440 Hz AAC track, as `qcsr clip` writes it."""
    p = tmp_path_factory.mktemp("clip") / "clip.mkv"
    assert main(["clip", str(p), "--frames", "12"]) == 0
    return p


def streams(path):
    with av.open(str(path)) as c:
        return [(s.type, s.codec_context.name, s.average_rate if s.type == "video" else None, s.time_base)
                for s in c.streams]  # fmt: skip


def test_default_clip_is_a_pan(clip):
    frames = read_frames(clip)
    assert len(frames) == 12 and frames[0].shape == (96, 160, 3)
    assert not np.array_equal(frames[0], frames[1])  # it moves
    ref = default_clip_frames(12)
    psnr = 10 * np.log10(255**2 / np.mean((np.stack(frames).astype(float) - np.stack(ref)) ** 2))
    assert psnr > 30  # H.264 at CRF 23 of the frames it was made from
    assert [s[0] for s in streams(clip)] == ["video", "audio"]


@pytest.mark.parametrize("engine", ["golden", "fast"])
def test_lossless_round_trip_is_the_golden_upscale(clip, tmp_path, engine, capsys):
    out = tmp_path / "out.mkv"
    code, text, err = run(["upscale", str(clip), str(out), "--codec", "ffv1", "--engine", engine], capsys)
    assert code == 0, err
    assert "12 frames, 320x192, ffv1, audio copied" in text
    gold = GoldenEngine(open_model("qcsr_x2_proposed").quant())
    got = read_frames(out)
    src = read_frames(clip)
    assert len(got) == len(src) == 12
    for i, (lr, hr) in enumerate(zip(src, got, strict=True)):
        assert np.array_equal(hr, gold.upscale(lr)), f"frame {i}"
    s_in, s_out = streams(clip), streams(out)
    assert s_out[0][1] == "ffv1" and s_out[0][2] == s_in[0][2] == Fraction(24) and s_out[0][3] == s_in[0][3]
    assert s_out[1][:2] == s_in[1][:2] == ("audio", "aac")  # copied, not re-encoded


def test_h264_output_keeps_rate_and_timestamps(clip, tmp_path, capsys):
    out = tmp_path / "out.mp4"
    code, _, err = run(["upscale", str(clip), str(out), "--engine", "fast", "--crf", "18", "--preset", "fast"], capsys)
    assert code == 0, err
    with av.open(str(clip)) as a, av.open(str(out)) as b:
        pa = [f.time for f in a.decode(video=0)]
        pb = [f.time for f in b.decode(video=0)]
        assert b.streams.video[0].codec_context.name == "h264" and b.streams.video[0].average_rate == Fraction(24)
    assert np.allclose(pa, pb, atol=1e-3)


def _bad_files(tmp, clip):
    out = {}
    (tmp / "text.mp4").write_text("not a video")
    out["text"] = (tmp / "text.mp4", "not a video file")
    full = tmp / "full.mkv"
    write_video(full, default_clip_frames(48), codec="h264", audio_tone=None)
    data = full.read_bytes()
    (tmp / "cut.mkv").write_bytes(data[: len(data) * 2 // 3])
    out["truncated"] = (tmp / "cut.mkv", "truncated")
    with av.open(str(tmp / "audio.mkv"), "w") as c:
        s = c.add_stream("aac", rate=48000)
        f = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        f.sample_rate, f.pts = 48000, 0
        for p in [*s.encode(f), *s.encode()]:
            c.mux(p)
    out["no video stream"] = (tmp / "audio.mkv", "no video stream")
    with av.open(str(tmp / "empty.mkv"), "w") as c:
        vs = c.add_stream("libx264", rate=24)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        c.start_encoding()
    out["zero frames"] = (tmp / "empty.mkv", "cannot read video")
    write_video(tmp / "wide.mkv", [np.zeros((8, 1924, 3), np.uint8)], codec="h264", audio_tone=None)
    out["too large"] = (tmp / "wide.mkv", "over the limit 1920x1080")
    out["missing"] = (tmp / "nothing.mkv", "video not found")
    return out


def test_bad_videos_fail_cleanly(clip, tmp_path, capsys):
    for what, (src, needle) in _bad_files(tmp_path, clip).items():
        dst = tmp_path / f"out_{what.replace(' ', '_')}.mkv"
        code, _, err = run(["upscale", str(src), str(dst), "--engine", "fast"], capsys)
        assert_clean_failure(code, err, needle, dst)
        assert not list(tmp_path.glob(".out_*")), what  # no partial temp file left either


def test_hevc_size_guard(tmp_path, capsys):
    from qcsr.util.errors import QcsrError
    from qcsr.util.video import codec_roundtrip

    for h, w in ((64, 68), (16, 64), (56, 64)):
        with pytest.raises(QcsrError, match="multiple of 8 and at least 64x64"):
            codec_roundtrip([np.zeros((h, w, 3), np.uint8)], "hevc", 28)
    assert len(codec_roundtrip([np.zeros((64, 72, 3), np.uint8)] * 2, "hevc", 28)) == 2


def test_video_to_image_is_refused(clip, tmp_path, capsys):
    code, _, err = run(["upscale", str(clip), str(tmp_path / "x.png")], capsys)
    assert_clean_failure(code, err, "a video upscales to a video", tmp_path / "x.png")


# --- video-codec evaluation conditions ------------------------------------------------------------


def test_codec_condition_parsing():
    from qcsr.evaluate import codec_of, parse_codec_conditions
    from qcsr.util.errors import QcsrError

    assert parse_codec_conditions("h264:crf23, hevc:crf28") == ["h264crf23", "hevccrf28"]
    assert parse_codec_conditions(None) == [] and codec_of("jpeg70") is None and codec_of("hevccrf28") == ("hevc", 28)
    for bad in ("h264", "vp9:crf30", "h264:q23", "h264:crf99"):
        with pytest.raises(QcsrError, match="--codec"):
            parse_codec_conditions(bad)


def test_pan_sequence_and_codec_pairs(astronaut, camera):
    from qcsr.evaluate import PAN_FRAMES, codec_pairs, pan_frames

    hr = astronaut[:100, :130]
    frames = pan_frames(hr)
    assert len(frames) == PAN_FRAMES and all(f.shape == frames[0].shape for f in frames)
    assert frames[0].shape[0] % 16 == 0 and frames[0].shape[1] % 16 == 0
    assert np.array_equal(frames[1][:-1, :-2], frames[0][1:, 2:])  # 2 px right, 1 px down per frame
    pairs = codec_pairs(hr, "h264crf23")
    assert len(pairs) == PAN_FRAMES and pairs[0][1].shape == (frames[0].shape[0] // 2, frames[0].shape[1] // 2, 3)
    worse = codec_pairs(hr, "h264crf45")
    err = [np.mean((a[1].astype(float) - b[1]) ** 2) for a, b in zip(pairs, worse, strict=True)]
    assert min(err) > 0  # a real, quality-dependent codec
    grey = codec_pairs(camera[:160, :160], "hevccrf28")
    assert grey[0][0].ndim == 2 and grey[0][1].ndim == 2


def test_eval_with_codec_conditions_and_report(tmp_path, capsys):
    from PIL import Image

    from qcsr.report import codec_markdown

    data = tmp_path / "data" / "S"
    data.mkdir(parents=True)
    from skimage import data as sk

    Image.fromarray(sk.astronaut()[:120, :160]).save(data / "a.png")
    out = tmp_path / "r"
    out.mkdir()
    for model in ("bicubic", "qcsr_x2_bicubic", "qcsr_x2_proposed"):
        code, _, err = run(["eval", "--model", model, "--data", tmp_path / "data", "--sets", "S", "--jpeg", "none",
                            "--codec", "h264:crf28", "--json", out / f"{model}.json"], capsys)  # fmt: skip
        assert code == 0, err
    import json

    r = json.loads((out / "qcsr_x2_proposed.json").read_text())
    assert set(r["results"]["S"]) == {"clean", "h264crf28"} and "codec" in r["protocol"]
    assert r["results"]["S"]["h264crf28"]["psnr"] < r["results"]["S"]["clean"]["psnr"]
    from qcsr.report import load_reports

    md = codec_markdown(load_reports(out))
    assert "H.264 CRF 28 LR video (pan sequences)" in md and "restores compressed inputs better" in md
