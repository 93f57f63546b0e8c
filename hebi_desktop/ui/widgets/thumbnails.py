"""Thumbnails of stored photos, decoded off the GUI thread and kept in memory.

Opening a record with ten 2560-px photos must not wait for ten full decodes: a pool
thread reads and shrinks each photo (JPEG draft mode decodes at 1/8 scale) and hands a
QImage back; the GUI thread only turns it into a pixmap. The cache is keyed by SHA-256
and kept in memory only, so an encrypted store never leaves plain thumbnails on disk.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from hebi_desktop.services.photos import thumbnail_png

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = 160
CACHE_LIMIT = 600


class _Signals(QObject):
    ready = Signal(str, QImage)


class _Decode(QRunnable):
    def __init__(self, sha256: str, read: Callable[[], bytes], signals: _Signals) -> None:
        super().__init__()
        self.sha256 = sha256
        self.read = read
        self.signals = signals

    def run(self) -> None:
        image = QImage()
        try:
            small = thumbnail_png(self.read(), THUMBNAIL_SIZE)
            if small is not None:
                image.loadFromData(small, "PNG")
        except Exception:  # unreadable content shows as a blank tile, the viewer says why
            log.warning("thumbnail failed", exc_info=True)
        self.signals.ready.emit(self.sha256, image)


class ThumbnailCache(QObject):
    """``request(sha, read)``: ``ready(sha, image)`` follows, at once when cached."""

    ready = Signal(str, QImage)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._pending: set[str] = set()
        self._signals = _Signals(self)
        self._signals.ready.connect(self._arrived)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)

    def cached(self, sha256: str) -> QImage | None:
        return self._images.get(sha256)

    def request(self, sha256: str, read: Callable[[], bytes]) -> None:
        image = self._images.get(sha256)
        if image is not None:
            self.ready.emit(sha256, image)
            return
        if sha256 in self._pending:
            return
        self._pending.add(sha256)
        self.pool.start(_Decode(sha256, read, self._signals))

    def _arrived(self, sha256: str, image: QImage) -> None:
        self._pending.discard(sha256)
        self._images[sha256] = image
        while len(self._images) > CACHE_LIMIT:
            self._images.popitem(last=False)
        self.ready.emit(sha256, image)

    def wait(self) -> None:
        self.pool.waitForDone()


_shared: ThumbnailCache | None = None


def shared_cache() -> ThumbnailCache:
    """One cache for the whole program: reopening a record shows its photos at once."""
    global _shared
    if _shared is None:
        _shared = ThumbnailCache()
    return _shared
