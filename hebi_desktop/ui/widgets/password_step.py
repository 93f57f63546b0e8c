"""A slow password step — scrypt, about a third of a second on purpose — run on a worker
while the form that asked for it waits.

The window must never stall for more than 0.2 s, so the derivation cannot run on the GUI
thread. Meanwhile the form says so in its message line ("正在核对密码…"), its buttons and
fields are disabled (a second click or Enter would start a second derivation) and it shows
the busy cursor; the outcome arrives on the GUI thread after the form is usable again, so
the caller can put the focus back in a field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

from hebi_desktop.ui.workers import Worker

CHECKING = "正在核对密码…"
SAVING = "正在保存…"
BUSY_COLOR = "#546e7a"

Step = Callable[[], Any]  # raises UserError with the Chinese reason when refused
Succeeded = Callable[[Any], None]
Failed = Callable[[str], None]


class PasswordStep(QObject):
    """Runs one step at a time for ``form``; ``label`` is its message line and
    ``controls`` what must not be used while a step runs."""

    def __init__(self, form: QWidget, label: QLabel, controls: Sequence[QWidget]) -> None:
        super().__init__(form)
        self.form = form
        self.label = label
        self.controls = list(controls)
        self.worker: Worker | None = None
        self._succeeded: Succeeded = _ignore
        self._failed: Failed = _ignore
        self._label_style = ""

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def run(self, step: Step, text: str, succeeded: Succeeded, failed: Failed) -> Worker | None:
        """Start ``step`` on a worker (None while one runs): ``succeeded(result)`` or
        ``failed(message)`` follow on the GUI thread."""
        if self.busy:
            return None
        self._succeeded, self._failed = succeeded, failed
        self._label_style = self.label.styleSheet()
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {BUSY_COLOR};")
        for control in self.controls:
            control.setEnabled(False)
        self.form.setCursor(Qt.CursorShape.BusyCursor)
        worker = Worker(lambda _progress, _cancelled: step(), self)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.worker = worker
        worker.start()
        return worker

    def run_and_wait(self, step: Step, text: str, succeeded: Succeeded, failed: Failed) -> None:
        """:meth:`run`, returning once the outcome was delivered; the event loop runs
        meanwhile (before the window's own loop, at start)."""
        worker = self.run(step, text, succeeded, failed)
        if worker is None:
            return
        loop = QEventLoop(self)
        worker.done.connect(loop.quit)
        if self.busy:
            loop.exec()

    def wait(self) -> None:
        """Block until a running step ends (the window closes)."""
        if self.worker is not None:
            self.worker.wait()

    def _on_finished(self, result: object) -> None:
        self._restore()
        self._succeeded(result)

    def _on_failed(self, message: str) -> None:
        self._restore()
        self._failed(message)

    def _restore(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self.label.setText("")
        self.label.setStyleSheet(self._label_style)
        for control in self.controls:
            control.setEnabled(True)
        self.form.unsetCursor()


def _ignore(_value: Any) -> None:
    """No one to tell."""
