"""Fixtures shared by the widget tests."""

from __future__ import annotations

import pytest

from tests.ui.ledger_helpers import Messages


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    """Message boxes answered and recorded instead of blocking the test."""
    return Messages().install(monkeypatch)
