"""Long work (export, import, backup) off the GUI thread, with progress and a cancel button.

A job is a plain function ``job(progress, cancelled) -> result`` — the same signature
the exchange and backup services take — so the services know nothing of Qt. The
:class:`Worker` runs it in a thread and reports back through signals that are always
delivered on the GUI thread; :meth:`Worker.cancel` only sets a flag, which the
service reads through ``cancelled()`` and answers by raising ``Cancelled`` after
undoing its work. The window stays responsive meanwhile.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.logging_setup import LOG_FILE_NAME
from hebi_desktop.storage.backup import BackupError
from hebi_desktop.ui import qt_fixes  # noqa: F401 - binding fixes, applied on import

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]
Job = Callable[[Progress, IsCancelled], Any]

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress updates a second reach the GUI
UNEXPECTED = f"程序遇到意外问题，操作未完成；详细信息已记录到日志文件 {LOG_FILE_NAME}"


def failure_message(error: BaseException) -> str:
    """The Chinese message for a job that raised ``error`` (logged when unexpected)."""
    if isinstance(error, UserError | BackupError):
        return str(error)
    if isinstance(error, OSError):
        log.warning("file error in background job", exc_info=error)
        where = f"“{error.filename}”" if error.filename else ""
        return f"无法读写文件{where}：{error.strerror or error}"
    log.error("unexpected error in background job", exc_info=error)
    return UNEXPECTED


class _Thread(QThread):
    """Runs the job; its signals are emitted from the worker thread."""

    reported = Signal(int, int)
    succeeded = Signal(object)
    raised = Signal(object)

    def __init__(self, job: Job, is_cancelled: IsCancelled, parent: QObject | None) -> None:
        super().__init__(parent)
        self._job = job
        self._is_cancelled = is_cancelled
        self._last_report = 0.0

    def _report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self.reported.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self._job(self._report, self._is_cancelled)
        except BaseException as error:  # reported to the GUI thread, never lost
            self.raised.emit(error)
        else:
            self.succeeded.emit(result)


class Worker(QObject):
    """One background job. Signals (GUI thread): ``progress(done, total)``,
    ``finished(result)``, ``failed(message)`` (Chinese), ``cancelled()`` when the job
    stopped because of :meth:`cancel`, and ``done()`` after any of the three.
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, job: Job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._cancel_requested = False
        self._thread: _Thread | None = None
        self._running = False
        self.result: Any = None
        self.error_message: str | None = None
        self.was_cancelled = False

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a worker runs its job once")
        _collector.pause()
        self._running = True
        thread = _Thread(self._job, self.is_cancelled, self)
        thread.reported.connect(self._on_progress)
        thread.succeeded.connect(self._on_succeeded)
        thread.raised.connect(self._on_raised)
        self._thread = thread
        thread.start()

    def cancel(self) -> None:
        """Ask the job to stop; it does at its next check and undoes its work."""
        self._cancel_requested = True

    def is_cancelled(self) -> bool:
        """The flag the job's service polls (called from the worker thread)."""
        return self._cancel_requested

    @property
    def running(self) -> bool:
        return self._running

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until the thread ends (at exit); True when it did within the time."""
        if self._thread is None:
            return True
        return self._thread.wait(timeout_ms) if timeout_ms >= 0 else self._thread.wait()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._running:
            self.progress.emit(done, total)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self.result = result
        self._end()
        self.finished.emit(result)
        self.done.emit()

    @Slot(object)
    def _on_raised(self, error: object) -> None:
        self._end()
        if isinstance(error, Cancelled):
            self.was_cancelled = True
            self.cancelled.emit()
        else:
            assert isinstance(error, BaseException)
            self.error_message = failure_message(error)
            self.failed.emit(self.error_message)
        self.done.emit()

    def _end(self) -> None:
        was_running, self._running = self._running, False
        if self._thread is not None:
            self._thread.wait()
        if was_running:
            _collector.resume()


class _CycleCollector:
    """Python's cycle collector paused while any worker runs.

    A collection triggered by the worker's allocations would run on the worker's thread
    and could destroy Qt objects (a closed dialog's widgets) there, which crashes Qt.
    Plain reference counting still frees everything else; cycles wait until the last
    worker ends, when the collector resumes on the GUI thread.
    """

    def __init__(self) -> None:
        self.running = 0
        self.was_enabled = True

    def pause(self) -> None:
        if self.running == 0:
            self.was_enabled = gc.isenabled()
            gc.disable()
        self.running += 1

    def resume(self) -> None:
        self.running = max(self.running - 1, 0)
        if self.running == 0 and self.was_enabled:
            gc.enable()


_collector = _CycleCollector()


def run_in_background(job: Job, parent: QObject | None = None) -> Worker:
    """Start ``job`` at once; the returned worker is owned by ``parent``."""
    worker = Worker(job, parent)
    worker.start()
    return worker


class ProgressPanel(QWidget):
    """A progress bar with a 取消 button, shown while a worker runs.

    ``attach`` binds it to a worker; it hides itself when the job ends. A total of 0
    (size not known yet) shows a busy bar.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker: Worker | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMinimumWidth(240)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.setToolTip("停止这项工作；已做的部分会撤销，不留下半成品")
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self.hide()

    def attach(self, worker: Worker, text: str, cancellable: bool = True) -> None:
        self.worker = worker
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setVisible(cancellable)
        worker.progress.connect(self._progress)
        worker.done.connect(self._done)
        self.show()

    def cancel(self) -> None:
        if self.worker is not None and self.worker.running:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("正在取消…")

    def _progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)
            return
        # QProgressBar holds an int; scale very large totals down.
        scale = max(1, total // 1_000_000)
        self.bar.setRange(0, total // scale)
        self.bar.setValue(min(done, total) // scale)
        self.bar.setFormat(f"{done}/{total}" if scale == 1 else "%p%")

    def _done(self) -> None:
        self.worker = None
        self.hide()
