"""The main window: navigation, lazy pages, menus and shortcuts, status bar, drafts, exit
backup, the error hook, and the whole start-up path of ``run_gui``."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLabel

from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.services.drafts import DraftService
from hebi_desktop.services.encryption import recovery_key
from hebi_desktop.storage.cipher import is_plain
from hebi_desktop.storage.keys import forget_session
from hebi_desktop.ui import app as app_module
from hebi_desktop.ui import main_window
from hebi_desktop.ui.dialogs.first_start import FirstStartDialog
from hebi_desktop.ui.dialogs.recovery_key import RecoveryKeyDialog
from hebi_desktop.ui.errors import MESSAGE, ErrorReporter
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from hebi_desktop.ui.screens.overview_page import OverviewPage
from hebi_desktop.ui.widgets import navigation
from hebi_desktop.ui.widgets.navigation import (
    CROSSCHECK,
    EXCHANGE,
    OVERVIEW,
    SETTINGS,
    ledger_page_key,
)
from tests import samples
from tests.ui.ledger_helpers import Button, Messages, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, book: Book) -> MainWindow:
    shown = MainWindow(book)
    qtbot.addWidget(shown)
    shown.show()
    shown.activateWindow()
    qtbot.waitActive(shown)
    return shown


def nav_texts(window: MainWindow) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]


def test_navigation_lists_the_pages_with_icons(window: MainWindow) -> None:
    ledgers = [ledger.nav_title for ledger in all_ledgers()]
    assert ledgers[:3] == ["住房安全", "供水维修", "教育资助"]
    assert nav_texts(window) == ["概览", *ledgers, "核查", "导入导出", "设置"]
    for row in range(window.nav.count()):
        assert not window.nav.item(row).icon().isNull()
    assert not window.windowIcon().isNull()
    assert window.windowTitle() == "北阳镇 — 鹤壁乡镇台账"  # Qt adds no second program name


def test_pages_are_built_on_their_first_visit(qtbot, window: MainWindow) -> None:
    assert set(window.pages) == {OVERVIEW}  # nothing else is built at start
    assert isinstance(window.stack.currentWidget(), OverviewPage)

    window.nav.setCurrentRow(2)  # a click on 供水维修

    page = window.stack.currentWidget()
    assert isinstance(page, LedgerPage) and page.ledger.key == "water"
    assert set(window.pages) == {OVERVIEW, ledger_page_key("water")}
    window.nav.setCurrentRow(0)
    window.nav.setCurrentRow(2)
    assert window.stack.currentWidget() is page  # built once, kept


def test_every_page_can_be_visited(qtbot, window: MainWindow) -> None:
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        assert window.stack.currentWidget() is window.pages[window.nav.key_at(row)]
    kinds = {key: type(page).__name__ for key, page in window.pages.items()}
    assert kinds == {
        OVERVIEW: "OverviewPage",
        **{ledger_page_key(ledger.key): "LedgerPage" for ledger in all_ledgers()},
        EXCHANGE: "ExchangePage",
        SETTINGS: "SettingsPage",
        CROSSCHECK: "CrossCheckPage",
    }


def test_without_the_ledger_page_a_placeholder_is_shown(qtbot, book: Book, monkeypatch) -> None:
    monkeypatch.setattr(main_window, "_ledger_page_class", lambda: None)
    shown = MainWindow(book)
    qtbot.addWidget(shown)
    page = shown.show_page(ledger_page_key("water"))
    (label,) = page.findChildren(QLabel)
    assert "农村供水工程维修养护台账" in label.text()
    assert shown.new_record() is None  # nothing to open, and no error either


def test_a_fourth_ledger_gets_its_entry(qtbot, book: Book, monkeypatch) -> None:
    roads = dataclasses.replace(
        get_ledger("water"), key="roads", nav_title="道路养护", title="农村公路养护台账"
    )
    monkeypatch.setattr(navigation, "all_ledgers", lambda: (*all_ledgers(), roads))
    shown = MainWindow(book)
    qtbot.addWidget(shown)
    row = len(all_ledgers()) + 1  # after 概览 and the declared ledgers
    assert nav_texts(shown)[row] == "道路养护"
    assert not shown.nav.item(row).icon().isNull()  # a generic icon when it has none


def test_status_bar_shows_database_operator_and_counts(qtbot, window: MainWindow) -> None:
    book = window.book
    assert window.database_label.text() == f"数据库：{book.location}"
    assert window.operator_label.text() == "填报人：测试员"
    assert window.count_label.text() == "  ".join(f"{lg.nav_title} 0 条" for lg in all_ledgers())
    book.records("housing").create(samples.housing())
    page = window.show_page(ledger_page_key("housing"))
    page.records_changed.emit()
    assert "住房安全 1 条" in window.count_label.text()


def test_upgrade_backup_is_mentioned(qtbot, book: Book, tmp_path: Path) -> None:
    book.upgrade_backup = tmp_path / "hebi-desktop-20240101-000000-upgrade.sqlite"
    shown = app_module.show_window(book)
    qtbot.addWidget(shown)
    assert str(book.upgrade_backup) in shown.statusBar().currentMessage()


def test_ctrl_n_opens_a_new_record_on_the_current_ledger(qtbot, window: MainWindow) -> None:
    page = window.show_page(ledger_page_key("education"))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    assert page.dialog is not None and page.dialog.is_new
    page.dialog.reject()
    # the page's own Ctrl+N is handed to the window, so the key is never ambiguous
    own = [
        s
        for s in page.findChildren(QShortcut)
        if s.key().toString() == "Ctrl+N" and s.parent().window() is window
    ]
    assert own and not any(s.isEnabled() for s in own)


def test_new_from_the_overview_goes_to_the_first_ledger(qtbot, window: MainWindow) -> None:
    dialog = window.new_record()
    assert window.current_key() == ledger_page_key("housing")
    assert dialog is not None
    dialog.reject()


def test_ctrl_e_and_ctrl_i_open_export_and_import(qtbot, window: MainWindow) -> None:
    window.show_page(ledger_page_key("water"))
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    exchange = window.pages[EXCHANGE]
    assert window.stack.currentWidget() is exchange
    assert exchange.tabs.currentIndex() == 0
    assert exchange.chosen_ledgers() == ("water",)  # the ledger the clerk was on
    window.show_page(ledger_page_key("education"))
    qtbot.keyClick(window, Qt.Key.Key_I, CTRL)
    assert exchange.tabs.currentIndex() == 1
    assert exchange.import_ledger_combo.currentData() == "education"


def test_menus_hold_the_usual_actions(window: MainWindow) -> None:
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["文件(&F)", "查看(&V)", "帮助(&H)"]
    file_actions = {a.text(): a.shortcut().toString() for a in menus["文件(&F)"].actions()}
    assert file_actions["新建记录"] == "Ctrl+N"
    assert file_actions["导入…"] == "Ctrl+I"
    assert file_actions["导出…"] == "Ctrl+E"
    assert file_actions["退出"] == "Ctrl+Q"
    assert "立即备份" in file_actions
    assert {"使用说明", "关于"} <= {a.text() for a in menus["帮助(&H)"].actions()}
    toolbar = [a.text() for a in window.toolbar.actions()]
    assert toolbar == ["新建记录", "导入…", "导出…", "立即备份"]


def test_closing_makes_the_automatic_backup(qtbot, book: Book) -> None:
    book.settings.set("backup_keep", "2")
    made = []
    for number in range(3):
        book.settings.set("operator", f"测试员{number}")  # a change: worth a backup
        shown = MainWindow(book)
        qtbot.addWidget(shown)
        shown.show()
        shown.close()
        made.append(shown.exit_backup)
    folder = backups.policy(book).folder
    assert all(p is not None and p.parent == folder for p in made)
    assert backups.automatic_backups(folder) == made[1:]  # the oldest was rotated away
    shown = MainWindow(book)  # nothing changed since: no copy, no wait
    qtbot.addWidget(shown)
    shown.show()
    shown.close()
    assert shown.exit_backup is None
    assert backups.automatic_backups(folder) == made[1:]


def test_drafts_open_their_ledger_page(qtbot, window: MainWindow, messages: Messages) -> None:
    DraftService(window.book).save("water", None, {"project_name": "东关村供水管网"})
    messages.answer = Button.No  # discard it
    opened = window.offer_drafts()
    assert opened == []
    assert window.current_key() == ledger_page_key("water")
    assert "东关村供水管网" in messages.texts("question")[0]
    assert DraftService(window.book).list() == []


def test_unexpected_error_is_logged_and_shown_and_the_form_kept(
    qtbot, window: MainWindow, messages: Messages, caplog
) -> None:
    page = window.show_page(ledger_page_key("housing"))
    dialog = page.new_record()
    editor = dialog.form.editors["head_name"].input
    editor.setFocus()
    type_text(qtbot, editor, "赵大山")
    reporter = ErrorReporter(lambda: window)
    try:
        raise KeyError("boom")
    except KeyError as error:
        with caplog.at_level(logging.ERROR):
            reporter(type(error), error, error.__traceback__)
    assert messages.texts("critical") == [MESSAGE]
    assert "程序遇到意外问题，已记录到日志" in MESSAGE
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    assert window.isVisible() and dialog.isVisible()
    drafts = DraftService(window.book).list("housing")
    assert [d.values.get("head_name") for d in drafts] == ["赵大山"]
    dialog.reject()


def test_the_hook_is_installed_and_removed(qtbot) -> None:
    import sys

    before = sys.excepthook
    reporter = ErrorReporter().install()
    assert sys.excepthook is reporter
    reporter.uninstall()
    assert sys.excepthook is before


# --- run_gui ---------------------------------------------------------------------------


@pytest.fixture
def gui_app(qapp, monkeypatch):
    """run_gui on the test's application; locale restored afterwards."""
    locale = QLocale()
    monkeypatch.setattr(app_module, "install_translations", lambda _app: [])
    yield qapp
    QLocale.setDefault(locale)


