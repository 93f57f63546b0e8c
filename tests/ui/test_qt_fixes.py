"""Signals emitted from Python must not wear away the interpreter's ``True``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from hebi_desktop.ui import qt_fixes


class Sender(QObject):
    changed = Signal()
    valid = Signal(bool)


def test_many_emits_leave_true_and_false_alone(qapp: object) -> None:
    qt_fixes.apply()
    sender = Sender()
    received: list[bool] = []
    sender.changed.connect(lambda: None)
    sender.valid.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(5000):  # a morning of typing: one emit per keystroke and field
        sender.changed.emit()
        sender.valid.emit(True)
    received.clear()
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
    assert not qt_fixes.emit_loses_reference()
