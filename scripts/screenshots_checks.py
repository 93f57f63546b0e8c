"""Pictures of the roster check and the second keying for the README (run under a screen).

    xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots_checks.py

Makes ``docs/screenshots/rosters.png`` (the 核查 page after a roster check) and
``docs/screenshots/verify.png`` (复核录入 showing a mismatch side by side) from a
temporary demo database and a made-up roster; no real data is touched.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "SimSun")
SHOWN_DATABASE = "C:\\Users\\张丽\\AppData\\Local\\hebi-desktop\\hebi-desktop.sqlite"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hebi-shots-") as temp:
        os.environ["HEBI_DESKTOP_DATA_DIR"] = str(Path(temp) / "data")
        os.environ.pop("HEBI_DESKTOP_DB", None)
        return render(Path(temp), ROOT / "docs" / "screenshots")


def render(temp: Path, out: Path) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.county.crosscheck import cross_check
    from hebi_desktop.domain import resident_id
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.demo import fill_demo
    from hebi_desktop.services.roster_checks import check_rosters
    from hebi_desktop.ui.app import make_application
    from hebi_desktop.ui.main_window import MainWindow
    from hebi_desktop.ui.widgets.navigation import ledger_page_key

    app = make_application([sys.argv[0]])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(temp / "user"))
    families = set(QFontDatabase.families())
    font_name = next((f for f in CJK_FONTS if f in families), None)
    if font_name is not None:
        app.setFont(QFont(font_name, 10))

    def settle(rounds: int = 10) -> None:
        for _ in range(rounds):
            app.processEvents()

    def shoot(name: str) -> None:
        settle()
        path = out / f"{name}.png"
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).save(str(path))
        print(f"已生成 {path.relative_to(ROOT)}")

    book = Book.open(temp / "demo.sqlite")
    settings = book.settings
    settings.set("operator", "张丽")
    settings.set("county_code", "410622")
    settings.set("township_code", "410622102")
    # The desk's own township, as a clerk's database is (the roster is the county's).
    fill_demo(book, 300, ledgers=("housing", "education"))
    # A roster that lists most claimed households (some are missing, one has died).
    people = []
    for key in ("housing", "education"):
        for index, record in enumerate(book.records(key).list(None, 0, 300)):
            if index % 9 == 0:
                continue
            status = "死亡" if index % 50 == 1 else "正常"
            people.append(
                {"row": index + 3, "id_number": record.values["id_number"], "name": "某某",
                 "status": status, "ended": status == "死亡"}
            )  # fmt: skip
    extra = resident_id.make("410622", dt.date(1960, 1, 1), 5)
    people.append({"row": 1, "id_number": extra, "name": "某某", "status": "正常"})
    book.rosters.store("tuopin", "410622", dt.date(2024, 6, 30), "淇县脱贫人口.xlsx", [people])
    book.rosters.store("dibao", "410622", dt.date(2024, 6, 30), "淇县农村低保.xlsx", [people])
    settings.set("operator", "李建国")  # the verifier: not the clerk who keyed the records

    window = MainWindow(book)
    window.showMaximized()
    window.database_label.setText(f"数据库：{SHOWN_DATABASE}")
    settle()
    page = window.show_page("crosscheck")
    page._show(cross_check(book))  # the desk's own records: "核查通过", not "尚未核查"
    panel = page.roster_panel
    panel._show(check_rosters(book))
    shoot("rosters")

    housing = window.show_page(ledger_page_key("housing"))
    housing.refresh()
    settle()
    record = book.records("housing").list(None, 0, 50)
    target = next(r for r in record if r.values.get("subsidy_amount"))
    housing.select_record(target.id)
    dialog = housing.verify_current()
    assert dialog is not None
    dialog.edits["id_number"].setText(target.values["id_number"])
    amount = target.values["subsidy_amount"]
    dialog.edits["subsidy_amount"].setText(str(amount + 1000))
    dialog.confirm()
    settle()
    shoot("verify")
    dialog.reject()
    window._closing_done = True  # no automatic backup of the throwaway database
    window.close()
    book.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
