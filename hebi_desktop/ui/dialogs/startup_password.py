"""The start-up password in the window: asked before the database is opened, and the
way back when it is forgotten (the recovery key, then a new password or none).

Unwrapping takes about a third of a second (scrypt, on purpose); it runs on a worker
(widgets/password_step.py) while the dialog says "正在核对密码…", so the window keeps
drawing. A script may give the password in a file (``--startup-password-file``); when it
is right, the dialog is never shown.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop import APP_TITLE
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR
from hebi_desktop.ui.widgets.password_step import CHECKING, SAVING, PasswordStep

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book
    from hebi_desktop.ui.workers import Worker

log = logging.getLogger(__name__)

FORGOTTEN_TEXT = (
    "启动密码无法找回，也没有人能替您查看。\n\n"
    "可以用新建数据库时打印的“数据库恢复密钥”打开数据库（恢复密钥单独就能打开数据库，"
    "所以请一直锁在柜中）。打开后，可以设置新的启动密码，或者不再使用启动密码。\n\n"
    "接下来请输入恢复密钥。"
)
WRONG_IN_FILE = "启动密码文件中的密码不对，请在这里输入启动密码"


def masked_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def error_label(parent: QWidget) -> QLabel:
    """Where a refused password is explained, under the fields."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    return label


class StartupPasswordDialog(QDialog):
    """Asks for the start-up password; accepted once it unwraps the keys, or once the
    clerk chose 忘记密码 and typed a recovery key (``recovered``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recovered = False
        self.setWindowTitle(f"{APP_TITLE}：启动密码")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel("这台电脑上的台账设有启动密码。请输入启动密码：", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.password_edit = masked_edit(self)
        layout.addWidget(self.password_edit)
        self.message_label = error_label(self)
        layout.addWidget(self.message_label)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("打开", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.forgot_button = buttons.addButton("忘记密码…", QDialogButtonBox.ButtonRole.ActionRole)
        self.quit_button = buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.try_password)
        self.forgot_button.clicked.connect(self.forgot)
        self.quit_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.password_edit.setFocus()
        self.step = PasswordStep(
            self,
            self.message_label,
            [self.password_edit, self.ok_button, self.forgot_button, self.quit_button],
        )

    @property
    def busy(self) -> bool:
        """A password is being checked (on a worker)."""
        return self.step.busy

    def try_password(self) -> Worker | None:
        """Check the typed password on a worker; the dialog closes once it is right."""
        from hebi_desktop.services.startup_password import open_with

        password = self.password_edit.text()
        if not password:
            self.message_label.setText("请输入启动密码")
            return None
        return self.step.run(lambda: open_with(password), CHECKING, self._opened, self._refused)

    def open_with_file(self, path: Path) -> bool:
        """``--startup-password-file``: True once the file's password opened the keys
        (the dialog is then never shown); otherwise the dialog says why, to be shown."""
        from hebi_desktop.exchange.protected import read_password_file
        from hebi_desktop.services.startup_password import open_with

        def step() -> None:
            open_with(read_password_file(path))

        self.step.run_and_wait(step, CHECKING, self._opened, self._file_refused)
        return self.result() == QDialog.DialogCode.Accepted

    def reject(self) -> None:
        """Not while a password is checked (a moment): the worker must end first."""
        if not self.busy:
            super().reject()

    def _opened(self, _result: object) -> None:
        self.accept()

    def _refused(self, message: str) -> None:
        from hebi_desktop.services.startup_password import WRONG_TYPED

        self.message_label.setText(message)
        if message == WRONG_TYPED:
            self.password_edit.clear()
        self.password_edit.setFocus()

    def _file_refused(self, message: str) -> None:
        from hebi_desktop.services.startup_password import WRONG_TYPED

        log.info("the start-up password file did not open the keys")
        self.message_label.setText(WRONG_IN_FILE if message == WRONG_TYPED else message)

    def forgot(self) -> bool:
        """The recovery key instead of the password; a new password is offered once the
        database is open (:func:`offer_new_password`)."""
        from hebi_desktop.storage.keys import use_recovery_key
        from hebi_desktop.ui.dialogs.recovery_key import ask_recovery_key

        QMessageBox.information(self, "忘记启动密码", FORGOTTEN_TEXT)
        key = ask_recovery_key("请用恢复密钥打开数据库。", self)
        if key is None:
            return False
        use_recovery_key(key)
        self.recovered = True
        self.accept()
        return True


def unlock_at_start(parent: QWidget | None = None, password_file: str | None = None) -> bool:
    """Before the database is opened: the start-up password, when one is set — from
    ``password_file`` (``--startup-password-file``) when given and right, else asked.

    True when the keys are unwrapped (or need no password) or a recovery key was given
    (here or by ``--recovery-key-file``); False when the clerk chose 退出."""
    from hebi_desktop.storage.keys import KeyStoreError, is_locked, session_keys

    try:
        if not is_locked() or session_keys():
            return True
    except KeyStoreError:
        return True  # opening the database explains an unreadable key store
    dialog = StartupPasswordDialog(parent)
    if password_file and dialog.open_with_file(Path(password_file)):
        return True
    return dialog.exec() == QDialog.DialogCode.Accepted


class NewPasswordDialog(QDialog):
    """After a forgotten password: a new one, or none (the recovery key opened the
    database); 以后再说 leaves the old password in place."""

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.setWindowTitle("重新设置启动密码")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "数据库已用恢复密钥打开。请设置新的启动密码；如果这台电脑只有您一人使用，"
            "也可以不再使用启动密码。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.new_edit = masked_edit(self)
        self.confirm_edit = masked_edit(self)
        form.addRow("新密码：", self.new_edit)
        form.addRow("再输入一次：", self.confirm_edit)
        layout.addLayout(form)
        self.message_label = error_label(self)
        layout.addWidget(self.message_label)
        buttons = QDialogButtonBox(self)
        self.set_button = buttons.addButton("设置新密码", QDialogButtonBox.ButtonRole.AcceptRole)
        self.set_button.setDefault(True)
        self.remove_button: QPushButton = buttons.addButton(
            "不再使用启动密码", QDialogButtonBox.ButtonRole.ActionRole
        )
        later = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        self.set_button.clicked.connect(lambda: self.reset(self.new_edit.text()))
        self.remove_button.clicked.connect(lambda: self.reset(None))
        later.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.step = PasswordStep(
            self,
            self.message_label,
            [self.new_edit, self.confirm_edit, self.set_button, self.remove_button, later],
        )

    @property
    def busy(self) -> bool:
        return self.step.busy

    def reset(self, password: str | None) -> Worker | None:
        """Keep the recovery key under ``password`` (None: no password), on a worker."""
        from hebi_desktop.services.startup_password import reset_forgotten

        book, confirmation = self.book, self.confirm_edit.text()
        told = "新的启动密码已设置。" if password is not None else "已不再使用启动密码。"

        def done(_result: object) -> None:
            QMessageBox.information(self, APP_TITLE, told)
            self.accept()

        return self.step.run(
            lambda: reset_forgotten(book, password, confirmation),
            SAVING,
            done,
            self.message_label.setText,
        )

    def reject(self) -> None:
        """Not while the new password is being saved (a moment)."""
        if not self.busy:
            super().reject()


def offer_new_password(book: Book, parent: QWidget | None = None) -> None:
    """Opened with a recovery key while the password stayed unknown: set a new one."""
    from hebi_desktop.services.startup_password import is_recovered

    if is_recovered():
        NewPasswordDialog(book, parent).exec()
