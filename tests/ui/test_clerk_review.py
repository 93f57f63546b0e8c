"""What a clerk found driving the window by keyboard at 1366×768, 1024×768 and 150 %:
boxes that change when scrolled past, focus nobody can see, a Tab order that jumps,
shortcuts that stay silent, a hint below the fold."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from hebi_desktop.services.book import Book
from hebi_desktop.ui.app import make_application
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.settings_page import SettingsPage
from hebi_desktop.ui.widgets.navigation import SETTINGS

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, book: Book) -> MainWindow:
    make_application()  # the program-wide style sheet, as the program starts
    shown = MainWindow(book)
    qtbot.addWidget(shown)
    shown.show()
    shown.activateWindow()
    qtbot.waitActive(shown)
    return shown


def wheel(widget: QWidget, steps: int = -1) -> None:
    """Turn the mouse wheel over ``widget`` (negative: towards the clerk, down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_paging_or_scrolling_past_the_county_box_leaves_the_county(
    qtbot, window: MainWindow
) -> None:
    page = window.show_page(SETTINGS)
    assert isinstance(page, SettingsPage)
    county = page.operator_form.county_combo
    township = page.operator_form.township_combo
    chosen = (county.currentText(), township.currentText())
    kept = page.keep_spin.value()
    assert chosen == ("淇县", "北阳镇")
    county.setFocus()
    qtbot.waitUntil(county.hasFocus)
    qtbot.keyClick(county, Qt.Key.Key_PageDown)
    qtbot.keyClick(county, Qt.Key.Key_PageUp)
    wheel(township)  # the pointer passes over the township box while scrolling the page
    wheel(page.keep_spin)
    assert (county.currentText(), township.currentText()) == chosen
    assert county.hasFocus()  # the wheel did not take the focus either
    assert page.keep_spin.value() == kept
    qtbot.keyClick(county, Qt.Key.Key_Down)  # the arrow keys still choose
    assert county.currentText() != "淇县"
    qtbot.keyClick(county, Qt.Key.Key_Up)
