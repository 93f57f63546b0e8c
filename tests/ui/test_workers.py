"""The background worker: results, Chinese failures, cancelling, and a responsive window."""

from __future__ import annotations

import logging
import time

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication

from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.ui.workers import UNEXPECTED, ProgressPanel, Worker


def test_result_and_progress_arrive_on_the_gui_thread(qtbot) -> None:
    seen: list[tuple[int, int]] = []
    threads: list[object] = []

    def job(progress, _cancelled):
        threads.append(QThread.currentThread())
        for done in range(0, 11):
            progress(done, 10)
        return "完成"

    worker = Worker(job)
    worker.progress.connect(lambda done, total: seen.append((done, total)))
    worker.finished.connect(lambda _result: threads.append(QThread.currentThread()))
    with qtbot.waitSignal(worker.finished, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == ["完成"]
    assert worker.result == "完成" and not worker.running
    assert seen[-1] == (10, 10)  # the final report is never throttled away
    gui = QApplication.instance().thread()
    assert threads[0] is not gui  # the job ran elsewhere…
    assert threads[1] is gui  # …and its result came back to the GUI thread


def test_user_error_is_passed_on_as_its_message(qtbot) -> None:
    def job(_progress, _cancelled):
        raise UserError("文件“a.xlsx”正在被 Excel 打开，请关闭后重试")

    worker = Worker(job)
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == ["文件“a.xlsx”正在被 Excel 打开，请关闭后重试"]


def test_unexpected_error_is_logged_and_told_plainly(qtbot, caplog) -> None:
    def job(_progress, _cancelled):
        raise ZeroDivisionError("division by zero")

    worker = Worker(job)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == [UNEXPECTED]
    assert "ZeroDivisionError" not in blocker.args[0]
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_cancel_from_the_window_while_the_job_runs(qtbot) -> None:
    """The event loop keeps running during the job: a timer fires and cancels it."""
    ticks: list[float] = []
    started = time.monotonic()

    def job(progress, cancelled):
        while time.monotonic() - started < 10:
            if cancelled():
                raise Cancelled()
            progress(0, 0)
            time.sleep(0.005)
        return "not cancelled"

    worker = Worker(job)
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    QTimer.singleShot(150, worker.cancel)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.start()
    timer.stop()
    assert worker.was_cancelled and worker.result is None
    assert time.monotonic() - started < 5
    assert len(ticks) >= 3  # the window was not frozen while the job ran


def test_cancel_before_the_job_looks_stops_it_at_the_first_check(qtbot) -> None:
    calls: list[str] = []

    def job(_progress, cancelled):
        if cancelled():
            raise Cancelled()
        calls.append("worked")

    worker = Worker(job)
    worker.cancel()
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert worker.was_cancelled and calls == []


def test_a_worker_runs_once(qtbot) -> None:
    worker = Worker(lambda _p, _c: None)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    with pytest.raises(RuntimeError):
        worker.start()


def test_progress_panel_shows_progress_and_cancels(qtbot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    started = time.monotonic()

    def job(progress, cancelled):
        progress(25, 100)
        while not cancelled():
            if time.monotonic() - started > 10:
                return None
            time.sleep(0.005)
        raise Cancelled()

    worker = Worker(job)
    panel.attach(worker, "正在导出…")
    assert not panel.isHidden()
    worker.start()
    qtbot.waitUntil(lambda: panel.bar.value() == 25, timeout=5000)
    assert panel.bar.maximum() == 100
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        panel.cancel_button.click()
        assert panel.label.text() == "正在取消…"
        assert not panel.cancel_button.isEnabled()
    assert panel.isHidden()
    assert panel.worker is None
