"""A marker printed when the main window is first exposed, for timing the real start.

``bench/desk.py`` and the start-up tests run the program as a clerk does (a new process,
the whole start path) with ``HEBI_DESKTOP_STARTUP_PROBE`` set; on the first expose of the
main window one JSON line goes to stderr: seconds since the process started (as far as the
system tells), and which heavy libraries were loaded by then. With the value ``quit`` the
program then closes as if the clerk had closed it. With ``ledger`` it goes on: once the
database is open it shows the first ledger page, prints a second line when its rows are
drawn (the page is usable), and then closes.
"""

from __future__ import annotations

import json
import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

PROBE_ENV = "HEBI_DESKTOP_STARTUP_PROBE"
MARKER = "HEBI_DESKTOP_WINDOW_EXPOSED"
LEDGER_MARKER = "HEBI_DESKTOP_LEDGER_READY"
HEAVY = ("openpyxl", "python_calamine", "alembic", "mako", "pygments")


def process_age() -> float | None:
    """Seconds since this process started (Linux; None elsewhere)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return now - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class _ExposeWatch(QObject):
    def __init__(self, window: QWidget, quit_after: bool) -> None:
        super().__init__(window)
        self.quit_after = quit_after
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Expose:
            self.done = True
            _print_marker(MARKER)
            if self.quit_after:
                QTimer.singleShot(0, QApplication.quit)
        return False


def watch(window: QWidget, quit_on_expose: bool = True) -> None:
    """Print the marker on the window's first expose, when the probe is asked for.

    The program's own start passes ``quit_on_expose=False``: its window is exposed before
    the event loop runs (the database is opened behind it), and :func:`first_ledger`
    closes it once started."""
    mode = os.environ.get(PROBE_ENV)
    if not mode:
        return
    handle = window.windowHandle()
    if handle is None:
        return
    handle.installEventFilter(_ExposeWatch(window, quit_after=quit_on_expose and mode == "quit"))


def _print_marker(marker: str) -> None:
    line = {
        "marker": marker,
        "process_s": process_age(),
        "clock": time.time(),
        "heavy": [name for name in HEAVY if name in sys.modules],
        "database_library": "sqlalchemy" in sys.modules,
    }
    print(json.dumps(line), file=sys.stderr, flush=True)


def first_ledger(window: QWidget) -> None:
    """Once the program has started: with the probe set to ``quit``, close; with ``ledger``,
    the first ledger page at once, a marker when its rows are drawn, then close (the
    window's exit backup is left out of the measurement)."""
    mode = os.environ.get(PROBE_ENV)
    if mode == "quit":
        QTimer.singleShot(0, QApplication.quit)  # runs as soon as the event loop does
        return
    if mode != "ledger":
        return
    from hebi_desktop.domain.registry import all_ledgers
    from hebi_desktop.ui.widgets.navigation import ledger_page_key

    show_page = getattr(window, "show_page")  # noqa: B009 - the main window, not imported here
    page = show_page(ledger_page_key(all_ledgers()[0].key))
    page.repaint()  # its visible rows fetched and drawn now

    def done() -> None:
        _print_marker(LEDGER_MARKER)
        setattr(window, "_closing_done", True)  # noqa: B010
        QApplication.quit()

    QTimer.singleShot(0, done)
