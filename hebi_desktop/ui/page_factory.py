"""The print preview's pages, made on one worker thread: read the records, lay the form
out, then paint whichever pages the preview asks for, newest wish first.

The GUI thread never measures or paints a page of a form: it asks (:meth:`want`) for the
pages in view and gets images back through signals. A wish replaces the previous one,
so jumping to the last page of 7,000 never waits for the pages in between. Qt objects of
the layout are made, used and freed on the factory's thread; only plain data and
QImages cross. Python's cycle collector is paused while the thread lives (see
``ui/workers.py``).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal
from PySide6.QtGui import QImage

from hebi_desktop.errors import Cancelled
from hebi_desktop.printing.archive import ArchiveDocument
from hebi_desktop.printing.content import Document, release_document
from hebi_desktop.printing.paged import LaidOut
from hebi_desktop.ui.workers import _collector, failure_message

log = logging.getLogger(__name__)

REPORT_INTERVAL_S = 0.1


@dataclass(frozen=True)
class Prepared:
    """A form's words and what to warn about them, made off the GUI thread."""

    document: Document | ArchiveDocument
    glyph_warning: str = ""  # records with characters no installed font has
    unverified_warning: str = ""  # a payment register's records keyed once only


Build = Callable[[Callable[[], bool]], Prepared]


class PageFactory(QThread):
    """Signals (delivered on the GUI thread): ``built(prepared)``, ``laying_out(pages)``,
    ``laid_out(page_count, paper)``, ``page_ready(index, width, image)``,
    ``failed(message)`` (Chinese)."""

    built = Signal(object)
    laying_out = Signal(int)
    laid_out = Signal(int, object)
    page_ready = Signal(int, int, QImage)
    failed = Signal(str)

    def __init__(
        self,
        build: Build,
        paper: str,
        landscape: bool,
        prepared: Prepared | None = None,
    ) -> None:
        super().__init__()  # no parent: see :func:`_stop_with`
        self._build = build
        self._paper = paper
        self._landscape = landscape
        self._prepared = prepared
        self._wish: list[tuple[int, int]] = []
        self._condition = threading.Condition()
        self._stopping = False
        self._last_report = 0.0
        self._collecting_paused = False

    # --- GUI thread -------------------------------------------------------------------

    def begin(self) -> None:
        _collector.pause()
        self._collecting_paused = True
        _live.add(self)
        self.finished.connect(self._ended)
        self.start()

    def want(self, pages: list[tuple[int, int]]) -> None:
        """Paint these (page index, width in pixels) next, in this order."""
        with self._condition:
            self._wish = list(pages)
            self._condition.notify()

    def stop(self) -> None:
        """Ask the thread to end at its next check; :meth:`wait` for it."""
        with self._condition:
            self._stopping = True
            self._condition.notify()

    def _ended(self) -> None:
        _live.discard(self)
        if self._collecting_paused:
            self._collecting_paused = False
            _collector.resume()

    # --- the factory's thread ---------------------------------------------------------

    def _cancelled(self) -> bool:
        return self._stopping

    def _report(self, pages: int, _total: int) -> None:
        now = time.monotonic()
        if now - self._last_report >= REPORT_INTERVAL_S:
            self._last_report = now
            self.laying_out.emit(pages)

    def run(self) -> None:
        try:
            prepared = self._prepared
            if prepared is None:
                prepared = self._build(self._cancelled)
                self.built.emit(prepared)
            laid = LaidOut(
                prepared.document, self._paper, self._landscape, self._cancelled, self._report
            )
            self.laid_out.emit(laid.page_count, laid.paper)
            self._serve(laid)
        except Cancelled:
            return
        except BaseException as error:  # reported to the GUI thread, never lost
            if not self._stopping:
                self.failed.emit(failure_message(error))
        finally:
            self._prepared = None  # the preview may release its rows now

    def _serve(self, laid: LaidOut) -> None:
        while True:
            with self._condition:
                while not self._wish and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                index, width = self._wish.pop(0)
            if 0 <= index < laid.page_count and width > 0:
                self.page_ready.emit(index, width, laid.image(index, width))


_live: set[PageFactory] = set()
LARGE_DOCUMENT_ROWS = 5000  # smaller forms are simply freed where they are dropped


def release_when_unused(document: Document | ArchiveDocument | None) -> None:
    """Free a long form's rows on a helper thread once nothing else holds it.

    Freeing 100,000 printed rows at once holds the interpreter for tenths of a second;
    dropped on the GUI thread (the preview closes, the form changes) that is a frozen
    window. The caller gives up its reference; the helper waits until the factory and
    any print or save job have let go too, then empties the rows in pieces.
    """
    if not isinstance(document, Document) or len(document.rows) < LARGE_DOCUMENT_ROWS:
        return
    holder = [document]
    del document

    def release() -> None:
        # Held by ``holder`` and getrefcount's own argument only: nobody else reads it.
        while sys.getrefcount(holder[0]) > 2:
            time.sleep(0.5)
        release_document(holder.pop())

    threading.Thread(target=release, name="release-document", daemon=True).start()


def stop_all() -> None:
    """Stop every factory still running (the application quits, the interpreter ends)."""
    for factory in list(_live):
        with contextlib.suppress(RuntimeError):  # already ended and freed
            factory.stop()
            factory.wait()


atexit.register(stop_all)


def stop_with(owner: QObject) -> list[PageFactory]:
    """A list whose factories are ended when ``owner`` is destroyed, whatever closes it;
    the owner keeps its current factory in it."""
    current: list[PageFactory] = []

    def stop(*_args: Any) -> None:
        for factory in current:
            with contextlib.suppress(RuntimeError):  # already ended and freed
                factory.stop()
                factory.wait()

    owner.destroyed.connect(stop)
    app = QCoreApplication.instance()
    if app is not None and not getattr(app, "_page_factories_stopped", False):
        app.aboutToQuit.connect(stop_all)
        setattr(app, "_page_factories_stopped", True)  # noqa: B010 - once per application
    return current
