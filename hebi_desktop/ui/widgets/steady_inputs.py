"""Choice and number boxes that keep their value while the clerk scrolls past them.

Qt's combo and spin boxes take the mouse wheel (and with it the focus) as soon as the
pointer passes over them, and PgUp/PgDn step through their entries: a clerk scrolling a
long form or the settings page with the wheel, or paging down from a focused 县区 box,
silently changed the county. :func:`hold_steady` makes every such box of a form or page
take the wheel only when it has the keyboard focus, and leave PgUp/PgDn to the page
around it (which scrolls); typing, the arrow keys and the drop-down list work as before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

PAGE_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
STEADY = "hebiSteadyInput"  # the property marking a box already held


class _SteadyFilter(QObject):
    """Passes the wheel and PgUp/PgDn on to the box's parent instead of the box."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # handled here, not accepted: Qt hands it to the parent
            return True
        if (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in PAGE_KEYS
        ):
            event.ignore()  # the scroll area around the form pages instead
            return True
        return False


_shared: _SteadyFilter | None = None


def _filter() -> _SteadyFilter:
    global _shared
    if _shared is None:
        _shared = _SteadyFilter()
    return _shared


def hold_steady(root: QWidget) -> None:
    """Every combo and spin box inside ``root`` (and ``root`` itself) changes its value
    only by typing, the arrow keys, the list, or the wheel once it has the focus."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, QComboBox | QAbstractSpinBox) or widget.property(STEADY):
            continue
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel no longer focuses it
        widget.installEventFilter(_filter())
        widget.setProperty(STEADY, True)
