"""Asking for workbook passwords in the window (加密导出 and protected submissions).

Passwords are typed into masked fields, kept only in memory for this session's reading,
and never written to the settings, the log or a file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from hebi_desktop.errors import UserError

TITLE = "工作簿密码"


def _masked(parent: QWidget | None, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, TITLE, label, QLineEdit.EchoMode.Password)
    return text if ok and text else None


def ask_new_password(parent: QWidget | None = None) -> str | None:
    """The password for an encrypted export, typed twice; None when cancelled."""
    from hebi_desktop.exchange.protected import check_new_password

    while True:
        first = _masked(parent, "请设置导出密码（至少6个字符；请另行电话或当面告诉接收单位）：")
        if first is None:
            return None
        try:
            check_new_password(first)
        except UserError as error:
            QMessageBox.warning(parent, TITLE, str(error))
            continue
        if _masked(parent, "请再输入一次导出密码：") == first:
            return first
        QMessageBox.warning(parent, TITLE, "两次输入的密码不一样，请重新设置。")


def unlock_workbooks(paths: list[Path], parent: QWidget | None = None) -> bool:
    """Before reading ``paths`` off the GUI thread: ask for the password of each protected
    one that no password given so far opens. False when the clerk cancelled."""
    from hebi_desktop.exchange.protected import (
        PasswordNeeded,
        is_protected,
        provide_password,
        readable,
    )

    for path in paths:
        if not is_protected(path):
            continue
        label = f"工作簿“{path.name}”设有密码，请输入："
        while True:
            try:
                readable(path)  # decrypts now, with a password given before, if one fits
                break
            except PasswordNeeded:
                password = _masked(parent, label)
                if password is None:
                    return False
                provide_password(password)
                label = f"工作簿“{path.name}”的密码不对，请重新输入："
    return True
