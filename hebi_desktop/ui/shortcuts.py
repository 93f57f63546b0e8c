"""Keyboard shortcuts bound in one call: the keys, the widget they live on, where they
answer (the widget alone, it with its children, or the whole window) and what they do."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

Keys = QKeySequence | QKeySequence.StandardKey | Qt.Key


def add_shortcut(
    keys: Keys, parent: QWidget, context: Qt.ShortcutContext, slot: Callable[[], object]
) -> QShortcut:
    """A shortcut on ``parent`` that calls ``slot`` when ``keys`` are pressed in ``context``."""
    shortcut = QShortcut(QKeySequence(keys), parent)
    shortcut.setContext(context)
    shortcut.activated.connect(slot)
    return shortcut
