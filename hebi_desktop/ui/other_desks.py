"""Noticing what other desks changed, so a clerk does not work from a stale list.

On a shared server other desks write while this window shows a list. The watcher looks
at one cheap number (the newest audit entry, which every write adds) when the window
becomes active again and, on a server, every few seconds; when it has moved, the window
refreshes its lists and figures. No query runs while nothing changed elsewhere.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book


log = logging.getLogger(__name__)

POLL_MS = 15_000


class ChangeWatcher(QObject):
    """Emits ``changed`` when the database moved on since the last look."""

    changed = Signal()

    def __init__(self, book: Book, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.last = self._marker()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.look)
        if book.sqlite_file is None:  # a server: other desks write at any time
            self.timer.start()
        app = QApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)

    def _marker(self) -> int | None:
        try:
            return self.book.change_marker()
        except Exception:  # a dropped network: try again at the next look
            log.warning("cannot read the change marker", exc_info=True)
            return None

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.look()

    def look(self) -> bool:
        """Compare with the last look; True (and ``changed``) when something moved."""
        marker = self._marker()
        if marker is None or marker == self.last:
            return False
        self.last = marker
        self.changed.emit()
        return True

    def seen(self) -> None:
        """This window's own write: remember it so it does not count as another desk's."""
        marker = self._marker()
        if marker is not None:
            self.last = marker
