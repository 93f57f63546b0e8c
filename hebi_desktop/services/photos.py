"""Reading what a clerk attaches: photo or PDF, its date taken and GPS, downscaled.

Phone photos are 3–8 MB; the archive needs them legible, not full size. A photo is
turned upright (EXIF orientation), shrunk to a long side (2560 px by default) and
re-encoded; one that is already upright and small enough is kept byte for byte. The
original is kept too only when asked. Pillow does the decoding.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from hebi_desktop.errors import UserError
from hebi_desktop.storage.blobs import sha256_of

log = logging.getLogger(__name__)

try:  # HEIC photos from phones, when pillow-heif (libheif) is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - an install without it still takes JPEG/PNG/PDF
    log.info("pillow-heif not installed: HEIC photos cannot be attached")

DEFAULT_LONG_SIDE = 2560
JPEG_QUALITY = 88
PDF = "application/pdf"
PHOTO_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".bmp", ".tif", ".tiff"}
)
ACCEPTED_SUFFIXES = PHOTO_SUFFIXES | {".pdf"}
# Pillow's guard against decompression bombs, raised: a 200-megapixel scan is legitimate.
Image.MAX_IMAGE_PIXELS = 200_000_000

# Already upright and small enough: kept byte for byte (no second JPEG loss, and a file
# carried to the county keeps its SHA-256).
KEPT_FORMATS = frozenset({"JPEG", "PNG"})
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATE_TAKEN = 36867  # DateTimeOriginal
DATE_CHANGED = 306  # DateTime
ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class Prepared:
    """What is stored of one attached file."""

    content: bytes
    sha256: str
    source_sha256: str
    media_type: str
    width: int | None = None
    height: int | None = None
    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    original: bytes | None = None  # the file as given, when kept beside the downscaled one

    @property
    def is_photo(self) -> bool:
        return self.media_type.startswith("image/")


def _date_taken(exif: Image.Exif) -> dt.datetime | None:
    text = exif.get_ifd(EXIF_IFD).get(DATE_TAKEN) or exif.get(DATE_CHANGED)
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _degrees(value: Any, reference: Any, negative: str) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    return round(-degrees if str(reference).upper().startswith(negative) else degrees, 7)


def _position(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    return _degrees(gps[2], gps.get(1, "N"), "S"), _degrees(gps[4], gps.get(3, "E"), "W")


def _downscaled(image: Image.Image, long_side: int, source_format: str | None) -> bytes:
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if source_format == "PNG":
        upright.save(buffer, "PNG", optimize=True)
    else:
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def prepare(
    data: bytes, name: str, *, long_side: int = DEFAULT_LONG_SIDE, keep_original: bool = False
) -> Prepared:
    """The stored form of one file; a ``UserError`` naming the file if it is neither a
    photo nor a PDF (or is damaged)."""
    source_sha = sha256_of(data)
    if data.startswith(b"%PDF-"):
        return Prepared(data, source_sha, source_sha, PDF)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            exif = image.getexif()
            taken_at = _date_taken(exif)
            latitude, longitude = _position(exif)
            turned = exif.get(ORIENTATION, 1) not in (1, None)
            source_format = image.format
            if source_format in KEPT_FORMATS and not turned and max(image.size) <= long_side:
                content = data  # already fine: byte for byte, no second JPEG loss
            else:
                content = _downscaled(image, long_side, source_format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UserError(f"文件“{name}”不是可识别的照片或PDF（可附加JPG、PNG、PDF）") from None
    with Image.open(io.BytesIO(content)) as stored:
        width, height = stored.size
        media_type = Image.MIME.get(stored.format or "", "image/jpeg")
    kept = data if keep_original and content != data else None
    return Prepared(
        content,
        sha256_of(content),
        source_sha,
        media_type,
        width,
        height,
        taken_at,
        latitude,
        longitude,
        kept,
    )


def thumbnail_png(data: bytes, size: int) -> bytes | None:
    """A small PNG of a stored photo (for lists and caches); ``None`` for a PDF."""
    if data.startswith(b"%PDF-"):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (size, size))  # JPEG: decode at 1/2…1/8 scale, much faster
            small = image.convert("RGB")
            small.thumbnail((size, size))
            buffer = io.BytesIO()
            small.save(buffer, "PNG")
            return buffer.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
