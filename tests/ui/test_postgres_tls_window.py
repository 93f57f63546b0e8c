"""The window's way to a TLS server: the address with its CA file typed into the settings
row, then the start that opens it, asking for the password when none is set — against
the real TLS server of ``.ci/postgres``."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from hebi_desktop.ui import app
from hebi_desktop.ui.screens.server_address import ServerAddress
from tests.storage.test_postgres_tls import CA, ENCRYPTED, OTHER_CA, server, tls_url
from tests.ui.ledger_helpers import Messages

__all__ = ["server"]  # the fixture, shared with the storage tests


def _type_into_the_settings(qtbot, address: str) -> ServerAddress:  # type: ignore[no-untyped-def]
    row = ServerAddress()
    qtbot.addWidget(row)
    qtbot.keyClicks(row.address_edit, address)
    qtbot.mouseClick(row.save_button, Qt.MouseButton.LeftButton)
    assert "重新启动程序后连接该服务器" in row.status_label.text()
    return row


def test_the_ca_file_in_the_settings_opens_the_server_encrypted(
    qtbot, messages: Messages, server: None
) -> None:
    _type_into_the_settings(qtbot, tls_url(CA))
    again = ServerAddress()  # the settings page of the next start shows the CA file as typed
    qtbot.addWidget(again)
    assert f"sslrootcert={CA}" in again.address_edit.text()
    book = app.open_book(None)
    assert book is not None, messages.shown
    try:
        with book.reading() as connection:
            assert connection.scalar(ENCRYPTED) is True
    finally:
        book.close()
    assert messages.texts("critical") == []


def test_a_wrong_ca_file_in_the_settings_is_told_in_chinese_at_start(
    qtbot, messages: Messages, server: None
) -> None:
    _type_into_the_settings(qtbot, tls_url(OTHER_CA))
    assert app.open_book(None) is None
    [told] = messages.texts("critical")
    assert "服务器证书不是由 sslrootcert 指定的 CA 签发的" in told
    assert f"sslrootcert={OTHER_CA}" in told and "certificate" not in told


def _answer_the_password_dialog(qtbot, password: str, asked: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Type ``password`` into the password dialog once it is up (it runs its own loop)."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        asked.append(dialog.labelText())
        edit = dialog.findChild(QLineEdit)
        assert edit.echoMode() == QLineEdit.EchoMode.Password
        qtbot.keyClicks(edit, password)
        dialog.accept()

    QTimer.singleShot(0, answer)


def test_without_a_saved_password_the_clerk_types_it_and_the_desk_connects_over_tls(
    qtbot, messages: Messages, server: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = os.environ["PGPASSWORD"]  # .ci/postgres gives the server's password this way
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", os.devnull)  # and no pgpass file either
    asked: list[str] = []
    _answer_the_password_dialog(qtbot, password, asked)
    book = app.open_book(tls_url(CA))
    assert book is not None, messages.shown
    try:
        with book.reading() as connection:
            assert connection.scalar(ENCRYPTED) is True
    finally:
        book.close()
    assert len(asked) == 1 and "服务器拒绝登录" in asked[0] and password not in asked[0]
