"""The start-up password in the window: typed in 设置 to set, change and remove it; asked
at start before the database opens (wrong, then right); 忘记密码 through the recovery key;
``--startup-password-file`` for a window started by a script. The password's key is
derived on a worker: the window keeps drawing while it is checked.

Every test runs on a key folder of its own (``shared_pc``), so the password never locks
the run's key store; a "new start" is ``forget_session()``, as a new process would be.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from hebi_desktop.services import startup_password as startup
from hebi_desktop.services.book import Book
from hebi_desktop.services.encryption import recovery_key
from hebi_desktop.storage import key_wrap, keys
from hebi_desktop.storage.cipher import find_key
from hebi_desktop.storage.keys import (
    WrongStartupPassword,
    forget_session,
    parse_recovery_key,
    unlock,
)
from hebi_desktop.ui import app as app_module
from hebi_desktop.ui.dialogs.startup_password import NewPasswordDialog, StartupPasswordDialog
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.settings_page import SettingsPage
from hebi_desktop.ui.startup_probe import LEDGER_MARKER, PROBE_ENV
from hebi_desktop.ui.widgets.navigation import SETTINGS
from tests.cli_helpers import ROOT
from tests.samples import housing
from tests.ui.ledger_helpers import Messages, type_text
from tests.ui.stall_meter import StallMeter
from tests.ui.test_main_window import gui_app  # noqa: F401 - the fixture

LEFT = Qt.MouseButton.LeftButton
PASSWORD = "共用电脑2026"
NEW_PASSWORD = "换一个新的密码!"
REAL_SCRYPT_N = 2**17  # key_wrap.SCRYPT_N, which ``shared_pc`` lowers
MAX_STALL_S = 0.2  # the longest the window may stop drawing


@pytest.fixture
def db(shared_pc: Path, tmp_path: Path) -> Path:
    """A configured township database with one record, on the shared PC's key store."""
    path = tmp_path / "共用.sqlite"
    with Book.open(path) as book:
        book.settings.set("operator", "张丽")
        book.settings.set("county_code", "410622")
        book.settings.set("township_code", "410622102")
        book.records("housing").create(housing())
    return path


@pytest.fixture
def page(qtbot, db: Path) -> SettingsPage:
    book = Book.open(db)
    shown = SettingsPage(book)
    qtbot.addWidget(shown)
    shown.resize(1000, 900)
    shown.show()
    yield shown
    book.close()


def key_file_text(shared_pc: Path) -> str:
    return (shared_pc / keys.KEY_FILE_NAME).read_text(encoding="ascii")


def click(qtbot, form, button) -> None:  # type: ignore[no-untyped-def]
    """Click ``button`` and wait for the password step it started on a worker."""
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: not form.busy, timeout=10_000)


def type_into(qtbot, box, **fields: str) -> None:  # type: ignore[no-untyped-def]
    for name, text in fields.items():
        edit = getattr(box, f"{name}_edit")
        edit.clear()
        type_text(qtbot, edit, text)


