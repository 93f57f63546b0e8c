"""Asking the clerk for the server password, once per session.

The password is handed to the driver through this process's ``PGPASSWORD`` only: it is
never stored in settings, written to a file or log, nor put into the database URL, so
it is gone when the program closes. Offices that do not want to type it use a pgpass
file (see the README).
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

PASSWORD_ENV_VAR = "PGPASSWORD"
MAX_ATTEMPTS = 3


def ask_password(location: str, reason: str, parent: QWidget | None = None) -> bool:
    """Ask for the password of ``location``; True when the clerk gave one to try."""
    password, accepted = QInputDialog.getText(
        parent,
        "连接数据库服务器",
        f"{reason}\n\n请输入数据库服务器“{location}”的密码（只在本次使用，不会保存）：",
        QLineEdit.EchoMode.Password,
    )
    if not accepted or not password:
        return False
    os.environ[PASSWORD_ENV_VAR] = password
    return True
