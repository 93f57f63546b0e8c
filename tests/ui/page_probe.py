"""Visits every page of the maximised main window on a virtual screen and reports what a
clerk would see cut off.

Run as ``python -m tests.ui.page_probe DB SETTINGS_DIR [--county]`` in a process of its
own (the screen and scale factor apply to the whole process; see ``test_screens``).
Prints one JSON object: the screen, the window's frame after each page was shown, the
overview's sideways scroll range, the ledger title as drawn, and where the record form's
"还需填写…" line and 保存 button are.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QScrollArea, QTableView, QTabWidget, QWidget

from tests import samples
from tests.ui.screen_probe import _rect as rect_of
from tests.ui.screen_probe import finish, start


def _global(widget: QWidget) -> list[int]:
    return rect_of(QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size()))


def sideways_of(app: QApplication, page: QWidget) -> int:
    """The widest sideways scroll range of the page's scroll areas, each tab shown in turn."""
    widest = 0
    turns = [(tabs, i) for tabs in page.findChildren(QTabWidget) for i in range(tabs.count())]
    for tabs, index in turns or [(None, 0)]:
        if tabs is not None:
            tabs.setCurrentIndex(index)
            app.processEvents()
        shown = [s for s in page.findChildren(QScrollArea) if s.isVisible()]
        widest = max([widest, *(s.horizontalScrollBar().maximum() for s in shown)])
    return widest


def table_rows(table: QTableView) -> int:
    """How many whole rows of the ledger table the clerk sees without scrolling."""
    return table.viewport().height() // table.verticalHeader().defaultSectionSize()


def main(argv: list[str]) -> int:
    db, settings_dir, *rest = argv
    app, window = start(db, settings_dir, county="--county" in rest)
    window.book.records("housing").create(samples.housing())  # a table, not the empty hint
    window.showMaximized()
    app.processEvents()
    frames: dict[str, list[int]] = {}
    sideways: dict[str, int] = {}
    for key in window.entries_keys():
        page = window.show_page(key)
        for _ in range(3):
            app.processEvents()
        frames[key] = rect_of(window.frameGeometry())
        sideways[key] = sideways_of(app, page)
    page = window.ledger_page("housing")
    window.show_page("ledger:housing")
    app.processEvents()
    title = page.title_label  # type: ignore[attr-defined]
    report: dict[str, object] = {
        "screen": rect_of(window.screen().availableGeometry()),
        "frames": frames,
        "sideways": sideways,
        "title_shown": title.shown_text(),
        "title_tip": title.toolTip(),
        "search_placeholder": page.search_edit.placeholderText(),  # type: ignore[attr-defined]
        "search_tip": page.search_edit.toolTip(),  # type: ignore[attr-defined]
        "title_fits": title.fontMetrics().horizontalAdvance(title.shown_text())
        <= title.contentsRect().width(),
        "table_rows": table_rows(page.table),  # type: ignore[attr-defined]
    }
    dialog = window.new_record()
    assert dialog is not None
    app.processEvents()
    report["dialog"] = rect_of(dialog.frameGeometry())
    report["save"] = _global(dialog.save_button)
    summary = dialog.form.summary_label
    report["summary"] = _global(summary)
    report["summary_text"] = summary.text()
    report["summary_visible"] = summary.isVisible() and not summary.visibleRegion().isEmpty()
    report["summary_whole"] = summary.visibleRegion().boundingRect().size() == summary.size()
    dialog.form.dirty = False
    dialog.reject()
    return finish(window, report)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
