"""Driving the ledger page and record form as a clerk would, for the UI tests.

``qtbot.keyClicks`` only types ASCII (QTest aborts on other characters), so Chinese
text arrives the way a Pinyin input method delivers it: as a committed input-method
string. Combo boxes are driven with the arrow keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox, QWidget

from hebi_desktop.ui.dialogs.record_form import RecordForm
from hebi_desktop.ui.widgets.field_widgets import FieldEditor

Button = QMessageBox.StandardButton


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type ``text`` at the cursor: ASCII as key presses, Chinese as an IME commit."""
    run = ""
    for char in text:
        if char.isascii() != run[:1].isascii() and run:
            _send(qtbot, widget, run)
            run = ""
        run += char
    if run:
        _send(qtbot, widget, run)


def _send(qtbot: Any, widget: QWidget, run: str) -> None:
    if run.isascii():
        qtbot.keyClicks(widget, run)
    else:
        event = QInputMethodEvent("", [])
        event.setCommitString(run)
        QApplication.sendEvent(widget, event)


def retype(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Select what is in the box and type over it (Ctrl+A, then the new text)."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        type_text(qtbot, edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


def choose(qtbot: Any, combo: QComboBox, text: str) -> None:
    """Pick ``text`` from a closed combo with Home and ↓, as from the keyboard."""
    target = combo.findText(text)
    assert target >= 0, f"{text!r} is not offered"
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def fill(qtbot: Any, form: RecordForm, values: dict[str, Any]) -> None:
    """Enter ``values`` (display text) field by field through the editors' inputs."""
    for name, value in values.items():
        editor: FieldEditor = form.editors[name]
        widget = editor.input
        if isinstance(widget, QComboBox):
            choose(qtbot, widget, value)
        else:
            assert isinstance(widget, QLineEdit)
            retype(qtbot, widget, value)


@dataclass
class Messages:
    """Stand-in for QMessageBox's static dialogs: records them, answers ``answer``."""

    answer: Button = Button.Yes
    shown: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, title, text)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Messages:
        for kind in ("warning", "information", "critical"):
            monkeypatch.setattr(QMessageBox, kind, self._recorder(kind, Button.Ok))
        monkeypatch.setattr(QMessageBox, "question", self._recorder("question", None))
        return self

    def _recorder(self, kind: str, fixed: Button | None) -> Any:
        def show(_parent: Any, title: str, text: str, *_args: Any, **_kwargs: Any) -> Button:
            self.shown.append((kind, title, text))
            return fixed if fixed is not None else self.answer

        return show

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.shown if kind is None or k == kind]
