"""Fixtures shared by the widget tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tests.ui.ledger_helpers import Button, Messages


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


@pytest.fixture(autouse=True)
def _no_message_box_waits_for_nobody(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real message box in an offscreen test waits for a click that never comes, and the
    whole run hangs. A box no test answers (the ``messages`` fixture answers them) is
    recorded, answered "No"/"OK", and fails the test that raised it."""
    unanswered = Messages(answer=Button.No).install(monkeypatch)
    yield
    if unanswered.shown:
        pytest.fail(f"message boxes nobody answered: {unanswered.shown}")


@pytest.fixture(autouse=True)
def _windows_of_one_test_only() -> Iterator[None]:
    """Hide the main windows a test left visible, so that a later test that looks for
    "the visible window" finds its own, not one with another test's database (hidden,
    not closed: closing would run that window's exit backup after its test has ended)."""
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.ui.main_window import MainWindow

    before = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)}
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and id(widget) not in before and widget.isVisible():
            widget.hide()
