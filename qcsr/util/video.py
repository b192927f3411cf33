"""Video files in and out with PyAV (FFmpeg): RGB frames, frame rate and time base kept, audio copied.

Decoded frames reach RGB through FFmpeg's swscale (`VideoFrame.to_ndarray(format="rgb24")`: 4:2:0
chroma upsampled, BT.601 limited-range matrix for SD/unspecified streams), because the core's input
is RGB (SPEC section 5); qcsr's own integer BT.601 then takes the RGB apart into Y, Cb, Cr, as the
hardware does. Output RGB frames go back through swscale into the encoder's pixel format (yuv420p
for H.264/HEVC, packed RGB `bgr0` for the lossless FFV1, so an FFV1 file decodes to exactly the RGB
that was written).

Every failure is a QcsrError naming the file and the problem; output is written to a temporary file
beside the target and renamed into place only when the whole video is done.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from qcsr.util.errors import QcsrError
from qcsr.util.outputs import default_codec
from qcsr.util.progress import progress

VIDEO_SUFFIXES = {".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v", ".ts", ".y4m", ".nut"}
CODECS = {  # --codec name -> (FFmpeg encoder, pixel format)
    "h264": ("libx264", "yuv420p"),
    "hevc": ("libx265", "yuv420p"),
    "vp9": ("libvpx-vp9", "yuv420p"),
    "av1": ("libsvtav1", "yuv420p"),
    "ffv1": ("ffv1", "bgr0"),
    "y4m": ("rawvideo", "yuv420p"),  # YUV4MPEG2: .y4m files and `-` (stdin / stdout pipes)
}
PIPE = "-"  # the path of stdin / stdout: YUV4MPEG2
LARGE_OUTPUT = 1920 * 1080  # output pixels above which the encoders' defaults trade size for speed
MAX_FRAME = (1920, 1080)  # the core's MAX_W x MAX_H (SPEC section 5)
# libx265 in PyAV 18.1's FFmpeg corrupts the heap on small frames (measured with an allocation check after
# the encode: its thread pools crash 40x32; single-threaded it is clean from 32x32 in multiples of 8;
# 256x256 and larger are clean threaded). Small frames are encoded single-threaded.
X265_PARAMS = "log-level=error"
X265_PARAMS_SMALL = "log-level=error:pools=none:frame-threads=1"
X265_THREADED_MIN = 256
X265_MIN = 64


def x265_params(width: int, height: int) -> str:
    return X265_PARAMS if min(width, height) >= X265_THREADED_MIN else X265_PARAMS_SMALL


def _av():
    try:
        import av
    except ImportError:  # pragma: no cover - av is a dependency
        raise QcsrError("video files need PyAV (pip install av)") from None
    return av


def is_video_path(path: str | os.PathLike) -> bool:
    return str(path) == PIPE or Path(path).suffix.lower() in VIDEO_SUFFIXES


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    rate: Fraction | None  # average frame rate
    time_base: Fraction
    frames: int  # 0 when the container does not say
    audio: str | None  # codec name of the first audio stream


class VideoReader:
    """Decodes the first video stream of a file to RGB uint8 frames; the audio packets are kept for copying."""

    def __init__(self, path: str | os.PathLike, max_size: tuple[int, int] = MAX_FRAME) -> None:
        av = _av()
        self.path = Path(path)
        pipe = str(path) == PIPE
        if pipe:
            self.path = Path("<stdin>")
        elif not self.path.is_file():
            raise QcsrError(f"video not found: {self.path}")
        try:
            # metadata_errors: tags that are not UTF-8 (a damaged or foreign file) are read with replacement
            # characters instead of failing the whole file
            if pipe:
                import sys

                self.container = av.open(sys.stdin.buffer, "r", format="yuv4mpegpipe", metadata_errors="replace")
            else:
                self.container = av.open(str(self.path), "r", metadata_errors="replace")
        except av.error.FFmpegError as e:
            why = e.strerror or e
            raise QcsrError(f"cannot read video {self.path}: not a video file, or truncated ({why})") from None
        vs = [s for s in self.container.streams if s.type == "video"]
        if not vs:
            self.container.close()
            raise QcsrError(f"cannot read video {self.path}: it has no video stream")
        self.stream = vs[0]
        auds = [s for s in self.container.streams if s.type == "audio"]
        self.audio = auds[0] if auds else None
        cc = self.stream.codec_context
        if cc is None or not cc.width or not cc.height:
            self.container.close()
            raise QcsrError(f"cannot read video {self.path}: its video stream has an unknown codec or no frame size")
        w, h = cc.width, cc.height
        if w > max_size[0] or h > max_size[1]:
            self.container.close()
            raise QcsrError(f"{self.path}: frame size {w}x{h} is over the limit {max_size[0]}x{max_size[1]}")
        rate = self.stream.average_rate
        audio = None
        if self.audio is not None:
            acc = self.audio.codec_context
            if acc is None or not acc.sample_rate or acc.sample_rate < 0:
                self.container.close()
                why = "an unknown codec" if acc is None else f"sample rate {acc.sample_rate}"
                raise QcsrError(f"cannot read video {self.path}: its audio stream has {why}, so it cannot be copied")
            audio = acc.name
        self.info = VideoInfo(w, h, Fraction(rate) if rate else None, Fraction(self.stream.time_base),
                              int(self.stream.frames or 0), audio)  # fmt: skip
        self.damaged = 0  # frames FFmpeg decoded with errors it concealed (flagged corrupt, or logged)

    def packets_and_frames(self) -> Iterator[tuple[str, object]]:
        """("video", (rgb, pts)) for each decoded frame and ("audio", packet) for each audio packet, in file order."""
        av = _av()
        import av.logging as avlog

        streams = [self.stream] + ([self.audio] if self.audio is not None else [])
        n = 0
        # A damaged frame is one FFmpeg flags corrupt, or one decoded after the demuxer or the decoder logged an
        # error: FFmpeg conceals most damage and says so only in its log. Measured on 3-bit-flipped tiny clips
        # that decode to other pixels than the original: the flag catches 3 of 14 H.264, 0 of 48 FFV1 and 0 of
        # 13 VP9 clips, flag or log 6, 48 and 4. A flipped bit that the decoder does not notice (H.264 and VP9
        # carry no checksum; FFV1 has slice CRCs) cannot be seen by any reader.
        level = avlog.get_level()
        avlog.set_level(avlog.ERROR)
        try:
            with avlog.Capture(local=False) as logs:
                seen = 0
                for packet in self.container.demux(*streams):
                    if packet.stream.type == "audio":
                        if packet.dts is not None:
                            yield "audio", packet
                        continue
                    for frame in packet.decode():
                        if (frame.width, frame.height) != (self.info.width, self.info.height):
                            raise QcsrError(f"{self.path}: frame {n} changes size to {frame.width}x{frame.height}")
                        n += 1
                        errors, seen = len(logs) > seen, len(logs)
                        self.damaged += bool(frame.is_corrupt) or errors
                        yield "video", (frame.to_ndarray(format="rgb24"), frame.pts)
                if len(logs) > seen and n:      # errors after the last frame (its packets came late)
                    self.damaged = max(self.damaged, 1)
        except av.error.FFmpegError as e:
            why = e.strerror or e
            raise QcsrError(f"cannot read video {self.path}: corrupt or truncated at frame {n} ({why})") from None
        finally:
            avlog.set_level(level)
        if n == 0:
            raise QcsrError(f"cannot read video {self.path}: it has no frames")
        expected = self.info.frames or self._frames_from_duration()
        if expected and n < expected:
            raise QcsrError(f"cannot read video {self.path}: truncated, {n} of {expected} frames decoded")

    def _frames_from_duration(self) -> int:
        """Frame count implied by the container's duration (Matroska stores no count), minus one for rounding."""
        dur, rate = self.container.duration, self.info.rate
        if not dur or not rate:
            return 0
        return max(int(round(dur / 1_000_000 * rate)) - 1, 0)

    def frames(self) -> Iterator[np.ndarray]:
        for kind, item in self.packets_and_frames():
            if kind == "video":
                yield item[0]

    def close(self) -> None:
        self.container.close()


