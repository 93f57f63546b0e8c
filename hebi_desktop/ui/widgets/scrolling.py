"""A page part that scrolls inside itself instead of making the window bigger.

The main window's minimum size is the largest minimum of its pages: one tall page (the
核查 page with its three panels, an export form) made the window taller than a 1024×768
screen at 150 %, cutting off the status bar. Wrapped in :func:`scrolling`, such a part
asks for no more room than there is and scrolls when the screen is small.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def scrolling(content: QWidget, parent: QWidget | None = None) -> QScrollArea:
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, which show it
    scroll.setWidget(content)
    return scroll
