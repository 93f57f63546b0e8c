"""The window notices records another desk saved, without the clerk pressing refresh."""

from __future__ import annotations

from PySide6.QtCore import Qt

from hebi_desktop.services.book import Book
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.widgets.navigation import ledger_page_key
from tests import samples


def test_another_desks_save_refreshes_the_list_and_status(qtbot, book: Book) -> None:
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page(ledger_page_key("housing"))
    assert page.count_label.text() == "共 0 条"
    assert window.watcher.look() is False  # nothing changed: no refresh, no query beyond one

    other_desk = Book.open(book.url)
    try:
        other_desk.records("housing").create(samples.housing())
    finally:
        other_desk.close()
    with qtbot.waitSignal(window.watcher.changed, timeout=2000):
        # what the clerk does: comes back to the window
        window.watcher._state_changed(Qt.ApplicationState.ApplicationActive)
    assert page.count_label.text() == "共 1 条"
    assert "住房安全 1 条" in window.count_label.text()


def test_own_saves_do_not_count_as_another_desks(qtbot, book: Book) -> None:
    window = MainWindow(book)
    qtbot.addWidget(window)
    book.records("water").create(samples.water())
    window._records_changed()  # what the pages signal after a save
    assert window.watcher.look() is False
