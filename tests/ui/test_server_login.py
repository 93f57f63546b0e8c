"""The window asks for a server password once, keeps it in this process only."""

from __future__ import annotations

import os
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog

from hebi_desktop.services.book import Book
from hebi_desktop.storage.server import LoginRefused
from hebi_desktop.ui import app
from tests.ui.ledger_helpers import Messages

URL = "postgresql+psycopg://clerk@192.0.2.1/ledgers"


def test_a_refused_login_asks_for_the_password_and_tries_again(
    monkeypatch: pytest.MonkeyPatch, messages: Messages, data_dir: Any
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    attempts: list[str | None] = []
    opened = object()

    def fake_open(db: str | None, **_kwargs: Any) -> Any:
        attempts.append(os.environ.get("PGPASSWORD"))
        if len(attempts) == 1:
            raise LoginRefused("无法打开数据库：服务器拒绝登录：用户名或密码不对")
        return opened

    asked: list[str] = []

    def fake_ask(_parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
        asked.append(label)
        return "s3cret!", True

    monkeypatch.setattr(Book, "open", staticmethod(fake_open))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake_ask))
    assert app.open_book(URL) is opened
    assert attempts == [None, "s3cret!"]
    assert len(asked) == 1 and "服务器拒绝登录" in asked[0] and URL in asked[0]
    assert messages.shown == []
    monkeypatch.delenv("PGPASSWORD")


def test_cancelling_the_password_shows_why_and_opens_nothing(
    monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    def refuse(db: str | None, **_kwargs: Any) -> Any:
        raise LoginRefused("服务器拒绝登录：用户名或密码不对")

    monkeypatch.setattr(Book, "open", staticmethod(refuse))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a: ("", False)))
    assert app.open_book(URL) is None
    assert messages.texts("critical") == ["服务器拒绝登录：用户名或密码不对"]


def test_the_settings_row_saves_a_server_address_without_password(qtbot) -> None:
    from hebi_desktop.storage.desk_choice import chosen_database
    from hebi_desktop.ui.screens.server_address import ServerAddress

    row = ServerAddress()
    qtbot.addWidget(row)
    row.address_edit.setText("postgresql+psycopg://clerk:pw123@10.0.0.5/ledgers")
    assert row.save() is False
    assert "不要包含密码" in row.status_label.text() and chosen_database() is None
    row.address_edit.setText(URL)
    assert row.save() is True
    assert chosen_database() == URL and "重新启动" in row.status_label.text()
    again = ServerAddress()
    qtbot.addWidget(again)
    assert again.address_edit.text() == URL
