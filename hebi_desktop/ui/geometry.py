"""Windows that fit the clerk's screen, and come back the way the clerk left them.

Township offices have 1366×768 and 1024×768 screens and laptops at 125–150 % scaling:
a window or dialog opened at a fixed size would hang off the bottom with its 保存 button
out of reach. Every window therefore opens clamped to the available area of the screen
it opens on (the task bar excluded), and its size, position, maximised state and
column widths are kept per user in ``QSettings``. A position remembered on a monitor
that is no longer attached is moved back onto the primary screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QHeaderView, QWidget

from hebi_desktop import APP_NAME
from hebi_desktop.ui.app import ORGANIZATION

# Room for the title bar and borders the window manager adds around a top-level window.
FRAME_ALLOWANCE = QSize(16, 40)


def settings() -> QSettings:
    """The per-user window settings: an INI file in the user's settings folder (tests point
    ``QSettings.setPath`` elsewhere), never the shared database."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APP_NAME)


def screen_of(widget: QWidget) -> QScreen:
    """The screen ``widget`` (or its parent window) is on, else the primary screen."""
    parent = widget.parentWidget()
    window = parent.window() if parent is not None else widget
    screen = window.screen() if window.isVisible() or parent is not None else None
    return screen or widget.screen() or QGuiApplication.primaryScreen()


def available(widget: QWidget) -> QRect:
    return screen_of(widget).availableGeometry()


# Screens less tall than this (in Qt's pixels, after the scale factor: 1024×768 and
# 1366×768 at 150 % are 512) get compact pages: fewer rows of controls above a table.
SHORT_SCREEN_HEIGHT = 600


def is_short_screen(widget: QWidget) -> bool:
    return available(widget).height() < SHORT_SCREEN_HEIGHT


def fitting_size(wanted: QSize, area: QRect) -> QSize:
    """``wanted`` made no larger than ``area`` less the window frame."""
    return QSize(
        max(200, min(wanted.width(), area.width() - FRAME_ALLOWANCE.width())),
        max(150, min(wanted.height(), area.height() - FRAME_ALLOWANCE.height())),
    )


def fit_to_screen(widget: QWidget, wanted: QSize) -> None:
    """Size ``widget`` to ``wanted`` or its screen's available area, whichever is smaller,
    and centre it there (over its parent window when it has one)."""
    area = available(widget)
    size = fitting_size(wanted, area)
    minimum = widget.minimumSize()
    widget.setMinimumSize(min(minimum.width(), size.width()), min(minimum.height(), size.height()))
    widget.resize(size)
    parent = widget.parentWidget()
    centre = parent.window().frameGeometry().center() if parent is not None else area.center()
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(centre)
    widget.move(_inside(rect, area).topLeft())


def _inside(rect: QRect, area: QRect) -> QRect:
    """``rect`` moved (not resized) so its top-left part lies within ``area``."""
    moved = QRect(rect)
    if moved.right() > area.right():
        moved.moveRight(area.right())
    if moved.bottom() > area.bottom() - FRAME_ALLOWANCE.height() // 2:
        moved.moveBottom(area.bottom() - FRAME_ALLOWANCE.height() // 2)
    if moved.left() < area.left():
        moved.moveLeft(area.left())
    if moved.top() < area.top() + FRAME_ALLOWANCE.height() // 2:
        moved.moveTop(area.top() + FRAME_ALLOWANCE.height() // 2)
    return moved


def on_some_screen(rect: QRect) -> bool:
    """Whether a good part of the window's title bar is on an attached screen."""
    title = QRect(rect.left(), rect.top(), rect.width(), 30)
    for screen in QGuiApplication.screens():
        overlap = title.intersected(screen.availableGeometry())
        if overlap.width() >= min(100, rect.width()) and overlap.height() > 0:
            return True
    return False


def restore_geometry(widget: QWidget, key: str, wanted: QSize) -> bool:
    """Put ``widget`` where it was last time (see the module docstring); True if it was.

    Without a remembered geometry the window is fitted to its screen at ``wanted``.
    """
    fit_to_screen(widget, wanted)
    saved = settings().value(f"{key}/geometry")
    if not isinstance(saved, QByteArray | bytes) or not widget.restoreGeometry(QByteArray(saved)):
        return False
    geometry = widget.geometry()
    if not on_some_screen(geometry):
        primary = QGuiApplication.primaryScreen().availableGeometry()
        size = fitting_size(geometry.size(), primary)
        rect = QRect(QPoint(0, 0), size)
        rect.moveCenter(primary.center())
        widget.setGeometry(_inside(rect, primary))
    else:
        area = widget.screen().availableGeometry() if widget.screen() else available(widget)
        size = fitting_size(geometry.size(), area)
        if size != geometry.size():
            widget.resize(size)
            widget.move(_inside(QRect(widget.pos(), size), area).topLeft())
    return True


def save_geometry(widget: QWidget, key: str) -> None:
    settings().setValue(f"{key}/geometry", widget.saveGeometry())


def restore_widths(header: QHeaderView, key: str) -> bool:
    """Column widths the clerk set last time (the sort: :func:`restore_sort`)."""
    saved = settings().value(f"{key}/widths")
    if not isinstance(saved, list) or not saved:
        return False
    for column, width in enumerate(saved[: header.count()]):
        if str(width).isdigit() and int(width) > 0:
            header.resizeSection(column, int(width))
    return True


def save_widths(header: QHeaderView, key: str) -> None:
    settings().setValue(f"{key}/widths", [header.sectionSize(c) for c in range(header.count())])


def save_sort(key: str, column: int, descending: bool) -> None:
    """The column the clerk sorted a table by, kept with its widths."""
    settings().setValue(f"{key}/sort", [column, int(descending)])


def restored_sort(key: str) -> tuple[int, bool] | None:
    """(column, descending) saved by :func:`save_sort`; None when never sorted."""
    saved = settings().value(f"{key}/sort")
    if not isinstance(saved, list) or len(saved) != 2:
        return None
    column, descending = (str(v) for v in saved)
    if not column.lstrip("-").isdigit() or int(column) < 0:
        return None
    return int(column), descending == "1"
