"""Fixtures shared by the widget tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tests.ui.ledger_helpers import Messages


@pytest.fixture(autouse=True)
def user_settings(tmp_path: Path) -> Path:
    """Window sizes and column widths go to a fresh folder, never the real user's."""
    folder = tmp_path / "user-settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    """Message boxes answered and recorded instead of blocking the test."""
    return Messages().install(monkeypatch)
