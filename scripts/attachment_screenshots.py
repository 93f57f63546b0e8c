"""The README's pictures of 一户一档: the record form's 附件 tab and an archive page.

    xvfb-run -a -s "-screen 0 1366x768x24" python scripts/attachment_screenshots.py

Draws a few house photos (before, during and after renovation) with Pillow, attaches them
to the declared example record of a temporary database, grabs the record form on its
附件 tab, and prints the archive form to PDF, rendering its pages with poppler's
``pdftoppm``. Touches no real data.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def house_photo(path: Path, stage: int, taken: dt.datetime) -> Path:
    """A house from the same spot: 0 cracked and grey, 1 scaffolded, 2 new and white."""
    width, height = 1600, 1200
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # sky, then ground
        shade = (135 + y // 12, 180 + y // 20, 235) if y < 800 else (120, 150 - (y - 800) // 8, 80)
        draw.line([(0, y), (width, y)], fill=shade)
    wall = [(150, 140, 125), (190, 180, 160), (245, 242, 232)][stage]
    roof = [(90, 80, 70), (120, 100, 90), (176, 48, 40)][stage]
    draw.rectangle([400, 450, 1200, 850], fill=wall, outline=(60, 60, 60), width=6)
    draw.polygon([(340, 460), (800, 200), (1260, 460)], fill=roof)
    draw.rectangle([720, 620, 880, 850], fill=(110, 70, 40))
    for x in (480, 980):
        draw.rectangle([x, 540, x + 140, 660], fill=(170, 210, 240), outline=(80, 80, 80), width=5)
    if stage == 0:
        draw.line([(560, 460), (620, 560), (590, 640), (650, 760)], fill=(40, 40, 40), width=7)
        draw.line([(1050, 700), (1110, 780), (1090, 850)], fill=(40, 40, 40), width=6)
    if stage == 1:
        for x in range(380, 1240, 120):
            draw.line([(x, 300), (x, 860)], fill=(200, 160, 60), width=10)
        for y in range(420, 860, 110):
            draw.line([(370, y), (1230, y)], fill=(200, 160, 60), width=8)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.domain.printing import Form
    from hebi_desktop.domain.registry import get_ledger
    from hebi_desktop.printing.content import PrintRequest
    from hebi_desktop.printing.pdf import write_pdf
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.settings import REVIEWER, UNIT_HEAD
    from hebi_desktop.ui.dialogs.record_form import ATTACHMENTS_TAB, RecordDialog
    from hebi_desktop.ui.widgets.thumbnails import shared_cache

    out = ROOT / "docs" / "screenshots"
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="hebi-shots-") as temp:
        folder = Path(temp)
        os.environ["HEBI_DESKTOP_DATA_DIR"] = str(folder / "data")
        book = Book.open(folder / "ledgers.sqlite")
        for key, value in {
            "operator": "王丽",
            "county_code": "410622",
            "township_code": "410622102",
            REVIEWER: "李建国",
            UNIT_HEAD: "赵志强",
        }.items():
            book.settings.set(key, value)
        ledger = get_ledger("housing")
        record_id = book.records(ledger).create(ledger.example_record()).record.id
        service = book.attachments(ledger)
        shots = [
            (0, "改造前", "正面", dt.datetime(2024, 5, 9, 9, 12)),
            (0, "改造前", "东山墙裂缝", dt.datetime(2024, 5, 9, 9, 15)),
            (1, "改造中", "加固施工", dt.datetime(2024, 7, 2, 15, 40)),
            (2, "改造后", "正面", dt.datetime(2024, 9, 1, 10, 5)),
            (2, "改造后", "", dt.datetime(2024, 9, 1, 10, 8)),
        ]
        for index, (stage, kind, caption, taken) in enumerate(shots):
            photo = house_photo(folder / f"{index}.jpg", stage, taken)
            service.attach(record_id, photo, kind, caption)
        dialog = RecordDialog(book, ledger, record_id)
        dialog.resize(1000, 700)
        dialog.show()
        dialog.tabs.setCurrentIndex(ATTACHMENTS_TAB)
        shared_cache().wait()
        for _ in range(20):
            app.processEvents()
        dialog.grab().save(str(out / "attachments-form.png"))
        dialog.close()
        pdf = folder / "archive.pdf"
        request = PrintRequest("housing", Form.ARCHIVE, landscape=False)
        write_pdf(book, request, pdf)
        for page, name in ((1, "print-archive"), (2, "print-archive-photos")):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(pdf),
                    str(out / name),
                ],
                check=True,
            )
        book.close()
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
