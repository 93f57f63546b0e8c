"""The longest time the GUI thread's event loop went without running: a 10 ms timer
records the gaps between its ticks while long work runs (tests and ``bench/``)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class StallMeter(QObject):
    """``with StallMeter() as meter: …``; ``meter.longest`` in seconds afterwards."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0
        self._last = 0.0

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def __enter__(self) -> StallMeter:
        self._last = time.monotonic()
        self.timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._tick()
        self.timer.stop()
