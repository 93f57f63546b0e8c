"""Fixtures shared by the widget tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tests.ui.ledger_helpers import Messages


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    """Message boxes answered and recorded instead of blocking the test."""
    return Messages().install(monkeypatch)


@pytest.fixture(autouse=True)
def _garbage_freed_on_the_gui_thread() -> Iterator[None]:
    """Free cyclic garbage between widget tests, on the GUI thread, and never during one.

    A collection that happens to run on a worker thread would destroy the Qt objects held
    in the cycles (a closed dialog, its workers) there, and Qt crashes the whole run; the
    program pauses collection while its workers run (ui/workers.py), and the tests make
    sure no collection is left over from the previous test either.
    """
    from hebi_desktop.ui import workers

    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        # Still running (a job the test left behind): collect only once it has ended.
        if workers._collector.running == 0:
            gc.collect()
            gc.enable()


@pytest.fixture(autouse=True)
def _previews_closed() -> Iterator[None]:
    """Close the print previews a test left open (before the collector runs again).

    A closed preview deletes itself, so the tests do not hand one to ``qtbot.addWidget``:
    qtbot would close the deleted dialog once more at the end and fail.
    """
    yield
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.ui.dialogs.print_preview import FormPreview

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, FormPreview) and widget.isVisible():
            widget.close()
