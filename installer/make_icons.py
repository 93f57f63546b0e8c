"""Render the application icon from ``resources/icons/app.svg``.

Writes, next to the SVG:

* ``app-256.png``, ``app-128.png``, ``app-48.png`` (window icon, Linux ``.desktop`` file);
* ``app.ico`` with 16, 24, 32, 48, 64, 128 and 256 px images (Windows executable and
  installer).

The ICO is assembled by hand: sizes below 256 px are stored as classic 32-bit BMP
(DIB) entries, which every Windows version and resource tool understands; the 256 px
image is stored PNG-compressed, as Windows Vista and later expect.

Run it after changing ``app.svg`` and commit the outputs::

    python installer/make_icons.py

Only PySide6 is needed; it renders offscreen, so no display is required.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

REPO_ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = REPO_ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZES = (256, 128, 48)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn into a transparent ``size`` x ``size`` image (straight alpha, RGBA)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_RGBA8888)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("could not encode PNG")
    buffer.close()
    return bytes(data.data())


def bmp_entry(image: QImage) -> bytes:
    """A 32-bit DIB for an ICO entry: header, BGRA rows bottom-up, then the AND mask."""
    width, height = image.width(), image.height()
    stride = image.bytesPerLine()
    raw = bytes(image.constBits())
    xor_rows: list[bytes] = []
    mask_rows: list[bytes] = []
    mask_stride = ((width + 31) // 32) * 4
    for y in range(height - 1, -1, -1):  # DIBs are stored bottom-up
        rgba = raw[y * stride : y * stride + width * 4]
        bgra = bytearray(len(rgba))
        bgra[0::4] = rgba[2::4]
        bgra[1::4] = rgba[1::4]
        bgra[2::4] = rgba[0::4]
        bgra[3::4] = rgba[3::4]
        xor_rows.append(bytes(bgra))
        mask = bytearray(mask_stride)
        for x in range(width):
            if rgba[x * 4 + 3] == 0:  # fully transparent pixel: set the mask bit
                mask[x // 8] |= 0x80 >> (x % 8)
        mask_rows.append(bytes(mask))
    xor_data = b"".join(xor_rows)
    and_data = b"".join(mask_rows)
    header = struct.pack(
        "<IiiHHIIiiII",
        40,  # biSize
        width,
        height * 2,  # XOR image plus AND mask
        1,  # biPlanes
        32,  # biBitCount
        0,  # BI_RGB
        len(xor_data) + len(and_data),
        0,
        0,
        0,
        0,
    )
    return header + xor_data + and_data


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries: list[tuple[int, bytes]] = []
    for size in sorted(images):
        image = images[size]
        payload = png_bytes(image) if size >= 256 else bmp_entry(image)
        entries.append((size, payload))
    offset = 6 + 16 * len(entries)
    directory = [struct.pack("<HHH", 0, 1, len(entries))]
    for size, payload in entries:
        dimension = 0 if size >= 256 else size  # 0 means 256
        directory.append(
            struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(payload), offset)
        )
        offset += len(payload)
    return b"".join(directory) + b"".join(payload for _, payload in entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ICONS_DIR / "app.svg")
    parser.add_argument("--out-dir", type=Path, default=ICONS_DIR)
    args = parser.parse_args(argv)

    app = QGuiApplication.instance() or QGuiApplication([])  # QPainter needs a Gui app
    renderer = QSvgRenderer(str(args.source))
    if not renderer.isValid():
        print(f"cannot render {args.source}", file=sys.stderr)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)

    images = {size: render(renderer, size) for size in sorted(set(ICO_SIZES) | set(PNG_SIZES))}
    for size in PNG_SIZES:
        target = args.out_dir / f"app-{size}.png"
        target.write_bytes(png_bytes(images[size]))
        print(f"wrote {target.name}")
    target = args.out_dir / "app.ico"
    target.write_bytes(ico_bytes({size: images[size] for size in ICO_SIZES}))
    print(f"wrote {target.name} ({', '.join(map(str, ICO_SIZES))} px)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
