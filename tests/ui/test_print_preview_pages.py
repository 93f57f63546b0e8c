"""The print preview's own page view: moving about with the keys, the buttons and the page
box, zoom (the box and Ctrl+wheel), 打印… onto a printer off the GUI thread with 取消,
and closing that stops the work in flight."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog

from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import UNIT_NAME
from hebi_desktop.ui.dialogs.print_preview import FormPreview, open_preview
from hebi_desktop.ui.widgets.page_view import CACHE_BYTES
from tests.printing.pdf_text import pages

ROWS = 300  # about 23 pages of the housing roster


@pytest.fixture
def preview(qtbot: Any, book: Book) -> FormPreview:
    fill_demo(book, ROWS, ledgers=("housing",))
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    dialog = open_preview(None, book, ("housing",), RecordQuery(), all_places=True)  # type: ignore[arg-type]
    assert dialog is not None  # closed by tests/ui/conftest.py if a test leaves it open
    qtbot.waitUntil(lambda: dialog.pages_ready, timeout=60_000)
    assert dialog.error is None
    return dialog


def shown_page(dialog: FormPreview) -> int:
    """The page number the page box shows (1-based, as the clerk reads it)."""
    return int(dialog.page_edit.text())


def pdf_printer(dialog: FormPreview, target: Path) -> QPrinter:
    printer = dialog.new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def test_the_keys_the_buttons_and_the_page_box_move_through_the_pages(
    qtbot: Any, preview: FormPreview
) -> None:
    count = preview.preview.pageCount()
    assert count > 10
    assert f"共 {count} 页" in preview.page_total_label.text()
    assert "共" not in preview.status_label.text()  # said once, beside the page box
    assert shown_page(preview) == 1
    qtbot.keyClick(preview.preview, Qt.Key.Key_End)
    assert shown_page(preview) == count
    qtbot.waitUntil(lambda: preview.preview.has_image(count - 1), timeout=30_000)
    qtbot.keyClick(preview.preview, Qt.Key.Key_PageUp)
    assert shown_page(preview) == count - 1
    qtbot.keyClick(preview.preview, Qt.Key.Key_Home)
    assert shown_page(preview) == 1
    qtbot.keyClick(preview.preview, Qt.Key.Key_PageDown)
    assert shown_page(preview) == 2
    preview.next_action.trigger()
    assert shown_page(preview) == 3
    preview.previous_action.trigger()
    assert shown_page(preview) == 2
    preview.last_action.trigger()
    assert shown_page(preview) == count
    preview.first_action.trigger()
    assert shown_page(preview) == 1
    preview.page_edit.clear()
    qtbot.keyClicks(preview.page_edit, "7")
    qtbot.keyClick(preview.page_edit, Qt.Key.Key_Return)
    assert shown_page(preview) == 7
    assert 6 in preview.preview.visible_pages()
    qtbot.waitUntil(lambda: preview.preview.has_image(6), timeout=30_000)
    preview.close()
    assert preview.preview.cached == 0  # a closed preview keeps no page images


def test_zoom_from_the_box_and_with_ctrl_and_the_wheel(qtbot: Any, preview: FormPreview) -> None:
    view = preview.preview
    fit_width = view.page_width()
    preview.zoom_combo.setCurrentIndex(preview.zoom_combo.findText("50%"))
    half = view.page_width()
    assert half < fit_width
    qtbot.waitUntil(lambda: view.has_image(0), timeout=30_000)
    assert view.image(0) is not None and view.image(0).width() == half  # painted anew
    wheel = QWheelEvent(
        QPointF(50, 50),
        QPointF(view.mapToGlobal(QPoint(50, 50))),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert preview.zoom_combo.currentText() == "75%"
    assert view.page_width() > half
    preview.zoom_in_action.trigger()
    assert preview.zoom_combo.currentText() == "100%"
    preview.zoom_out_action.trigger()
    assert preview.zoom_combo.currentText() == "75%"
    preview.zoom_combo.setCurrentIndex(preview.zoom_combo.findData("fit_page"))
    whole = view.page_width()
    assert view.page_height() <= view.viewport().height()  # one whole page in view
    assert whole <= fit_width


def test_ctrl_p_chooses_a_printer_then_prints_every_page_off_the_gui_thread(
    qtbot: Any, preview: FormPreview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "打印.pdf"
    chosen: list[QPrinter] = []

    def choose(chooser: QPrintDialog) -> int:
        printer = chooser.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        chosen.append(printer)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", choose)
    preview.show()
    preview.activateWindow()
    qtbot.keyClick(preview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert chosen, "Ctrl+P opened no printer dialog"
    worker = preview.print_worker
    assert worker is not None and preview.print_panel.isVisible()  # said at once
    assert not preview.print_action.isEnabled()  # one print at a time
    with qtbot.waitSignal(worker.done, timeout=60_000):
        pass
    assert worker.error_message is None, worker.error_message
    assert "已送往打印机" in preview.message_label.text()
    texts = pages(target)
    assert len(texts) == worker.result
    assert f"共{ROWS}条" in texts[-1]
    assert preview.print_action.isEnabled()


def test_cancel_stops_printing_before_the_last_page(qtbot: Any, book: Book, tmp_path: Path) -> None:
    fill_demo(book, 3000, ledgers=("housing",))
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    dialog = open_preview(None, book, ("housing",), RecordQuery(), all_places=True)  # type: ignore[arg-type]
    assert dialog is not None  # closed by tests/ui/conftest.py if a test leaves it open
    qtbot.waitUntil(lambda: dialog.pages_ready, timeout=60_000)
    painted: list[tuple[int, int]] = []
    worker = dialog.print_to(pdf_printer(dialog, tmp_path / "打印.pdf"))
    assert worker is not None
    worker.progress.connect(lambda done, total: painted.append((done, total)))
    qtbot.waitUntil(lambda: bool(painted), timeout=60_000)  # a few pages are out
    qtbot.mouseClick(dialog.print_panel.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(worker.done, timeout=60_000):
        pass
    assert worker.was_cancelled
    done, total = painted[-1]
    assert done < total
    assert dialog.message_label.text() == "已取消打印。"
    assert not dialog.print_panel.isVisible() and dialog.print_action.isEnabled()


def test_closing_the_preview_stops_its_work(qtbot: Any, book: Book) -> None:
    fill_demo(book, 3000, ledgers=("housing",))
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    dialog = open_preview(None, book, ("housing",), RecordQuery(), all_places=True)  # type: ignore[arg-type]
    assert dialog is not None  # closed by tests/ui/conftest.py if a test leaves it open
    factory = dialog._factory
    assert factory is not None and factory.isRunning()  # reading the records
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert factory.isFinished()  # stopped, not left reading in the background
    assert dialog.preview.pageCount() == 0


def test_another_paper_lays_the_pages_out_again(qtbot: Any, preview: FormPreview) -> None:
    a4 = preview.preview.pageCount()
    preview.paper_combo.setCurrentText("A3")
    assert preview.preview.pageCount() == 0  # the old pages are gone at once
    qtbot.waitUntil(lambda: preview.pages_ready, timeout=60_000)
    assert 0 < preview.preview.pageCount() < a4
    preview.orientation_combo.setCurrentText("纵向")
    qtbot.waitUntil(lambda: preview.pages_ready, timeout=60_000)
    qtbot.waitUntil(lambda: preview.preview.has_image(0), timeout=30_000)
    image = preview.preview.image(0)
    assert image is not None and image.height() > image.width()  # portrait


def test_only_a_bounded_number_of_pages_is_kept_and_a_dropped_page_comes_back(
    qtbot: Any, preview: FormPreview
) -> None:
    view = preview.preview
    preview.zoom_combo.setCurrentIndex(preview.zoom_combo.findText("200%"))
    count = view.pageCount()
    for index in range(count):
        view.go_to(index)
        qtbot.waitUntil(lambda index=index: view.has_image(index), timeout=30_000)
    kept = [view.image(i) for i in range(count) if view.has_image(i)]
    page_bytes = max(image.sizeInBytes() for image in kept if image is not None)
    assert len(kept) < count  # not every page of the document is held
    assert sum(i.sizeInBytes() for i in kept if i is not None) <= CACHE_BYTES + page_bytes
    assert not view.has_image(0)
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: view.has_image(0), timeout=30_000)  # painted again on demand


def test_pages_are_painted_at_the_screens_pixel_density(qtbot: Any, preview: FormPreview) -> None:
    """At 150 % scaling a page image of the logical width would be enlarged by 1.5 and
    its small print blurred: the view asks for pages as wide as the screen's pixels."""
    view = preview.preview
    asked: list[list[tuple[int, int]]] = []
    view.wanted.connect(asked.append)
    view.devicePixelRatioF = lambda: 1.5  # type: ignore[method-assign]
    view.set_zoom(100 if view.zoom != 100 else 75)
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert {width for request in asked for _i, width in request} == {round(view.page_width() * 1.5)}
    qtbot.waitUntil(lambda: view.has_image(0), timeout=30_000)
    image = view.image(0)
    assert image is not None and image.width() == round(view.page_width() * 1.5)
