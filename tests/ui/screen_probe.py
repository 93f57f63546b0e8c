"""Opens the main window and a record form on a virtual screen and reports where they are.

Run as ``python -m tests.ui.screen_probe DB SETTINGS_DIR [--move X Y W H]`` in a process of its
own (the screen is chosen with the offscreen plugin's ``configfile`` option, which applies
to the whole process). Prints one JSON object with the rectangles the test compares.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from hebi_desktop.ui.main_window import MainWindow


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def start(db: str, settings_dir: str, *, county: bool = False) -> tuple[QApplication, MainWindow]:
    """The application and a 北阳镇 desk's window (淇县's county desk with ``county``)."""
    app = QApplication(["probe"])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY
    from hebi_desktop.ui.main_window import MainWindow

    book = Book.open(db)
    book.settings.set("operator", "测试员")
    book.settings.set("county_code", "410622")
    book.settings.set("township_code", "410622102")
    if county:
        book.settings.set(SCOPE, SCOPE_COUNTY)
    return app, MainWindow(book)


def main(argv: list[str]) -> int:
    db, settings_dir, *rest = argv
    app, window = start(db, settings_dir)
    window.show()
    app.processEvents()
    report: dict[str, object] = {
        "screens": [_rect(s.availableGeometry()) for s in app.screens()],
        "window_screen": _rect(window.screen().availableGeometry()),
        "window": _rect(window.frameGeometry()),
        "geometry": _rect(window.geometry()),
        "maximized": window.isMaximized(),
    }
    dialog = window.new_record()
    assert dialog is not None
    app.processEvents()
    save = dialog.save_button
    report["dialog"] = _rect(dialog.frameGeometry())
    report["save"] = _rect(QRect(save.mapToGlobal(save.rect().topLeft()), save.size()))
    report["save_visible"] = save.isVisible()
    dialog.form.dirty = False
    dialog.reject()
    if rest and rest[0] == "--move":
        x, y, w, h = (int(v) for v in rest[1:5])
        window.setGeometry(x, y, w, h)
        app.processEvents()
    if rest and rest[0] == "--maximize":
        window.showMaximized()
        app.processEvents()
    report["after"] = _rect(window.geometry())
    return finish(window, report)


def finish(window: MainWindow, report: dict[str, object]) -> int:
    """Close without the exit backup and print the report for the test to read."""
    from hebi_desktop.services.settings import BACKUP_ON_EXIT

    window.book.settings.set(BACKUP_ON_EXIT, "0")
    window.close()
    window.book.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
