"""Test photos made with Pillow: a size, an EXIF orientation, date taken and GPS."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from PIL import Image

EXIF_IFD = 0x8769
GPS_IFD = 0x8825


def photo_bytes(
    size: tuple[int, int] = (640, 480),
    *,
    color: tuple[int, int, int] = (200, 60, 40),
    orientation: int | None = None,
    taken: dt.datetime | None = None,
    gps: tuple[float, float] | None = None,
    fmt: str = "JPEG",
) -> bytes:
    """A photo whose left half is ``color`` and right half white, so turning is visible."""
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste(color, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if taken is not None:
        exif.get_ifd(EXIF_IFD)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        lat, lon = gps

        def dms(value: float) -> tuple[float, float, float]:
            d = int(abs(value))
            m = int((abs(value) - d) * 60)
            return (float(d), float(m), round((abs(value) - d - m / 60) * 3600, 4))

        exif.get_ifd(GPS_IFD).update(
            {1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lon >= 0 else "W", 4: dms(lon)}
        )
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes()) if fmt == "JPEG" else image.save(buffer, fmt)
    return buffer.getvalue()


def write_photo(path: Path, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo_bytes(**options))  # type: ignore[arg-type]
    return path


def pdf_bytes() -> bytes:
    """A one-page PDF (as a scanner would send)."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), (250, 250, 250)).save(buffer, "PDF")
    return buffer.getvalue()
