"""Shared fixtures: every test gets a fresh data folder and a fresh database.

Qt runs offscreen, so the tests need no screen.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from hebi_desktop.services.book import Book


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's logs, backups and default database in its own folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("HEBI_DESKTOP_DATA_DIR", str(folder))
    monkeypatch.delenv("HEBI_DESKTOP_DB", raising=False)
    # Window sizes and column widths (QSettings) too: never the real user's.
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "user-settings")
    )
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ledgers.sqlite"


@pytest.fixture
def book(db_path: Path) -> Iterator[Book]:
    opened = Book.open(db_path)
    opened.settings.set("operator", "测试员")
    opened.settings.set("county_code", "410622")
    opened.settings.set("township_code", "410622102")
    yield opened
    opened.close()