def test_set_change_and_remove_in_the_settings_page(
    qtbot, page: SettingsPage, db: Path, shared_pc: Path
) -> None:
    box = page.startup_password_box
    key = find_key(db)
    assert key is not None
    assert "未设置" in box.state_label.text() and not box.current_edit.isVisibleTo(page)

    type_into(qtbot, box, new="short", confirm="short")
    click(qtbot, box, box.set_button)
    assert "至少要8个字符" in box.message_label.text()
    type_into(qtbot, box, new=PASSWORD, confirm=PASSWORD + "x")
    click(qtbot, box, box.set_button)
    assert "两次输入的新密码不一样" in box.message_label.text()
    assert not startup.is_on()

    type_into(qtbot, box, new=PASSWORD, confirm=PASSWORD)
    click(qtbot, box, box.set_button)
    assert "已设置" in box.message_label.text() and "已设置" in box.state_label.text()
    assert key.hex() not in key_file_text(shared_pc)
    assert box.current_edit.isVisibleTo(page) and box.new_edit.text() == ""

    type_into(qtbot, box, current="not-it-at-all", new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    click(qtbot, box, box.change_button)
    assert "当前的启动密码不对" in box.message_label.text()
    type_into(qtbot, box, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    click(qtbot, box, box.change_button)
    assert box.message_label.text() == "启动密码已修改。"
    forget_session()
    with pytest.raises(WrongStartupPassword):
        unlock(PASSWORD)
    unlock(NEW_PASSWORD)

    type_into(qtbot, box, current=PASSWORD)
    click(qtbot, box, box.remove_button)
    assert "当前的启动密码不对" in box.message_label.text() and startup.is_on()
    type_into(qtbot, box, current=NEW_PASSWORD)
    click(qtbot, box, box.remove_button)
    assert "未设置" in box.state_label.text()
    assert key.hex() in key_file_text(shared_pc)


def window_opened(seen: dict[str, object]):  # type: ignore[no-untyped-def]
    """The event loop's stand-in: note the live window's book, then close it."""

    def run_loop() -> int:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next(w for w in windows if w.isVisible() and w.attached)
        seen["records"] = window.book.records("housing").count()
        window.close()
        return 0

    return run_loop


@pytest.mark.usefixtures("gui_app")
def test_the_window_asks_for_the_password_before_opening(
    qtbot, qapp, db: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    startup.turn_on(PASSWORD)
    forget_session()  # the next start
    said: list[str] = []

    def typed(dialog: StartupPasswordDialog) -> int:
        qtbot.keyClicks(dialog.password_edit, "guess-guess")
        click(qtbot, dialog, dialog.ok_button)
        said.append(dialog.message_label.text())
        assert dialog.password_edit.text() == ""  # cleared for the next try
        type_text(qtbot, dialog.password_edit, PASSWORD)
        click(qtbot, dialog, dialog.ok_button)
        return dialog.result()

    seen: dict[str, object] = {}
    monkeypatch.setattr(StartupPasswordDialog, "exec", typed)
    monkeypatch.setattr(qapp, "exec", window_opened(seen))
    assert app_module.run_gui(str(db)) == 0
    assert said == ["密码不对，请重新输入（注意大小写和输入法）"]
    assert seen["records"] == 1
    assert not messages.texts("critical")


@pytest.mark.usefixtures("gui_app")
def test_quitting_at_the_password_opens_nothing(
    qtbot, qapp, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    startup.turn_on(PASSWORD)
    forget_session()
    monkeypatch.setattr(StartupPasswordDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(qapp, "exec", lambda: pytest.fail("no window without the password"))
    assert app_module.run_gui(str(db)) == 1
    assert keys.is_locked()


def locked_with_recovery_key(db: Path) -> str:
    """Set the password, keep the printed recovery key, start again: the key as printed."""
    with Book.open(db) as book:
        printed = recovery_key(book)
    startup.turn_on(PASSWORD)
    forget_session()
    return printed


def choose_forgotten(qtbot):  # type: ignore[no-untyped-def]
    """The start dialog's stand-in: the clerk clicks 忘记密码…"""

    def forgot(dialog: StartupPasswordDialog) -> int:
        qtbot.mouseClick(dialog.forgot_button, LEFT)
        return dialog.result()

    return forgot


def only_the_new_password_opens(db: Path) -> None:
    """The next start: the forgotten password is refused, the new one opens the data."""
    forget_session()
    with pytest.raises(WrongStartupPassword):
        unlock(PASSWORD)
    unlock(NEW_PASSWORD)
    with Book.open(db) as book:
        assert book.records("housing").count() == 1


@pytest.mark.usefixtures("gui_app")
def test_a_forgotten_password_is_reset_with_the_recovery_key(
    qtbot, qapp, db: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    printed = locked_with_recovery_key(db)

    def new_password(dialog: NewPasswordDialog) -> int:
        type_text(qtbot, dialog.new_edit, NEW_PASSWORD)
        type_text(qtbot, dialog.confirm_edit, NEW_PASSWORD)
        click(qtbot, dialog, dialog.set_button)
        return dialog.result()

    monkeypatch.setattr(QInputDialog, "getText", lambda *_args: (printed, True))
    monkeypatch.setattr(StartupPasswordDialog, "exec", choose_forgotten(qtbot))
    monkeypatch.setattr(NewPasswordDialog, "exec", new_password)
    seen: dict[str, object] = {}
    monkeypatch.setattr(qapp, "exec", window_opened(seen))
    assert app_module.run_gui(str(db)) == 0
    assert seen["records"] == 1
    assert any("恢复密钥" in text for text in messages.texts("information"))

    only_the_new_password_opens(db)


# --- the window keeps drawing while a password is checked ------------------------------


@pytest.fixture
def real_cost(shared_pc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at the cost an office PC pays (``shared_pc`` makes it cheap)."""
    monkeypatch.setattr(key_wrap, "SCRYPT_N", REAL_SCRYPT_N)


@pytest.mark.usefixtures("real_cost")
def test_the_start_dialog_keeps_drawing_while_the_password_is_checked(qtbot, db: Path) -> None:
    startup.turn_on(PASSWORD)
    forget_session()
    dialog = StartupPasswordDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.password_edit, PASSWORD)
    with StallMeter() as meter:
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.message_label.text() == "正在核对密码…"
        assert not dialog.ok_button.isEnabled() and not dialog.quit_button.isEnabled()
        assert not dialog.password_edit.isEnabled()
        dialog.reject()  # Esc or the close box: not while the worker derives
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20_000)
    assert meter.longest < MAX_STALL_S, f"the window stalled {meter.longest:.2f} s"
    assert not keys.is_locked()


@pytest.mark.usefixtures("real_cost")
def test_the_settings_page_keeps_drawing_while_the_password_is_removed(
    qtbot, page: SettingsPage
) -> None:
    startup.turn_on(PASSWORD)
    box = page.startup_password_box
    box.load()
    type_into(qtbot, box, current=PASSWORD)
    with StallMeter() as meter:
        qtbot.mouseClick(box.remove_button, LEFT)
        assert box.message_label.text() == "正在核对密码…" and page.busy
        assert not box.remove_button.isEnabled() and not box.current_edit.isEnabled()
        qtbot.waitUntil(lambda: not box.busy, timeout=20_000)
    assert meter.longest < MAX_STALL_S, f"the window stalled {meter.longest:.2f} s"
    assert "未设置" in box.state_label.text() and not startup.is_on()
    assert box.remove_button.isEnabled() and box.current_edit.isEnabled()


# --- 以后再说 after the recovery key: 设置 resets without the forgotten password ------------


@pytest.mark.usefixtures("gui_app")
def test_after_later_the_settings_page_sets_a_new_password_without_the_old_one(
    qtbot, qapp, db: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    printed = locked_with_recovery_key(db)

    def in_settings() -> int:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next(w for w in windows if w.isVisible() and w.attached)
        box = window.show_page(SETTINGS).startup_password_box  # type: ignore[attr-defined]
        assert "本次用恢复密钥打开，可直接设置新密码" in box.state_label.text()
        assert not box.current_edit.isVisibleTo(window) and box.set_button.isVisibleTo(window)
        type_into(qtbot, box, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
        click(qtbot, box, box.set_button)
        assert "新的启动密码已设置" in box.message_label.text(), box.message_label.text()
        assert box.current_edit.isVisibleTo(window)  # the usual state again
        window.close()
        return 0

    monkeypatch.setattr(QInputDialog, "getText", lambda *_args: (printed, True))
    monkeypatch.setattr(StartupPasswordDialog, "exec", choose_forgotten(qtbot))
    monkeypatch.setattr(NewPasswordDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(qapp, "exec", in_settings)
    assert app_module.run_gui(str(db)) == 0

    only_the_new_password_opens(db)


def test_after_later_the_settings_page_removes_the_password_without_the_old_one(
    qtbot, db: Path, shared_pc: Path
) -> None:
    printed = locked_with_recovery_key(db)
    keys.use_recovery_key(parse_recovery_key(printed))  # 忘记密码, then 以后再说
    book = Book.open(db)
    try:
        shown = SettingsPage(book)
        qtbot.addWidget(shown)
        shown.show()
        box = shown.startup_password_box
        assert not box.current_edit.isVisibleTo(shown)
        click(qtbot, box, box.remove_button)
        assert "启动密码已取消" in box.message_label.text(), box.message_label.text()
        assert "未设置" in box.state_label.text()
    finally:
        book.close()
    forget_session()
    assert not keys.is_locked()
    with Book.open(db) as reopened:
        assert reopened.records("housing").count() == 1


# --- --startup-password-file for the window ------------------------------------------


def test_a_script_starts_the_window_with_a_password_file(
    db: Path, tmp_path: Path, shared_pc: Path
) -> None:
    with Book.open(db) as book:
        book.settings.set("backup_on_exit", "0")
    startup.turn_on(PASSWORD)
    forget_session()
    password_file = tmp_path / "启动密码.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "hebi_desktop", "--startup-password-file"]
    try:
        done = subprocess.run(
            [*command, str(password_file), "--db", str(db)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", PROBE_ENV: "ledger"},
            timeout=90,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the window waited for a password the file holds")
    assert done.returncode == 0, done.stderr
    assert LEDGER_MARKER in done.stderr  # the window opened the database, no dialog
    assert PASSWORD not in done.stderr


@pytest.mark.usefixtures("gui_app")
def test_a_wrong_password_file_leaves_the_dialog_to_the_clerk(
    qtbot, qapp, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    startup.turn_on(PASSWORD)
    forget_session()
    password_file = tmp_path / "启动密码.txt"
    password_file.write_text("an-old-password\n", encoding="utf-8")
    said: list[str] = []

    def typed(dialog: StartupPasswordDialog) -> int:
        said.append(dialog.message_label.text())
        type_text(qtbot, dialog.password_edit, PASSWORD)
        click(qtbot, dialog, dialog.ok_button)
        return dialog.result()

    seen: dict[str, object] = {}
    monkeypatch.setattr(StartupPasswordDialog, "exec", typed)
    monkeypatch.setattr(qapp, "exec", window_opened(seen))
    assert app_module.run_gui(str(db), str(password_file)) == 0
    assert said == ["启动密码文件中的密码不对，请在这里输入启动密码"]
    assert seen["records"] == 1

    said.clear()
    forget_session()
    assert app_module.run_gui(str(db), str(tmp_path / "没有这个文件.txt")) == 0
    assert len(said) == 1 and "无法读取密码文件" in said[0]
