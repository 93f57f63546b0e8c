"""Long work answers at once and never freezes the window: saving a long PDF, opening
the print preview of a long list, restoring a backup. A 10 ms timer measures the longest
event-loop stall while the work runs (``bench/gui_stalls.py`` does the same on 100,000
rows)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog

from hebi_desktop.printing.paged import LaidOut
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.records import RecordService
from hebi_desktop.storage.backup import check_backup
from hebi_desktop.ui.dialogs.backup_picker import BackupPicker
from hebi_desktop.ui.dialogs.print_preview import FormPreview, open_preview
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.widgets.navigation import OVERVIEW, SETTINGS
from tests.printing.pdf_text import pages
from tests.services.test_restore import records_in
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
    assert dialog is not None  # closed by tests/ui/conftest.py if a test leaves it open
    return dialog, time.monotonic() - started


def wait_for_page(qtbot, dialog: FormPreview, index: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.preview.has_image(index), timeout=120_000)


def open_and_page_to_the_end(qtbot, book: Book) -> tuple[FormPreview, float, float]:  # type: ignore[no-untyped-def]
    """Open the preview, wait for its first page, jump to the last, page back five: the
    dialog, the longest event-loop stall and the GUI thread's own CPU seconds meanwhile
    (what the window spent working, whatever the machine's load)."""
    cpu = time.thread_time()
    with StallMeter() as meter:
        dialog, opened = preview_of_everything(qtbot, book)
        assert dialog.isVisible() and opened < FEEDBACK_S
        assert dialog.status_label.text() == "正在读取记录…"  # said at once
        wait_for_page(qtbot, dialog, 0)
        count = dialog.preview.pageCount()
        qtbot.keyClick(dialog.preview, Qt.Key.Key_End)
        assert dialog.page_edit.text() == str(count)
        wait_for_page(qtbot, dialog, count - 1)
        for _ in range(5):
            qtbot.keyClick(dialog.preview, Qt.Key.Key_PageUp)
        wait_for_page(qtbot, dialog, count - 6)
    return dialog, meter.longest, time.thread_time() - cpu


def test_the_preview_shows_its_pages_at_once_and_never_freezes(
    qtbot, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    say = FormPreview._say_progress
    monkeypatch.setattr(
        FormPreview, "_say_progress", lambda dialog, text: (said.append(text), say(dialog, text))
    )
    fill_demo(book, ROWS // 10, ledgers=("housing",))
    small, _stall, small_cpu = open_and_page_to_the_end(qtbot, book)
    small_pages = small.preview.pageCount()
    small.close()
    fill_demo(book, ROWS, ledgers=("housing",))  # the same first rows and 2,700 more
    bound = allowed(qtbot)
    dialog, stall, cpu = open_and_page_to_the_end(qtbot, book)
    assert dialog.preview.pageCount() > 5 * small_pages
    assert said[0] == "正在读取记录…" and "正在排版… 第 1 页" in said  # what it is doing
    assert stall < bound, f"the window stood still {stall:.2f} s"
    # Laying out and painting happen on the factory's thread: the window's own work does
    # not grow with the list (Qt's preview painted every page here: ~1.4 s for 3,000).
    assert cpu < small_cpu + 0.3, f"GUI thread {cpu:.2f} s for 10x the rows ({small_cpu:.2f} s)"
    dialog.close()


def test_the_last_page_shown_is_the_last_page_printed(
    qtbot, long_ledger: Book, tmp_path: Path
) -> None:
    dialog, _opened = preview_of_everything(qtbot, long_ledger)
    qtbot.waitUntil(lambda: dialog.pages_ready, timeout=120_000)
    count = dialog.preview.pageCount()
    dialog.page_edit.setText(str(count))  # typed into the page box
    qtbot.keyClick(dialog.page_edit, Qt.Key.Key_Return)
    wait_for_page(qtbot, dialog, count - 1)
    shown = dialog.preview.image(count - 1)
    assert shown is not None
    laid = LaidOut(dialog.document(), "A4", True)
    assert laid.page_count == count
    assert shown == laid.image(count - 1, shown.width())
    assert shown != laid.image(count - 2, shown.width())
    worker = dialog.save_pdf(tmp_path / "花名册.pdf")
    assert worker is not None
    with qtbot.waitSignal(worker.done, timeout=120_000):
        pass
    texts = pages(tmp_path / "花名册.pdf")
    assert len(texts) == count
    assert f"第{count}页共{count}页" in texts[-1]  # (the reader drops the spaces)
    assert f"共{ROWS}条" in texts[-1]
    dialog.close()


def test_saving_a_long_pdf_answers_at_once_and_never_freezes(
    qtbot, long_ledger: Book, tmp_path: Path
) -> None:
    dialog, _opened = preview_of_everything(qtbot, long_ledger)
    qtbot.waitUntil(lambda: dialog.pages_ready, timeout=120_000)
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
    said: list[str] = []
    show_text = QProgressDialog.setLabelText
    monkeypatch.setattr(
        QProgressDialog,
        "setLabelText",
        lambda dialog, text: (said.append(text), show_text(dialog, text))[1],
    )
    shown: list[bool] = []
    bound = allowed(qtbot)
    with StallMeter() as meter:
        QTimer.singleShot(20, lambda: shown.append(window.restore_progress is not None))
        page.restore_button.click()
    assert shown == [True]  # "正在恢复…" was up while the file was replaced
    steps = [text.split("\n")[-1] for text in said if text.startswith("正在从")]
    assert steps == [
        "正在检查备份文件…",
        "正在复制备份…",
        "正在检查复制好的数据库…",
        "正在保留恢复前的数据库…",
        "正在打开恢复的数据库…",
    ]  # each step said while it runs
    assert meter.longest < bound, f"the window stood still {meter.longest:.2f} s"
    assert window.book.records("housing").count() == ROWS
    assert backup.name in messages.texts("information")[-1]
    window.book.close()


def test_the_overview_recounts_after_a_restore_without_freezing(
    qtbot, long_ledger: Book, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    """On 100,000 records the overview's counts take over a second; made that slow here,
    they must run beside the window (before and after the restore), not in it."""
    backup = backups.make_backup(long_ledger, backups.MANUAL)
    window = MainWindow(long_ledger)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.pages[OVERVIEW].refresh_pending, timeout=60_000)
    count = RecordService.count

    def slow_count(service: RecordService, *args: object, **kwargs: object) -> int:
        time.sleep(0.3)  # a count of a long ledger (the interpreter runs others meanwhile)
        return count(service, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RecordService, "count", slow_count)
    messages.answer = Button.Yes
    bound = allowed(qtbot)
    with StallMeter() as meter:
        window.pages[OVERVIEW].refresh_soon()  # counting when the restore begins
        assert window.restore_from(backup)
        overview = window.pages[OVERVIEW]
        assert overview.updated_label.text() == "正在统计……"
        qtbot.waitUntil(lambda: not overview.refresh_pending, timeout=60_000)
    assert meter.longest < bound, f"the window stood still {meter.longest:.2f} s"
    assert overview.updated_label.text().startswith("统计时间")
    assert overview.figure_text("housing", "households") == f"{ROWS:,}"
    window.book.close()


def test_the_exit_backup_runs_beside_the_window(
    qtbot, long_ledger: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the window with changes backs up on a worker behind "正在备份，请稍候…";
    made slow here (as 100,000 rows are), the copy must not stop the window painting."""
    real_backup = backups.backup_on_exit

    def slow_backup(book: Book, progress=None):  # type: ignore[no-untyped-def]
        time.sleep(0.6)  # a long copy (the interpreter runs the window meanwhile)
        return real_backup(book, progress)

    monkeypatch.setattr(backups, "backup_on_exit", slow_backup)
    window = MainWindow(long_ledger)
    qtbot.addWidget(window)
    window.show()
    long_ledger.settings.set("operator", "王丽")  # a change since the last backup
    said: list[str] = []

    def look() -> None:  # on the GUI thread, while the backup runs
        if window.exit_progress is not None and window.exit_progress.isVisible():
            said.append(window.exit_progress.labelText())

    looking = QTimer()
    looking.timeout.connect(look)
    looking.start(50)
    bound = allowed(qtbot)
    with StallMeter() as meter:
        window.close()
    looking.stop()
    assert not window.isVisible()
    assert said and set(said) == {"正在备份，请稍候…"}  # the clerk sees why quitting waits
    assert meter.longest < bound, f"the window stood still {meter.longest:.2f} s"
    made = window.exit_backup
    assert made is not None and made.is_file()
    folder = backups.policy(long_ledger).folder
    assert backups.automatic_backups(folder) == [made]
    assert [p.name for p in folder.iterdir() if p.name.endswith(".part")] == []
    assert check_backup(made) is not None  # a whole database, read without changing it
    assert records_in(made) == ROWS