def test_run_gui_first_start_then_window_then_backup(
    qtbot, gui_app, tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "第一次.sqlite"
    seen: dict[str, object] = {}

    def answer(dialog: FirstStartDialog) -> int:
        form = dialog.form
        form.name_edit.setText("张丽")
        form.county_combo.setCurrentIndex(form.county_combo.findText("淇县"))
        form.township_combo.setCurrentIndex(form.township_combo.findText("北阳镇"))
        dialog.accept()
        return QDialog.DialogCode.Accepted

    def run_loop() -> int:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next(w for w in windows if w.isVisible())
        seen["operator"] = window.operator_label.text()
        seen["book"] = window.book
        window.close()
        return 0

    def recovery_key_shown(dialog: RecoveryKeyDialog) -> int:
        seen["recovery key"] = dialog.key_label.text()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(FirstStartDialog, "exec", answer)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", recovery_key_shown)
    monkeypatch.setattr(gui_app, "exec", run_loop)
    assert app_module.run_gui(str(db)) == 0
    assert seen["operator"] == "填报人：张丽"
    assert len(str(seen["recovery key"]).split("-")) == 8  # shown once, on the first start
    with Book.open(db) as book:
        assert book.settings.is_configured
        assert len(backups.automatic_backups(backups.policy(book).folder)) == 1


def test_run_gui_quits_when_the_first_start_is_refused(
    qtbot, gui_app, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(FirstStartDialog, "exec", lambda _d: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(gui_app, "exec", lambda: pytest.fail("no window without answers"))
    assert app_module.run_gui(str(tmp_path / "x.sqlite")) == 0


def test_run_gui_tells_a_bad_database_in_chinese(
    qtbot, gui_app, tmp_path: Path, messages: Messages
) -> None:
    bad = tmp_path / "不是数据库.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    assert app_module.run_gui(str(bad)) == 1
    (text,) = messages.texts("critical")
    assert text.startswith("无法打开数据库") and "Traceback" not in text
    # The window shown before the database was opened says it too, where the overview goes.
    unopened = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    unopened = [w for w in unopened if not w.attached]
    assert text in [w.opening_label.text() for w in unopened]


def test_the_window_is_shown_before_the_book_and_comes_alive_with_it(qtbot, book: Book) -> None:
    book.settings.set("scope", "county")
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    assert window.opening_label.text() == "正在打开…"
    assert window.opening_label.isVisible()
    assert not window.nav.isEnabled() and not window.new_action.isEnabled()
    assert window.windowTitle() == "鹤壁乡镇台账"
    window.attach(book)
    assert window.nav.isEnabled() and window.new_action.isEnabled()
    assert isinstance(window.stack.currentWidget(), OverviewPage)
    assert "汇总报送" in nav_texts(window)  # a county desk, known once the settings are read
    assert window.windowTitle() == "淇县（县区） — 鹤壁乡镇台账"  # the county desk's scope
    window.show_page("collect")
    assert window.current_key() == "collect"
    window._closing_done = True


def test_run_gui_encrypts_an_older_plain_database_first(
    qtbot, gui_app, tmp_path: Path, monkeypatch, messages: Messages
) -> None:
    db = tmp_path / "旧版本.sqlite"
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
    with Book.open(db, create=True) as book:
        book.settings.set("operator", "张丽")
        book.settings.set("township_code", "410622102")
        book.records("housing").create(samples.housing())
    assert is_plain(db)
    monkeypatch.setattr(gui_app, "exec", lambda: 0)
    assert app_module.run_gui(str(db)) == 0
    assert not is_plain(db)
    assert any("数据库已加密" in text for text in messages.texts("information"))
    with Book.open(db) as book:
        assert book.records("housing").count() == 1


def test_run_gui_asks_for_the_recovery_key_on_a_new_pc(
    qtbot, gui_app, tmp_path: Path, monkeypatch, messages: Messages
) -> None:
    db = tmp_path / "别的电脑.sqlite"
    with Book.open(db) as book:
        book.settings.set("operator", "张丽")
        book.settings.set("township_code", "410622102")
        printed = recovery_key(book)
    monkeypatch.setenv("HEBI_DESKTOP_KEY_DIR", str(tmp_path / "new-pc"))
    forget_session()
    asked: list[str] = []

    def typed(_parent, _title, label, *_args):  # type: ignore[no-untyped-def]
        asked.append(label)
        return printed.lower(), True

    monkeypatch.setattr(QInputDialog, "getText", typed)
    monkeypatch.setattr(gui_app, "exec", lambda: 0)
    assert app_module.run_gui(str(db)) == 0
    assert len(asked) == 1 and "没有它的密钥" in asked[0]
    assert not messages.texts("critical")


def test_chinese_qt_texts_are_installed_when_shipped(qapp, monkeypatch) -> None:
    monkeypatch.setattr(app_module, "_translators", [])
    installed = app_module.install_translations(qapp)
    try:
        if not installed:
            pytest.skip("this Qt build ships no Chinese translation")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_qt_file_dialog_and_buttons_speak_chinese(qapp, qtbot, monkeypatch) -> None:
    """Qt's own file dialog ("Look in:", "Files of type:") and standard buttons."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

    monkeypatch.setattr(app_module, "_translators", [])
    installed = app_module.install_translations(qapp)
    try:
        if not installed:
            pytest.skip("this Qt build ships no Chinese translation")
        dialog = QFileDialog(None, "选择文件")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        qtbot.addWidget(dialog)
        labels = [label.text() for label in dialog.findChildren(QLabel)]
        assert not any("Look in" in t or "Files of type" in t for t in labels)
        assert dialog.labelText(QFileDialog.DialogLabel.FileType) != "Files of type:"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(box)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