def read_frames(path: str | os.PathLike, max_size: tuple[int, int] = MAX_FRAME) -> list[np.ndarray]:
    """Every frame of a video as RGB uint8 arrays."""
    r = VideoReader(path, max_size)
    try:
        return list(r.frames())
    finally:
        r.close()


def _codec(codec: str) -> tuple[str, str]:
    if codec not in CODECS:
        raise QcsrError(f"unknown video codec {codec!r}; choose from {', '.join(CODECS)}")
    return CODECS[codec]


def check_frame_size(codec: str, width: int, height: int) -> None:
    """Sizes the encoders take: 4:2:0 needs even sizes; libx265 in PyAV's FFmpeg corrupts the heap on small
    or unaligned frames (measured, PyAV 18.1: widths 34/36 and heights 16/24 abort the process even
    single-threaded; 40x32 passes alone but corrupts the heap inside a larger process), so HEVC output below
    64x64 or off the 8-pixel grid is refused instead of crashing."""
    if codec in ("h264", "hevc", "vp9", "av1", "y4m") and (width % 2 or height % 2):
        raise QcsrError(f"{codec} output needs an even frame size (4:2:0), got {width}x{height}")
    if codec == "hevc" and (width % 8 or height % 8 or min(width, height) < X265_MIN):
        raise QcsrError(f"hevc output needs a frame size that is a multiple of 8 and at least "
                        f"{X265_MIN}x{X265_MIN}, got {width}x{height}; use --codec h264 or ffv1")  # fmt: skip


