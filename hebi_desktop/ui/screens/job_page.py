"""A page that runs one background job at a time (汇总报送, 导入导出).

Such a page owns at most one :class:`~hebi_desktop.ui.workers.Worker`, shown in its
:class:`~hebi_desktop.ui.workers.ProgressPanel` with a 取消 button; while it runs the page
is ``busy`` and its buttons are disabled, so a second job cannot start on top of the
first, and the main window can cancel it before a restore or at exit.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from hebi_desktop.ui.workers import Job, ProgressPanel, Worker


class OneJobPage(QWidget):
    """The worker bookkeeping the pages share. A subclass creates ``progress_panel``
    where its layout wants it and overrides :meth:`update_buttons`.
    """

    progress_panel: ProgressPanel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker: Worker | None = None

    @property
    def busy(self) -> bool:
        """From the moment a job is set up until it has ended and reported."""
        return self.worker is not None

    def start_job(self, job: Job, text: str, cancellable: bool = True) -> Worker:
        """A worker for ``job`` with the progress panel attached (caller starts it)."""
        worker = Worker(job, self)
        self.worker = worker
        self.progress_panel.attach(worker, text, cancellable)
        worker.done.connect(self._work_done)
        self.update_buttons()
        return worker

    def _work_done(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self.update_buttons()

    def cancel_work(self, wait: bool = True) -> None:
        """Stop what runs (at exit); with ``wait``, until the service has undone it."""
        worker = self.worker
        if worker is not None and worker.running:
            worker.cancel()
            if wait:
                worker.wait()

    def update_buttons(self, *_args: object) -> None:
        """Enable what may start now; a subclass checks ``busy``."""
