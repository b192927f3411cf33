"""Image I/O and the evaluation protocol's image operations (numpy + Pillow, no torch)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from qcsr.util.atomic import save_bytes
from qcsr.util.errors import QcsrError

IMAGE_SUFFIXES = {".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff", ".ppm", ".pgm", ".webp"}


GREY_MODES = {"1", "L", "LA"}
ALPHA_SUFFIXES = {".png", ".tif", ".tiff"}   # output types that keep an alpha channel


def _open_checked(p: Path):
    """Pillow's image, loaded, with EXIF orientation applied; QcsrError for what qcsr does not read: over
    Image.MAX_IMAGE_PIXELS pixels (a decompression bomb: raise it with --max-pixels), 16-bit samples."""
    import warnings

    from PIL import ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(p)
            raw = im.tile[0][3] if im.tile and len(im.tile[0]) > 3 else ""
            rawmode = raw if isinstance(raw, str) else (raw[0] if raw else "")
            if im.mode in ("I", "I;16", "I;16B", "I;16L", "F") or ";16" in str(rawmode):
                raise QcsrError(f"cannot read image {p}: only 8-bit images are supported "
                                f"(this one has 16-bit samples, {im.mode} {rawmode})")
            im.load()
            return ImageOps.exif_transpose(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise QcsrError(f"cannot read image {p}: more than {Image.MAX_IMAGE_PIXELS:,} pixels (a decompression "
                        "bomb guard; raise the limit with --max-pixels if the image is genuine)") from None


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an 8-bit image as uint8: HxW for grey files, HxWx3 RGB otherwise (EXIF orientation applied, alpha
    dropped: load_image_alpha keeps it); QcsrError if unreadable."""
    return load_image_alpha(path)[0]


def load_image_alpha(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """As load_image, and the alpha channel (HxW uint8) when the file has one."""
    p = Path(path)
    if not p.is_file():
        raise QcsrError(f"image not found: {p}")
    try:
        im = _open_checked(p)
        has_alpha = im.mode in ("LA", "RGBA", "PA") or (im.mode == "P" and "transparency" in im.info)
        mode = "L" if im.mode in GREY_MODES else "RGB"
        img = np.asarray(im.convert(mode), dtype=np.uint8).copy()
        alpha = np.asarray(im.convert("RGBA").getchannel("A"), dtype=np.uint8).copy() if has_alpha else None
        return img, alpha
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise QcsrError(f"cannot read image {p}: {e}") from None


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Image files of a folder, sorted by name; QcsrError if the folder is missing or empty."""
    d = Path(folder)
    if not d.is_dir():
        raise QcsrError(f"image folder not found: {d}")
    files = sorted(f for f in d.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file())
    if not files:
        raise QcsrError(f"no images in folder: {d}")
    return files


def modcrop(img: np.ndarray, scale: int = 2) -> np.ndarray:
    h, w = img.shape[:2]
    return img[: h - h % scale, : w - w % scale]


def bicubic_downscale(rgb: np.ndarray, scale: int = 2) -> np.ndarray:
    """Antialiased bicubic downscale (PIL BICUBIC, as MATLAB imresize) of a uint8 grey/RGB image."""
    h, w = rgb.shape[:2]
    if h % scale or w % scale:
        raise ValueError(f"size {w}x{h} is not a multiple of {scale}")
    im = Image.fromarray(rgb)
    return np.asarray(im.resize((w // scale, h // scale), Image.BICUBIC), dtype=np.uint8)


def jpeg_roundtrip(rgb: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode a uint8 grey/RGB image as JPEG (Pillow defaults: 4:2:0) at `quality`."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im, dtype=np.uint8).copy()


def bicubic_upscale(img: np.ndarray, scale: int = 2) -> np.ndarray:
    """Plain bicubic upscaling as SR papers report it (PIL BICUBIC on the whole image)."""
    h, w = img.shape[:2]
    return np.asarray(Image.fromarray(img).resize((w * scale, h * scale), Image.BICUBIC), np.uint8)


def save_image(img: np.ndarray, path: str | os.PathLike, quality: int | None = None) -> None:
    """Write an image atomically (temp file + rename), so a failure leaves no partial file; `quality`: JPEG/WebP."""
    save_bytes(_encode(img, Path(path).suffix, quality), path)


def _encode(img: np.ndarray, suffix: str, quality: int | None = None) -> bytes:
    fmt = Image.registered_extensions().get(suffix.lower())
    if fmt is None:
        raise QcsrError(f"unknown output image type: {suffix or '(no suffix)'}")
    buf = io.BytesIO()
    opts = {"quality": quality} if quality is not None else {}
    Image.fromarray(np.asarray(img, dtype=np.uint8)).save(buf, format=fmt, **opts)
    return buf.getvalue()