@contextmanager
def _written_atomically(path: Path | str) -> Iterator[Path | str]:
    """A temporary path beside `path`, renamed onto it when the block completes and removed when it fails
    (`-`, stdout, is written as it goes)."""
    if str(path) == PIPE:
        yield PIPE
        return
    path = Path(path)
    tmp = _partial(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _partial(path: Path) -> Path:
    """Temporary name beside `path`, keeping the suffix so that FFmpeg picks the same container."""
    return path.with_name(f".{path.stem}.partial{path.suffix}")


def default_preset(codec: str, width: int, height: int) -> str | None:
    """The encoder speed setting for an output size: x264/x265 `medium` up to 1080p and `veryfast` above
    (medium at 2560x1440 ran at a third of the SR engine's rate); SVT-AV1 preset 8 / 10; VP9 cpu-used 4 / 8."""
    large = width * height > LARGE_OUTPUT
    return {"h264": ("medium", "veryfast"), "hevc": ("medium", "veryfast"), "av1": ("8", "10"),
            "vp9": ("4", "8")}.get(codec, (None, None))[large]  # fmt: skip


def _open_output(tmp: Path | str, codec: str, width: int, height: int, rate: Fraction | None, time_base: Fraction,
                 crf: int | None, preset: str | None, threads: int = 0):  # fmt: skip
    av = _av()
    encoder, pix_fmt = _codec(codec)
    check_frame_size(codec, width, height)
    if str(tmp) == PIPE:
        import sys

        out = av.open(sys.stdout.buffer, "w", format="yuv4mpegpipe")
    else:
        out = av.open(str(tmp), "w")
    opts = {}
    preset = preset or default_preset(codec, width, height)
    if codec in ("h264", "hevc"):
        opts["crf"] = str(23 if crf is None else crf)
        opts["preset"] = preset
        if codec == "hevc":
            opts["x265-params"] = x265_params(width, height)
    elif codec == "vp9":
        opts.update({"crf": str(32 if crf is None else crf), "b": "0", "row-mt": "1", "deadline": "good",
                     "cpu-used": preset})  # fmt: skip
    elif codec == "av1":
        opts.update({"crf": str(35 if crf is None else crf), "preset": preset})
    vs = out.add_stream(encoder, rate=rate or Fraction(25), options=opts)
    vs.width, vs.height, vs.pix_fmt = width, height, pix_fmt
    vs.time_base = time_base
    if threads:
        vs.codec_context.thread_count = threads
    return out, vs


def _encode(out, vs, rgb: np.ndarray, pts: int | None, time_base: Fraction) -> None:
    av = _av()
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    frame = frame.reformat(format=vs.pix_fmt) if vs.pix_fmt != "rgb24" else frame
    frame.pts, frame.time_base = pts, time_base
    for packet in vs.encode(frame):
        out.mux(packet)


def write_video(path: str | os.PathLike, frames: list[np.ndarray], rate: Fraction = Fraction(24),
                codec: str = "ffv1", crf: int | None = None, preset: str | None = None,
                audio_tone: float | None = None) -> Path:  # fmt: skip
    """Encode RGB frames (constant rate) atomically; optionally with a sine tone as an AAC audio stream."""
    av = _av()
    path = Path(path)
    if not frames:
        raise QcsrError("write_video: no frames")
    h, w = frames[0].shape[:2]
    with _written_atomically(path) as tmp:
        tb = 1 / rate
        out, vs = _open_output(tmp, codec, w, h, rate, tb, crf, preset)
        aus = None
        if audio_tone:
            aus = out.add_stream("aac", rate=48000)
        for i, rgb in enumerate(frames):
            _encode(out, vs, rgb, i, tb)
        for packet in vs.encode():
            out.mux(packet)
        if aus is not None:
            sr, n = 48000, int(48000 * len(frames) / rate)
            t = np.arange(n) / sr
            pcm = (0.2 * np.sin(2 * np.pi * audio_tone * t)).astype(np.float32)
            for k in range(0, n, 1024):
                chunk = pcm[k : k + 1024][None]
                af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
                af.sample_rate, af.pts = sr, k
                for packet in aus.encode(af):
                    out.mux(packet)
            for packet in aus.encode():
                out.mux(packet)
        out.close()
    return path


class _Failed:
    """An exception raised in a pipeline stage, carried to the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def background(items: Iterable, depth: int) -> Iterator:
    """Iterate `items` in a thread, handing its results over a bounded queue in order; an exception in the
    thread is raised in the consumer, and a consumer that stops early stops the thread."""
    q: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    end = object()

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for x in items:
                if not put(x):
                    return
            put(end)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            put(_Failed(e))

    t = threading.Thread(target=run, daemon=True, name="qcsr-stage")
    t.start()
    try:
        while True:
            x = q.get()
            if x is end:
                return
            if isinstance(x, _Failed):
                raise x.exc
            yield x
    finally:
        stop.set()
        t.join(timeout=10)


def upscale_video(src: str | os.PathLike, dst: str | os.PathLike, upscale: Callable[[np.ndarray], np.ndarray],
                  codec: str | None = None, crf: int | None = None, preset: str | None = None,
                  max_size: tuple[int, int] = MAX_FRAME, strict: bool = False, threads: int = 0,
                  pipeline: bool = True) -> tuple[VideoInfo, int, int]:  # fmt: skip
    """Upscale every frame of `src` into `dst`: frame rate, time base and timestamps kept, audio copied.

    Decode, SR and encode run as three stages in parallel (threads joined by bounded queues, frame order
    kept; FFmpeg and the SR kernels release the GIL); `pipeline=False` runs them one after the other.
    `src` / `dst` may be `-`: YUV4MPEG2 on stdin / stdout. `codec` defaults to what `dst` implies.
    Returns the input's info, the number of frames written and how many of them FFmpeg decoded with errors
    it concealed (a damaged stream); with `strict` such a stream is an error. Nothing is left at `dst` on
    failure.
    """
    av = _av()
    codec = codec or default_codec(dst)
    _codec(codec)
    reader = VideoReader(src, max_size)
    info = reader.info
    n = 0

    def sr(item: tuple[str, object]) -> tuple[str, object]:
        kind, x = item
        return (kind, (upscale(x[0]), x[1])) if kind == "video" else item

    try:
        with _written_atomically(dst) as tmp:
            out, vs = _open_output(tmp, codec, 2 * info.width, 2 * info.height, info.rate, info.time_base, crf,
                                   preset, threads)  # fmt: skip
            out_audio = None
            if reader.audio is not None:
                try:
                    out_audio = out.add_stream_from_template(reader.audio)
                except (av.error.FFmpegError, ValueError) as e:
                    raise QcsrError(f"cannot copy the {info.audio} audio of {reader.path} into {Path(dst).suffix}: "
                                    f"{e}") from None  # fmt: skip
            name = "stdin" if str(src) == PIPE else Path(src).name
            bar = progress(None, f"upscale {name}", unit=" frame", total=info.frames or None)
            items = reader.packets_and_frames()
            stages = background(map(sr, background(items, 8)), 4) if pipeline else map(sr, items)
            for kind, item in stages:
                if kind == "audio":
                    item.stream = out_audio
                    out.mux(item)
                    continue
                rgb, pts = item
                _encode(out, vs, rgb, pts, info.time_base)
                n += 1
                bar.update(1)
            bar.close()
            if strict and reader.damaged:
                out.close()
                raise QcsrError(f"{reader.path}: {reader.damaged} of {n} frames had decode errors (concealed by "
                                "FFmpeg); --strict writes no output for a damaged stream")
            for packet in vs.encode():
                out.mux(packet)
            out.close()
    finally:
        reader.close()
    return info, n, reader.damaged


def default_clip_frames(frames: int = 72, size: tuple[int, int] = (160, 96)) -> list[np.ndarray]:
    """The embedded demo clip: a camera pan across scikit-image's astronaut, as LR frames.

    HR window 2*size moving 3 px right and 1 px down per frame over the 512x512 image; each LR frame is
    the protocol's bicubic downscale of the window (as `qcsr eval` makes LR images).
    """
    from skimage import data as skdata

    from qcsr.util.imaging import bicubic_downscale

    img = skdata.astronaut()
    w, h = 2 * size[0], 2 * size[1]
    out = []
    for i in range(frames):
        x, y = (3 * i) % (img.shape[1] - w), (1 * i) % (img.shape[0] - h)
        out.append(bicubic_downscale(np.ascontiguousarray(img[y : y + h, x : x + w])))
    return out


def codec_roundtrip(frames: list[np.ndarray], codec: str, crf: int, preset: str = "medium") -> list[np.ndarray]:
    """Encode RGB frames as one video (in memory, Matroska; I frame then inter frames) and decode them back."""
    import io

    av = _av()
    encoder, pix_fmt = _codec(codec)
    h, w = frames[0].shape[:2]
    check_frame_size(codec, w, h)
    buf = io.BytesIO()
    # one encoder thread: libx264's and libx265's output depends on their thread count (FFmpeg's default
    # follows the machine's cores; measured: 1, 2 and 8 x264 threads give three different streams), and
    # these round trips make benchmark inputs and training data, which must not change with the machine
    opts = {"crf": str(crf), "preset": preset, "threads": "1"}
    if codec == "hevc":
        opts["x265-params"] = X265_PARAMS_SMALL
    with av.open(buf, "w", format="matroska") as out:
        vs = out.add_stream(encoder, rate=Fraction(24), options=opts)
        vs.width, vs.height, vs.pix_fmt = w, h, pix_fmt
        for i, rgb in enumerate(frames):
            _encode(out, vs, rgb, i, Fraction(1, 24))
        for packet in vs.encode():
            out.mux(packet)
    buf.seek(0)
    with av.open(buf, "r", format="matroska") as inp:
        got = [f.to_ndarray(format="rgb24") for f in inp.decode(video=0)]
    if len(got) != len(frames):
        raise RuntimeError(f"{codec} round trip returned {len(got)} of {len(frames)} frames")
    return got
