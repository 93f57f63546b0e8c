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
from hebi_desktop.storage.checksums import manifest_of
from hebi_desktop.ui.dialogs.backup_picker import BackupPicker, FolderPicker
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.settings_page import SettingsPage
from hebi_desktop.ui.widgets.navigation import SETTINGS
from tests import samples
from tests.raw_db import raw_connect
from tests.ui.ledger_helpers import Button, Messages, choose, retype

LEFT = Qt.MouseButton.LeftButton


def elsewhere(picker: BackupPicker | FolderPicker) -> int:
    """The list dialog answered with 从其他位置选择… (then Qt's file dialog, patched)."""
    picker.choose_elsewhere()
    return picker.result()


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
    monkeypatch.setattr(FolderPicker, "exec", elsewhere)  # a USB stick: not in the list
    qtbot.mouseClick(page.choose_folder_button, LEFT)
    assert backups.policy(book).folder == folder  # remembered at once

    with qtbot.waitSignal(page.backup_made, timeout=10000) as made:
        qtbot.mouseClick(page.backup_button, LEFT)
        assert not page.backup_button.isEnabled()  # one backup at a time
    path = made.args[0]
    assert path.parent == folder and path.exists()
    assert sorted(folder.iterdir()) == [path, manifest_of(path)]  # and nothing else
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
    left = sorted(folder.glob("*.sqlite"))  # the backups (each has its .sha256 beside it)
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
    monkeypatch.setattr(BackupPicker, "exec", elsewhere)  # 从其他位置选择…
    messages.answer = Button.Yes
    page.restore_button.click()

    assert messages.texts("question") and backup.name in messages.texts("question")[0]
    assert window.book is not book  # reopened on the restored file
    assert window.book.records("housing").count() == 1
    assert "住房安全 1 条" in window.count_label.text()
    kept = list(backups.policy(window.book).folder.glob("*before-restore*.sqlite"))
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
    monkeypatch.setattr(BackupPicker, "exec", elsewhere)  # 从其他位置选择…
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


def test_a_new_township_clears_the_old_unit_name_and_asks_for_it(
    qtbot, page: SettingsPage, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = Messages().install(monkeypatch)
    book.settings.set("unit_name", "淇县北阳镇人民政府")
    page.signers_box.load()
    choose(qtbot, page.operator_form.township_combo, "西岗镇")
    qtbot.mouseClick(page.save_operator_button, LEFT)
    assert book.settings.township_code == "410622103"
    assert book.settings.get("unit_name") is None
    assert page.signers_box.unit_edit.text() == ""
    [text] = messages.texts("information")
    assert "北阳镇 → 西岗镇" in text and "淇县北阳镇人民政府" in text and "重新填写" in text


def test_a_pasted_control_character_in_a_signer_is_refused_in_chinese(
    qtbot, page: SettingsPage, book: Book
) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText("李\x01四")
    page.signers_box.reviewer_edit.setFocus()
    page.signers_box.reviewer_edit.paste()
    assert not page.signers_box.save_button.isEnabled()
    assert "审核人" in page.signers_box.message_label.text()
    assert "控制字符" in page.signers_box.message_label.text()
    assert page.signers_box.save() is False
    assert book.settings.get("reviewer") is None


def test_restore_lists_the_desks_backups_with_kind_counts_and_version(
    qtbot, book: Book, tmp_path: Path, monkeypatch, messages: Messages
) -> None:
    from hebi_desktop import __version__

    service = book.records("housing")
    service.create(samples.housing())
    folder = backups.policy(book).folder
    manual = backups.make_backup(book, backups.MANUAL)
    service.create(samples.housing(head_name="李桂兰", id_number=OTHER_ID))
    automatic = backups.make_backup(book, backups.AUTOMATIC)
    (folder / "别的程序.sqlite").write_bytes(b"not ours")  # other files are not listed
    page = SettingsPage(book)
    qtbot.addWidget(page)

    shown: list[BackupPicker] = []

    def look_then_choose_the_older(picker: BackupPicker) -> int:
        shown.append(picker)
        picker.table.selectRow(1)
        picker.choose_selected()
        return picker.result()

    monkeypatch.setattr(BackupPicker, "exec", look_then_choose_the_older)
    messages.answer = Button.No  # only looking
    page.choose_restore()
    (picker,) = shown
    table = picker.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:3] == ["备份时间", "类型", "大小"] and headers[-1] == "程序版本"
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(2)]
    assert [row[1] for row in rows] == ["自动", "手动"]  # newest first
    housing = headers.index("住房安全")
    assert [row[housing] for row in rows] == ["2 条", "1 条"]
    assert rows[0][-1] == __version__ and rows[0][2].endswith("KB")
    assert table.rowCount() == 2
    assert picker.chosen == manual and manual.name in messages.texts("question")[-1]
    assert automatic.exists()


def test_restore_without_backups_says_so_and_offers_another_place(
    qtbot, book: Book, monkeypatch
) -> None:
    page = SettingsPage(book)
    qtbot.addWidget(page)
    seen: list[BackupPicker] = []
    monkeypatch.setattr(BackupPicker, "exec", lambda picker: seen.append(picker) or 0)
    assert page.choose_restore() is None
    (picker,) = seen
    assert picker.table.rowCount() == 0 and "还没有备份" in picker.where_label.text()
    assert picker.elsewhere_button.text() == "从其他位置选择…"
    assert not picker.restore_button.isEnabled()


def test_the_backup_folder_is_chosen_from_a_list(
    qtbot, page: SettingsPage, book: Book, monkeypatch
) -> None:
    backups.make_backup(book, backups.MANUAL)
    seen: list[FolderPicker] = []

    def pick_second(picker: FolderPicker) -> int:
        seen.append(picker)
        picker.table.selectRow(len(picker.folders) - 1)
        picker.choose_selected()
        return picker.result()

    monkeypatch.setattr(FolderPicker, "exec", pick_second)
    chosen = page.choose_folder()
    (picker,) = seen
    first = [picker.table.item(0, c).text() for c in range(picker.table.columnCount())]
    assert first[0] == str(backups.policy(book).folder if chosen is None else picker.folders[0])
    assert "当前" in first[1] and first[2] == "1 份"
    assert chosen == picker.folders[-1] and backups.policy(book).folder == chosen
