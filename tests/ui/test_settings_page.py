"""设置: operator, backup folder and policy, 立即备份, keep-N rotation, restore."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from hebi_desktop.domain import resident_id
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.navigation import SETTINGS
from hebi_desktop.ui.settings_page import SettingsPage
from tests import samples
from tests.raw_db import raw_connect
from tests.ui.ledger_helpers import Button, Messages, choose, retype

LEFT = Qt.MouseButton.LeftButton
OTHER_ID = resident_id.make("410622", dt.date(1948, 1, 2), 12)


@pytest.fixture
def page(qtbot, book: Book) -> SettingsPage:
    shown = SettingsPage(book)
    qtbot.addWidget(shown)
    shown.resize(1000, 800)
    shown.show()
    return shown


def _rows(path: Path) -> int:
    connection = raw_connect(path)
    try:
        return connection.execute(
            "SELECT count(*) FROM housing_checks WHERE deleted_at IS NULL"
        ).fetchone()[0]
    finally:
        connection.close()


def test_shows_the_stored_settings(page: SettingsPage, book: Book) -> None:
    assert page.operator_form.name_edit.text() == "测试员"
    assert page.operator_form.township_combo.currentText() == "北阳镇"
    assert page.location_label.text() == book.location
    assert page.on_exit_check.isChecked()  # automatic backups are on unless turned off
    assert page.keep_spin.value() == backups.DEFAULT_KEEP
    assert page.backup_label.text() == "还没有备份过"


def test_the_operator_is_changed_with_save(qtbot, page: SettingsPage, book: Book) -> None:
    form = page.operator_form
    assert not page.save_operator_button.isEnabled()
    retype(qtbot, form.name_edit, "王芳")
    choose(qtbot, form.township_combo, "西岗镇")
    assert book.settings.operator == "测试员"  # nothing stored before 保存
    with qtbot.waitSignal(page.operator_changed):
        qtbot.mouseClick(page.save_operator_button, LEFT)
    assert book.settings.operator == "王芳"
    assert book.settings.township_code == "410622103"
    assert page.operator_label.text() == "已保存"


def test_backup_now_writes_into_the_chosen_folder(
    qtbot, page: SettingsPage, book: Book, tmp_path: Path, monkeypatch
) -> None:
    book.records("housing").create(samples.housing())
    folder = tmp_path / "U盘备份"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(folder))
    qtbot.mouseClick(page.choose_folder_button, LEFT)
    assert backups.policy(book).folder == folder  # remembered at once

    with qtbot.waitSignal(page.backup_made, timeout=10000) as made:
        qtbot.mouseClick(page.backup_button, LEFT)
        assert not page.backup_button.isEnabled()  # one backup at a time
    path = made.args[0]
    assert path.parent == folder and path.exists()
    assert list(folder.iterdir()) == [path]
    assert _rows(path) == 1  # a complete database, not an empty file
    assert page.backup_button.isEnabled()
    assert str(path) in page.backup_label.text()
    assert backups.last_backup_at(book) is not None


def test_keep_n_deletes_only_older_automatic_backups(
    qtbot, page: SettingsPage, book: Book, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    page.folder_edit.setText(str(folder))
    page.keep_spin.setValue(2)  # saved as it is changed
    assert backups.policy(book).keep == 2
    manual = backups.make_backup(book, backups.MANUAL)
    made = [backups.make_backup(book, backups.AUTOMATIC) for _ in range(4)]
    left = sorted(p for p in folder.iterdir())
    assert manual in left  # the clerk's own backups are never deleted
    assert [p for p in left if p != manual] == sorted(made[-2:])
    assert all(not p.exists() for p in made[:2])


def test_no_automatic_backup_when_turned_off(qtbot, page: SettingsPage, book: Book) -> None:
    page.on_exit_check.setChecked(False)
    assert not backups.policy(book).on_exit
    assert backups.backup_on_exit(book) is None
    assert backups.automatic_backups(backups.policy(book).folder) == []


def test_restore_brings_back_the_backup_and_keeps_the_current_file(
    qtbot, book: Book, tmp_path: Path, monkeypatch, messages: Messages
) -> None:
    service = book.records("housing")
    service.create(samples.housing())
    backup = backups.make_backup(book, backups.MANUAL, tmp_path / "saved")
    service.create(samples.housing(head_name="李桂兰", id_number=OTHER_ID))
    assert service.count() == 2

    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page(SETTINGS)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(backup), ""))
    messages.answer = Button.Yes
    page.restore_button.click()

    assert messages.texts("question") and backup.name in messages.texts("question")[0]
    assert window.book is not book  # reopened on the restored file
    assert window.book.records("housing").count() == 1
    assert "住房安全 1 条" in window.count_label.text()
    kept = list(backups.policy(window.book).folder.glob("*before-restore*"))
    assert len(kept) == 1 and _rows(kept[0]) == 2  # the replaced database is kept
    assert window.pages[SETTINGS] is not page  # pages were rebuilt on the new book
    assert messages.texts("information")[-1].startswith("已从")
    window.book.close()


def test_restore_is_refused_without_confirmation(
    qtbot, book: Book, tmp_path: Path, monkeypatch, messages: Messages
) -> None:
    backup = backups.make_backup(book, backups.MANUAL, tmp_path / "saved")
    book.records("housing").create(samples.housing())
    page = SettingsPage(book)
    qtbot.addWidget(page)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(backup), ""))
    messages.answer = Button.No
    with qtbot.assertNotEmitted(page.restore_requested):
        assert page.choose_restore() is None
    assert book.records("housing").count() == 1


def test_a_file_that_is_no_backup_changes_nothing(
    qtbot, book: Book, tmp_path: Path, messages: Messages
) -> None:
    book.records("housing").create(samples.housing())
    bogus = tmp_path / "不是备份.sqlite"
    bogus.write_text("hello", encoding="utf-8")
    window = MainWindow(book)
    qtbot.addWidget(window)
    assert not window.restore_from(bogus)
    assert "不是有效的数据库备份" in messages.texts("warning")[0]
    assert window.book is book and book.records("housing").count() == 1


def test_restore_in_the_window_is_refused_while_another_program_has_the_file_open(
    qtbot, book: Book, tmp_path: Path, messages: Messages
) -> None:
    service = book.records("housing")
    service.create(samples.housing())
    backup = backups.make_backup(book, backups.MANUAL, tmp_path / "saved")
    service.create(samples.housing(head_name="李桂兰", id_number=OTHER_ID))
    assert book.sqlite_file is not None
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(book.sqlite_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        window = MainWindow(book)
        qtbot.addWidget(window)
        assert not window.restore_from(backup)
        assert "正在被" in messages.texts("warning")[-1]
        assert window.book.records("housing").count() == 2  # reopened, unchanged
    finally:
        holder.communicate("\n", timeout=60)
    assert window.restore_from(backup)  # the other program has closed it now
    assert window.book.records("housing").count() == 1
    window.book.close()


HOLDER = """
import sys
from hebi_desktop.services.book import Book
book = Book.open(sys.argv[1])
book.count_all()
print("ready", flush=True)
sys.stdin.readline()
book.close()
"""
