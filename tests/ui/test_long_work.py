"""Long work answers at once and never freezes the window: saving a long PDF, opening
the print preview of a long list, restoring a backup. A 10 ms timer measures the longest
event-loop stall while the work runs (``bench/gui_stalls.py`` does the same on 100,000
rows)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.dialogs.backup_picker import BackupPicker
from hebi_desktop.ui.dialogs.print_preview import FormPreview, open_preview
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.widgets.navigation import SETTINGS
from tests.printing.pdf_text import pages
from tests.ui.ledger_helpers import Button, Messages
from tests.ui.stall_meter import StallMeter

ROWS = 3000
FEEDBACK_S = 0.2
STALL_S = 0.2
LEFT = Qt.MouseButton.LeftButton


def allowed(qtbot) -> float:  # type: ignore[no-untyped-def]
    """0.2 s, plus what this (shared, loaded) machine stalls an idle event loop by now:
    the test measures the program, not the neighbours."""
    with StallMeter() as idle:
        qtbot.wait(500)
    return STALL_S + idle.longest


@pytest.fixture
def long_ledger(book: Book) -> Book:
    fill_demo(book, ROWS, ledgers=("housing",), city_wide=True)
    return book


def preview_of_everything(qtbot, book: Book) -> tuple[FormPreview, float]:  # type: ignore[no-untyped-def]
    """打印… of the whole (demo) city's housing ledger; the seconds until it showed."""
    started = time.monotonic()
    dialog = open_preview(None, book, ("housing",), RecordQuery(), all_places=True)  # type: ignore[arg-type]
    assert dialog is not None
    qtbot.addWidget(dialog)
    return dialog, time.monotonic() - started


def test_the_preview_opens_at_once_and_reads_the_records_off_the_gui_thread(
    qtbot, long_ledger: Book
) -> None:
    bound = allowed(qtbot)
    with StallMeter() as meter:
        dialog, opened = preview_of_everything(qtbot, long_ledger)
        assert dialog.isVisible() and opened < FEEDBACK_S
        building = dialog._building
        assert building is not None and building.running  # 正在准备… meanwhile
        # Measured: reading the records. Laying out the pages once they are read still
        # runs on this thread (Qt's preview paints synchronously); not measured here.
        repaint = dialog.preview.updatePreview
        dialog.preview.updatePreview = lambda: None  # type: ignore[method-assign]
        with qtbot.waitSignal(building.finished, timeout=60_000):
            pass
    assert meter.longest < bound, f"the window stood still {meter.longest:.2f} s"
    dialog.preview.updatePreview = repaint  # type: ignore[method-assign]
    assert dialog._document is not None and len(dialog._document.rows) == ROWS
    dialog.close()


def test_saving_a_long_pdf_answers_at_once_and_never_freezes(
    qtbot, long_ledger: Book, tmp_path: Path
) -> None:
    dialog, _opened = preview_of_everything(qtbot, long_ledger)
    qtbot.waitUntil(lambda: dialog._building is None, timeout=60_000)
    target = tmp_path / "花名册.pdf"
    bound = allowed(qtbot)
    with StallMeter() as meter:
        started = time.monotonic()
        worker = dialog.save_pdf(target)
        assert worker is not None and "正在保存" in dialog.message_label.text()
        assert time.monotonic() - started < FEEDBACK_S
        with qtbot.waitSignal(worker.done, timeout=120_000):
            pass
    assert worker.error_message is None, worker.error_message
    assert meter.longest < bound, f"the window stood still {meter.longest:.2f} s"
    assert len(pages(target)) == worker.result.pages > 50
    dialog.close()


def test_restore_shows_progress_and_keeps_the_window_painting(
    qtbot, long_ledger: Book, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    backup = backups.make_backup(long_ledger, backups.MANUAL)
    window = MainWindow(long_ledger)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page(SETTINGS)

    def choose_newest(picker: BackupPicker) -> int:
        picker.choose_selected()
        return picker.result()

    monkeypatch.setattr(BackupPicker, "exec", choose_newest)
    messages.answer = Button.Yes
    shown: list[bool] = []
    bound = allowed(qtbot)
    with StallMeter() as meter:
        QTimer.singleShot(20, lambda: shown.append(window.restore_progress is not None))
        page.restore_button.click()
    assert shown == [True]  # "正在恢复…" was up while the file was replaced
    assert meter.longest < bound, f"the window stood still {meter.longest:.2f} s"
    assert window.book.records("housing").count() == ROWS
    assert backup.name in messages.texts("information")[-1]
    window.book.close()
