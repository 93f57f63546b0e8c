"""启动密码 in the settings page: set, change or remove the shared PC's start-up password.

Off by default. Setting one needs the new password twice; changing or removing it needs
the current one — the page never trusts that whoever sits at an unlocked window is the
person who typed it at start — except in a run opened with the recovery key after the
password was forgotten: whoever holds that key may set a new password or none, as at
start. The rules and their Chinese messages are the service's
(services/startup_password.py), the same as ``hebi-desktop startup-password``. Deriving
a password's key is slow on purpose, so each change runs on a worker
(widgets/password_step.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from hebi_desktop.errors import UserError
from hebi_desktop.services import startup_password as startup
from hebi_desktop.ui.dialogs.startup_password import error_label, masked_edit
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR
from hebi_desktop.ui.widgets.password_step import CHECKING, SAVING, PasswordStep

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book
    from hebi_desktop.ui.workers import Worker

OK_COLOR = "#2e7d32"
OFF_TEXT = "未设置（默认）：这台电脑的当前用户打开程序时不需要密码。"
ON_TEXT = "已设置：打开程序窗口或运行命令前，要先输入启动密码。"
RECOVERED_TEXT = (
    "已设置，但本次用恢复密钥打开，可直接设置新密码（不用输入忘记的当前密码），"
    "或者不再使用启动密码。"
)
HINT = (
    "多人共用一台电脑（或同一个 Windows 账户）时设置。它让别人无法打开本程序的数据；"
    f"但防不了键盘记录程序，也防不了输入密码后离开时没有锁屏的电脑。至少{startup.MIN_LENGTH}"
    "个字符；忘记时可以用“数据库恢复密钥”重新设置。"
)


class StartupPasswordBox(QGroupBox):
    """The start-up password's state and the fields to set, change or remove it."""

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__("启动密码（多人共用一台电脑时）", parent)
        self.book = book
        self.recovered = False
        self.form = QFormLayout(self)
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        self.form.addRow("状态：", self.state_label)
        hint = QLabel(HINT, self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #546e7a;")
        self.form.addRow("", hint)
        self.current_edit = masked_edit(self)
        self.new_edit = masked_edit(self)
        self.confirm_edit = masked_edit(self)
        for edit in (self.current_edit, self.new_edit, self.confirm_edit):
            edit.setMaximumWidth(320)
        self.form.addRow("当前密码：", self.current_edit)
        self.form.addRow("新密码：", self.new_edit)
        self.form.addRow("再输入一次：", self.confirm_edit)
        row = QHBoxLayout()
        self.set_button = QPushButton("设置启动密码", self)
        self.change_button = QPushButton("修改启动密码", self)
        self.remove_button = QPushButton("取消启动密码", self)
        self.change_button.setToolTip("填当前密码和两次新密码")
        self.set_button.clicked.connect(self.set_password)
        self.change_button.clicked.connect(self.change_password)
        self.remove_button.clicked.connect(self.remove_password)
        for button in (self.set_button, self.change_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        self.form.addRow("", row)
        self.message_label = error_label(self)
        self.form.addRow("", self.message_label)
        self.step = PasswordStep(
            self,
            self.message_label,
            [
                self.current_edit,
                self.new_edit,
                self.confirm_edit,
                self.set_button,
                self.change_button,
                self.remove_button,
            ],
        )
        self.load()

    @property
    def busy(self) -> bool:
        """A password is being checked or saved (on a worker)."""
        return self.step.busy

    def wait(self) -> None:
        self.step.wait()

    def load(self) -> None:
        """Show the state and the fields it needs (the current password only when on and
        this run was not opened with the recovery key)."""
        try:
            on = startup.is_on()
        except UserError as error:
            self._tell(str(error), ok=False)
            return
        self.recovered = on and startup.is_recovered()
        self.state_label.setText(RECOVERED_TEXT if self.recovered else ON_TEXT if on else OFF_TEXT)
        self.form.setRowVisible(self.current_edit, on and not self.recovered)
        self.set_button.setVisible(not on or self.recovered)
        self.set_button.setText("设置新密码" if self.recovered else "设置启动密码")
        self.change_button.setVisible(on and not self.recovered)
        self.remove_button.setVisible(on)
        self.remove_button.setToolTip("不用填当前密码" if self.recovered else "只需填当前密码")
        self.form.setRowVisible(self.new_edit, True)
        self.form.setRowVisible(self.confirm_edit, True)

    def set_password(self) -> Worker | None:
        new, confirmation = self.new_edit.text(), self.confirm_edit.text()
        if self.recovered:
            book = self.book
            return self._apply(
                lambda: startup.reset_forgotten(book, new, confirmation),
                SAVING,
                "新的启动密码已设置；下次打开程序时要输入它。",
            )
        return self._apply(
            lambda: startup.turn_on(new, confirmation),
            SAVING,
            "启动密码已设置；下次打开程序时要输入它。请记住它，忘记时要用恢复密钥重新设置。",
        )

    def change_password(self) -> Worker | None:
        current, new = self.current_edit.text(), self.new_edit.text()
        confirmation = self.confirm_edit.text()
        return self._apply(
            lambda: startup.change(current, new, confirmation), CHECKING, "启动密码已修改。"
        )

    def remove_password(self) -> Worker | None:
        done = "启动密码已取消；这台电脑的当前用户打开程序时不再需要密码。"
        if self.recovered:
            book = self.book
            return self._apply(lambda: startup.reset_forgotten(book, None), SAVING, done)
        current = self.current_edit.text()
        return self._apply(lambda: startup.turn_off(current), CHECKING, done)

    def _apply(self, change: Callable[[], None], busy_text: str, done: str) -> Worker | None:
        """Run ``change`` on a worker; the fields are cleared once it succeeded."""

        def succeeded(_result: object) -> None:
            for edit in (self.current_edit, self.new_edit, self.confirm_edit):
                edit.clear()
            self.load()
            self._tell(done, ok=True)

        return self.step.run(
            change, busy_text, succeeded, lambda message: self._tell(message, ok=False)
        )

    def _tell(self, text: str, *, ok: bool) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {OK_COLOR if ok else ERROR_COLOR};")
