"""The start-up password in the window: typed in 设置 to set, change and remove it; asked
at start before the database opens (wrong, then right); 忘记密码 through the recovery key.

Every test runs on a key folder of its own (``shared_pc``), so the password never locks
the run's key store; a "new start" is ``forget_session()``, as a new process would be.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from hebi_desktop.services import startup_password as startup
from hebi_desktop.services.book import Book
from hebi_desktop.services.encryption import recovery_key
from hebi_desktop.storage import keys
from hebi_desktop.storage.cipher import find_key
from hebi_desktop.storage.keys import WrongStartupPassword, forget_session, unlock
from hebi_desktop.ui import app as app_module
from hebi_desktop.ui.dialogs.startup_password import NewPasswordDialog, StartupPasswordDialog
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.settings_page import SettingsPage
from tests.samples import housing
from tests.ui.ledger_helpers import Messages, type_text
from tests.ui.test_main_window import gui_app  # noqa: F401 - the fixture

LEFT = Qt.MouseButton.LeftButton
PASSWORD = "共用电脑2026"
NEW_PASSWORD = "换一个新的密码!"


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
    qtbot.mouseClick(box.set_button, LEFT)
    assert "至少要8个字符" in box.message_label.text()
    type_into(qtbot, box, new=PASSWORD, confirm=PASSWORD + "x")
    qtbot.mouseClick(box.set_button, LEFT)
    assert "两次输入的新密码不一样" in box.message_label.text()
    assert not startup.is_on()

    type_into(qtbot, box, new=PASSWORD, confirm=PASSWORD)
    qtbot.mouseClick(box.set_button, LEFT)
    assert "已设置" in box.message_label.text() and "已设置" in box.state_label.text()
    assert key.hex() not in key_file_text(shared_pc)
    assert box.current_edit.isVisibleTo(page) and box.new_edit.text() == ""

    type_into(qtbot, box, current="not-it-at-all", new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    qtbot.mouseClick(box.change_button, LEFT)
    assert "当前的启动密码不对" in box.message_label.text()
    type_into(qtbot, box, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    qtbot.mouseClick(box.change_button, LEFT)
    assert box.message_label.text() == "启动密码已修改。"
    forget_session()
    with pytest.raises(WrongStartupPassword):
        unlock(PASSWORD)
    unlock(NEW_PASSWORD)

    type_into(qtbot, box, current=PASSWORD)
    qtbot.mouseClick(box.remove_button, LEFT)
    assert "当前的启动密码不对" in box.message_label.text() and startup.is_on()
    type_into(qtbot, box, current=NEW_PASSWORD)
    qtbot.mouseClick(box.remove_button, LEFT)
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
        qtbot.mouseClick(dialog.ok_button, LEFT)
        said.append(dialog.message_label.text())
        assert dialog.password_edit.text() == ""  # cleared for the next try
        type_text(qtbot, dialog.password_edit, PASSWORD)
        qtbot.mouseClick(dialog.ok_button, LEFT)
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


@pytest.mark.usefixtures("gui_app")
def test_a_forgotten_password_is_reset_with_the_recovery_key(
    qtbot, qapp, db: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    with Book.open(db) as book:
        printed = recovery_key(book)
    startup.turn_on(PASSWORD)
    forget_session()

    def forgot(dialog: StartupPasswordDialog) -> int:
        qtbot.mouseClick(dialog.forgot_button, LEFT)
        return dialog.result()

    def new_password(dialog: NewPasswordDialog) -> int:
        type_text(qtbot, dialog.new_edit, NEW_PASSWORD)
        type_text(qtbot, dialog.confirm_edit, NEW_PASSWORD)
        qtbot.mouseClick(dialog.set_button, LEFT)
        return dialog.result()

    monkeypatch.setattr(QInputDialog, "getText", lambda *_args: (printed, True))
    monkeypatch.setattr(StartupPasswordDialog, "exec", forgot)
    monkeypatch.setattr(NewPasswordDialog, "exec", new_password)
    seen: dict[str, object] = {}
    monkeypatch.setattr(qapp, "exec", window_opened(seen))
    assert app_module.run_gui(str(db)) == 0
    assert seen["records"] == 1
    assert any("恢复密钥" in text for text in messages.texts("information"))

    forget_session()
    with pytest.raises(WrongStartupPassword):
        unlock(PASSWORD)
    unlock(NEW_PASSWORD)
    with Book.open(db) as book:
        assert book.records("housing").count() == 1
