"""The last line of defence: an unexpected error is logged and told in plain Chinese.

A defect must not cost the clerk the morning's typing. The hook installed here logs
the traceback to the rotating log file, keeps a draft of every open record form, and
shows one calm message box; the window stays open and the program goes on. Errors
the clerk can act on never reach it: those are ``UserError`` and handled where they
happen.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from hebi_desktop.logging_setup import LOG_FILE_NAME

log = logging.getLogger(__name__)

MESSAGE = (
    f"程序遇到意外问题，已记录到日志（{LOG_FILE_NAME}）。\n\n"
    "窗口不会关闭，正在填写的内容已保留，可以继续工作；"
    "如果同样的问题反复出现，请把日志文件发给技术支持人员。"
)
TITLE = "程序出错"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class ErrorReporter:
    """The ``sys.excepthook`` of the window (see the module docstring)."""

    def __init__(self, parent: Callable[[], QWidget | None] | None = None) -> None:
        self._parent = parent or QApplication.activeWindow
        self._showing = False
        self.previous: ExceptHook | None = None
        self.previous_thread_hook: Callable[[threading.ExceptHookArgs], object] | None = None
        self.reported = 0

    def install(self) -> ErrorReporter:
        self.previous = sys.excepthook
        self.previous_thread_hook = threading.excepthook
        sys.excepthook = self
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self.previous or sys.__excepthook__
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self.previous_thread_hook or threading.__excepthook__

    def __call__(
        self,
        kind: type[BaseException],
        error: BaseException,
        traceback: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            (self.previous or sys.__excepthook__)(kind, error, traceback)
            return
        log.error("unexpected error", exc_info=(kind, error, traceback))
        self.reported += 1
        self._keep_drafts()
        if self._showing:  # an error while the box is up: logged, one box is enough
            return
        self._showing = True
        try:
            QMessageBox.critical(self._parent(), TITLE, MESSAGE)
        except Exception:  # the hook must never raise
            log.exception("could not show the error message")
        finally:
            self._showing = False

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        # Qt widgets belong to the GUI thread: from other threads only log.
        log.error(
            "unexpected error in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )

    @staticmethod
    def _keep_drafts() -> None:
        """Save a draft of each open record form now, in case the next step fails worse."""
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        for widget in app.topLevelWidgets():
            save = getattr(widget, "save_draft", None)
            if callable(save) and widget.isVisible():
                try:
                    save()
                except Exception:
                    log.exception("could not keep a draft after an error")


def install_error_hook(parent: Callable[[], QWidget | None] | None = None) -> ErrorReporter:
    """Install the hook; ``parent`` gives the window to centre the message on."""
    return ErrorReporter(parent).install()
