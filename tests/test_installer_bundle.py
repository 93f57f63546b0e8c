"""The icons and the frozen bundle.

The fast tests check the committed icon files (made by ``installer/make_icons.py``).
The slow test builds the Linux bundle with ``installer/build_linux.sh`` into a
temporary folder and runs the bundled program's ``--self-test``.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
PNG_SIZES = [256, 128, 48]
PAGE_ICONS = ["overview", "housing", "water", "education", "exchange", "settings"]
TOOLBAR_ICONS = ["new", "save", "delete", "restore", "import", "export", "backup", "search"]
BUNDLE_LIMIT_MB = 250
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_app_ico_holds_all_sizes() -> None:
    data = (ICONS / "app.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind, count) == (0, 1, len(ICO_SIZES))
    sizes = []
    for index in range(count):
        width, height, _colors, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        size = width or 256
        assert (height or 256) == size
        assert (planes, bits) == (1, 32)
        assert offset + length <= len(data)
        payload = data[offset : offset + length]
        if payload.startswith(PNG_SIGNATURE):
            png_width, png_height = struct.unpack_from(">II", payload, 16)  # IHDR
            assert (png_width, png_height) == (size, size)
        else:
            header_size, dib_width, dib_height = struct.unpack_from("<Iii", payload, 0)
            assert (header_size, dib_width, dib_height) == (40, size, 2 * size)
        sizes.append(size)
    assert sizes == ICO_SIZES


def test_app_ico_is_read_by_qt(qapp) -> None:
    from PySide6.QtGui import QImageReader

    reader = QImageReader(str(ICONS / "app.ico"))
    assert reader.imageCount() == len(ICO_SIZES)
    widths = []
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        widths.append(image.width())
    assert sorted(widths) == ICO_SIZES


@pytest.mark.parametrize("size", PNG_SIZES)
def test_app_png_has_its_size(qapp, size: int) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(ICONS / f"app-{size}.png"))
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()


@pytest.mark.parametrize("name", ["app", *PAGE_ICONS, *TOOLBAR_ICONS])
def test_svg_icon_renders(qapp, name: str) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(ICONS / f"{name}.svg"))
    assert renderer.isValid()
    if name != "app":
        assert renderer.viewBoxF() == QRectF(0, 0, 24, 24)
    image = QImage(32, 32, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, 32, 32))
    painter.end()
    drawn = sum(1 for y in range(32) for x in range(32) if image.pixelColor(x, y).alpha() > 0)
    assert drawn > 20, "the icon draws (almost) nothing"


def _version() -> str:
    from hebi_desktop import __version__

    return __version__


def _folder_size(folder: Path) -> int:
    files = (path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    return sum(path.stat().st_size for path in files)


@pytest.mark.slow
def test_linux_bundle_builds_and_passes_its_self_test(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("installer/build_linux.sh builds the Linux bundle; run it on Linux")
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip('PyInstaller is not installed (python3 -m pip install ".[installer]")')

    dist, work = tmp_path / "dist", tmp_path / "work"
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DIST_DIR": str(dist),
        "WORK_DIR": str(work),
        "QT_QPA_PLATFORM": "offscreen",
    }
    build = subprocess.run(
        ["bash", str(ROOT / "installer" / "build_linux.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=1800,
    )
    log = (build.stdout + build.stderr)[-6000:]
    assert build.returncode == 0, f"build_linux.sh failed:\n{log}"

    bundle = dist / "hebi-desktop"
    executable = bundle / "hebi-desktop"
    assert executable.is_file()
    internal = bundle / f"_internal-{_version()}"
    assert (internal / "resources" / "icons" / "app.svg").is_file()
    assert (internal / "resources" / "data" / "hebi_divisions.csv").is_file()
    migrations = internal / "hebi_desktop" / "storage" / "migrations"
    assert (migrations / "env.py").is_file()
    assert any((migrations / "versions").glob("0001_*.py"))

    desktop = (bundle / "hebi-desktop.desktop").read_text(encoding="utf-8").splitlines()
    assert "Name=鹤壁乡镇台账" in desktop
    assert "Categories=Office;" in desktop
    assert "Terminal=false" in desktop
    assert (bundle / "hebi-desktop.png").is_file()

    self_test = subprocess.run(
        [str(executable), "--self-test"],
        env={**env, "HEBI_DESKTOP_DATA_DIR": str(tmp_path / "self-test-data")},
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=600,
    )
    output = self_test.stdout + self_test.stderr
    assert self_test.returncode == 0, f"--self-test failed:\n{output[-4000:]}"
    assert any(line.startswith("自检通过") for line in output.splitlines()), output[-4000:]

    size_mb = _folder_size(bundle) / (1024 * 1024)
    print(f"bundle size: {size_mb:.1f} MB")
    assert size_mb < BUNDLE_LIMIT_MB, f"bundle is {size_mb:.0f} MB; over {BUNDLE_LIMIT_MB} MB"
