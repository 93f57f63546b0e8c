"""A marker printed when the main window is first exposed, for timing the real start.

``bench/desk.py`` and the start-up tests run the program as a clerk does (a new process,
the whole start path) with ``HEBI_DESKTOP_STARTUP_PROBE`` set; on the first expose of the
main window one JSON line goes to stderr: seconds since the process started (as far as the
system tells), and which heavy libraries were loaded by then. With the value ``quit`` the
program then closes as if the clerk had closed it.
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
            line = {
                "marker": MARKER,
                "process_s": process_age(),
                "clock": time.time(),
                "heavy": [name for name in HEAVY if name in sys.modules],
            }
            print(json.dumps(line), file=sys.stderr, flush=True)
            if self.quit_after:
                QTimer.singleShot(0, QApplication.quit)
        return False


def watch(window: QWidget) -> None:
    """Print the marker on the window's first expose, when the probe is asked for."""
    mode = os.environ.get(PROBE_ENV)
    if not mode:
        return
    handle = window.windowHandle()
    if handle is None:
        return
    handle.installEventFilter(_ExposeWatch(window, quit_after=mode == "quit"))
