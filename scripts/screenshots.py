"""Render each page of the window to ``docs/screenshots/*.png`` (for the README).

    python scripts/screenshots.py [--rows 500] [--out docs/screenshots]
    python scripts/screenshots.py --size 1024x768 --scale 1.5   # the small-screen set

Runs offscreen on a temporary demo database (``fill_demo``), so it needs no screen and
touches no real data (nor the user's window settings). The virtual screen is 1366×768,
the commonest township office screen, and the window is maximised on it the way a clerk
uses it; the record form opens at the size it gets on that screen. Qt offscreen draws
Chinese only with a CJK font installed (on Debian: ``apt-get install fonts-wqy-microhei``);
without one the text is boxes.
File locations in the pictures are shown as on a clerk's Windows PC, not the
temporary folder the pictures were taken from.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1366, 768
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "SimSun")
SHOWN_DATA = "C:\\Users\\张丽\\AppData\\Local\\hebi-desktop"
SHOWN_DATABASE = SHOWN_DATA + "\\hebi-desktop.sqlite"
SHOWN_BACKUPS = "E:\\台账备份"
SHOWN_SHEET = "D:\\报送材料\\北阳镇排查表.xlsx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500, help="demo records per ledger")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default=f"{WIDTH}x{HEIGHT}", help="screen, e.g. 1024x768")
    parser.add_argument("--scale", type=float, default=1.0, help="QT_SCALE_FACTOR, e.g. 1.5")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))
    # The default set keeps its names; another screen's pictures get its size in the name.
    suffix = (
        ""
        if (width, height, args.scale) == (WIDTH, HEIGHT, 1.0)
        else (f"-{width}x{height}" + (f"-{round(args.scale * 100)}" if args.scale != 1.0 else ""))
    )
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    with tempfile.TemporaryDirectory(prefix="hebi-shots-") as temp:
        screen = Path(temp) / "screen.json"
        screen.write_text(
            json.dumps(
                {
                    "windowFrameMargins": False,  # the picture is the whole screen
                    "screens": [
                        {"name": "office", "x": 0, "y": 0, "width": width, "height": height}
                        | {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
                    ],
                }
            ),
            encoding="utf-8",
        )
        os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={screen}")
        os.environ["HEBI_DESKTOP_DATA_DIR"] = str(Path(temp) / "data")
        os.environ.pop("HEBI_DESKTOP_DB", None)
        return render(Path(temp), args.rows, args.out, suffix)


def _settle(app: object, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()  # type: ignore[attr-defined]


def render(temp: Path, rows: int, out: Path, suffix: str = "") -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFont, QFontDatabase

    from hebi_desktop.services import backups
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.demo import fill_demo
    from hebi_desktop.ui.app import make_application
    from hebi_desktop.ui.main_window import MainWindow
    from hebi_desktop.ui.widgets.navigation import EXCHANGE, OVERVIEW, SETTINGS, ledger_page_key

    app = make_application([sys.argv[0]])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(temp / "user"))
    families = set(QFontDatabase.families())
    font_name = next((f for f in CJK_FONTS if f in families), None)
    if font_name is None:
        print("警告：没有找到中文字体，截图中的中文将显示为方框", file=sys.stderr)
    else:
        app.setFont(QFont(font_name, 10))

    book = Book.open(temp / "demo.sqlite")
    settings = book.settings
    settings.set("operator", "张丽")
    settings.set("operator_phone", "0392-7212345")
    settings.set("county_code", "410622")
    settings.set("township_code", "410622102")
    fill_demo(book, rows)
    backups.make_backup(book, backups.MANUAL)
    exchange_sample = _exchange_sample(book, temp)

    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(book)
    window.showMaximized()
    window.database_label.setText(f"数据库：{SHOWN_DATABASE}")
    _settle(app)

    def shoot(name: str) -> None:
        _settle(app)
        path = out / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(f"已生成 {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    window.show_page(OVERVIEW)
    shoot("overview")

    housing = window.show_page(ledger_page_key("housing"))
    shoot("housing")
    _shoot_form(app, housing, out, suffix)

    window.show_page(ledger_page_key("water"))
    shoot("water")
    window.show_page(ledger_page_key("education"))
    shoot("education")

    exchange = window.show_page(EXCHANGE)
    if exchange_sample is not None:
        exchange.show_import("housing")
        exchange.file_edit.setText(str(exchange_sample))
        worker = exchange.start_import()
        if worker is not None:
            worker.wait()
            _settle(app, 10)
        exchange.file_edit.setText(SHOWN_SHEET)
    shoot("exchange")

    settings_page = window.show_page(SETTINGS)
    settings_page.location_label.setText(SHOWN_DATABASE)
    settings_page.folder_edit.setText(SHOWN_BACKUPS)
    last = backups.last_backup_at(book)
    if last is not None:
        name = Path(book.settings.get(backups.LAST_BACKUP_FILE) or "").name
        settings_page.backup_label.setText(f"{last:%Y-%m-%d %H:%M}  {SHOWN_BACKUPS}\\{name}")
    shoot("settings")
    window._closing_done = True  # no automatic backup of the throwaway database
    window.close()
    book.close()
    return 0


def _shoot_form(app: object, page: object, out: Path, suffix: str = "") -> None:
    """The housing form with an inline error under a wrongly typed ID number."""
    dialog = page.new_record()  # type: ignore[attr-defined]
    form = dialog.form
    choices = {
        "household_category": "脱贫户",
        "structure": "砖木",
        "check_method": "镇村定期排查",
        "safety_grade": "C级",
        "in_renovation": "是",
        "renovation_method": "修缮加固",
        "renovation_progress": "施工中",
    }
    values = {
        "village": "王庄村",
        "head_name": "张秀英",
        "id_number": "41062219560308031X",  # wrong check digit: the error shows under it
        "phone": "13803921234",
        "household_size": "3",
        "address": "王庄村12号",
        "built_year": "1985",
        "floors": "1",
        "floor_area": "86.5",
        "check_date": "2024年5月9日",
        "checker": "李建国",
        "subsidy_amount": "15000",
    }
    for name, text in choices.items():
        combo = form.editors[name].input
        combo.setCurrentIndex(combo.findText(text))
    for name, text in values.items():
        form.editors[name].input.setText(text)
    _settle(app)
    path = out / f"housing-form{suffix}.png"
    dialog.grab().save(str(path))
    print(f"已生成 {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    dialog.form.dirty = False
    dialog.reject()
    _settle(app)


def _exchange_sample(book: object, temp: Path) -> Path | None:
    """Export once (a submission to list) and make a small sheet with two bad rows."""
    try:
        from openpyxl import Workbook

        from hebi_desktop.domain.display import display_value
        from hebi_desktop.domain.registry import get_ledger
        from hebi_desktop.exchange.export import ExportRequest, export_workbook
    except ImportError:
        return None
    export_workbook(book, ExportRequest(ledgers=("housing",)), temp / "住房安全台账.xlsx")  # type: ignore[arg-type]
    ledger = get_ledger("housing")
    fields = [f for f in ledger.fields if f.stored]
    records = book.records("housing").list(None, 0, 3)  # type: ignore[attr-defined]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住房安全"
    sheet.append([f.header for f in fields])
    for index, record in enumerate(records):
        values = dict(record.values)
        values["check_date"] = values["check_date"].replace(day=1)  # a new check, not a copy
        if index == 0:
            values["id_number"] = values["id_number"][:-1] + (
                "0" if values["id_number"][-1] != "0" else "1"
            )
        if index == 1:
            values["safety_grade"] = "E级"
        sheet.append([display_value(f, values.get(f.name)) or None for f in fields])
    sheet.cell(row=4, column=[f.name for f in fields].index("safety_grade") + 1, value="特级")
    path = temp / "北阳镇排查表.xlsx"
    workbook.save(path)
    return path


if __name__ == "__main__":
    sys.exit(main())
