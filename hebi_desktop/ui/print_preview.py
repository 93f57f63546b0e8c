"""打印预览: the roster, public notice or payment register of the filtered records.

Qt's own preview dialog (zoom, page views, orientation, 打印) with the form, the paper,
the notice period and 另存为 PDF added to its toolbar. The form is read from the
database once per choice and painted by the same renderer as ``hebi-desktop print``,
so what the clerk previews is what the printer and the PDF get.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QDate, QSize, QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLabel,
    QMessageBox,
    QToolBar,
    QWidget,
)

from hebi_desktop.domain.printing import FORM_TITLES, Form
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import UserError
from hebi_desktop.printing.content import Document, PrintRequest, build_document, notice_period
from hebi_desktop.printing.pdf import write_pdf
from hebi_desktop.printing.render import PAPERS, render, set_up_page
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui import geometry

log = logging.getLogger(__name__)

PDF_FILTER = "PDF 文件 (*.pdf)"
LAST_PRINT_DIR = "last_print_dir"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class FormPreview(QPrintPreviewDialog):
    """A print preview of one ledger's printed form; ``error`` holds the last problem."""

    def __init__(
        self,
        book: Book,
        ledgers: tuple[str, ...],
        query: RecordQuery,
        since_last_submission: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        self.page_device = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_up_page(self.page_device)
        super().__init__(self.page_device, parent)
        self.book = book
        self.query = query
        self.since_last_submission = since_last_submission
        self.error: str | None = None
        self._document: Document | None = None
        self._document_key: PrintRequest | None = None
        self.setWindowTitle("打印预览")
        geometry.fit_to_screen(self, QSize(1100, 760))  # never larger than the screen
        preview = self.findChild(QPrintPreviewWidget)
        assert preview is not None, "QPrintPreviewDialog shows a QPrintPreviewWidget"
        self.preview: QPrintPreviewWidget = preview
        # Our own tool bar above Qt's (zoom, pages, orientation, 打印): what to print.
        toolbar = QToolBar(self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout = self.layout()
        assert isinstance(layout, QBoxLayout), "QPrintPreviewDialog lays out in a box"
        layout.insertWidget(0, toolbar)
        self.options_bar = toolbar
        self.ledgers = [key for key in ledgers if get_ledger(key).print_forms is not None]

        self.ledger_combo = QComboBox(self)
        for key in self.ledgers:
            self.ledger_combo.addItem(get_ledger(key).title, key)
        self.ledger_combo.setVisible(len(self.ledgers) > 1)
        self.form_combo = QComboBox(self)
        for combo in (self.ledger_combo, self.form_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.paper_combo = QComboBox(self)
        self.paper_combo.addItems(list(PAPERS))
        first, last = notice_period(dt.date.today())
        self.notice_from = QDateEdit(_qdate(first), self)
        self.notice_to = QDateEdit(_qdate(last), self)
        for edit in (self.notice_from, self.notice_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.notice_label = QLabel(" 公示期：", self)
        self.until_label = QLabel("至", self)
        self.message_label = QLabel(self)
        self.message_label.setStyleSheet("color: #c62828;")

        if len(self.ledgers) > 1:
            toolbar.addWidget(QLabel(" 台账：", self))
        self._ledger_action = toolbar.addWidget(self.ledger_combo)
        self._ledger_action.setVisible(len(self.ledgers) > 1)
        toolbar.addWidget(QLabel(" 表格：", self))
        toolbar.addWidget(self.form_combo)
        toolbar.addWidget(QLabel(" 纸张：", self))
        toolbar.addWidget(self.paper_combo)
        self._notice_actions = [
            toolbar.addWidget(widget)
            for widget in (self.notice_label, self.notice_from, self.until_label, self.notice_to)
        ]
        toolbar.addSeparator()
        self.save_action = toolbar.addAction("另存为 PDF…")
        self.save_action.setToolTip("把预览中的表格保存为 PDF 文件")
        self.save_action.triggered.connect(self.choose_pdf)
        toolbar.addWidget(self.message_label)

        self._fill_forms()
        self.ledger_combo.currentIndexChanged.connect(self._ledger_changed)
        self.form_combo.currentIndexChanged.connect(self._changed)
        self.paper_combo.currentIndexChanged.connect(self._paper_changed)
        self.notice_from.dateChanged.connect(self._changed)
        self.notice_to.dateChanged.connect(self._changed)
        self.paintRequested.connect(self._paint)

    # --- choices ----------------------------------------------------------------------

    @property
    def ledger(self) -> str:
        return str(self.ledger_combo.currentData())

    @property
    def form(self) -> Form:
        return Form(self.form_combo.currentData())

    def _fill_forms(self) -> None:
        forms = get_ledger(self.ledger).print_forms
        self.form_combo.blockSignals(True)
        try:
            current = self.form_combo.currentData()
            self.form_combo.clear()
            for form in Form:
                if forms is not None and forms.has(form):
                    self.form_combo.addItem(FORM_TITLES[form], form.value)
            self.form_combo.setCurrentIndex(max(self.form_combo.findData(current), 0))
        finally:
            self.form_combo.blockSignals(False)
        self._show_notice_dates()

    def _show_notice_dates(self) -> None:
        for action in self._notice_actions:
            action.setVisible(self.form is Form.NOTICE)

    @property
    def notice_period_shown(self) -> bool:
        return all(action.isVisible() for action in self._notice_actions)

    def set_form(self, form: Form) -> None:
        self.form_combo.setCurrentIndex(self.form_combo.findData(form.value))

    def _ledger_changed(self, *_args: object) -> None:
        self._fill_forms()
        self._changed()

    def _paper_changed(self, *_args: object) -> None:
        landscape = self.page_device.pageLayout().orientation() == QPageLayout.Orientation.Landscape
        set_up_page(self.page_device, self.paper_combo.currentText(), landscape)
        self.preview.updatePreview()

    def _changed(self, *_args: object) -> None:
        self._show_notice_dates()
        self.preview.updatePreview()

    def request(self) -> PrintRequest:
        landscape = self.page_device.pageLayout().orientation() == QPageLayout.Orientation.Landscape
        notice = self.form is Form.NOTICE
        return PrintRequest(
            ledger=self.ledger,
            form=self.form,
            query=self.query,
            since_last_submission=self.since_last_submission,
            paper=self.paper_combo.currentText(),
            landscape=landscape,
            notice_from=_pydate(self.notice_from.date()) if notice else None,
            notice_to=_pydate(self.notice_to.date()) if notice else None,
        )

    # --- painting ---------------------------------------------------------------------

    def document(self) -> Document:
        """The form's words, read again only when the choice of form or period changed."""
        request = self.request()
        key = dataclasses.replace(request, paper="A4", landscape=True)
        if self._document is None or self._document_key != key:
            self._document = build_document(self.book, request)
            self._document_key = key
        return self._document

    def _paint(self, printer: QPrinter) -> None:
        # Thousands of rows take seconds to lay out; the dialog paints synchronously.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            render(self.document(), printer)
        except UserError as error:
            self._show_error(printer, str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.error = None
        self.message_label.setText("")

    def _show_error(self, printer: QPrinter, message: str) -> None:
        self.error = message
        self.message_label.setText(message)
        painter = QPainter()
        if painter.begin(printer):
            painter.drawText(printer.pageLayout().paintRectPixels(printer.resolution()), 0, message)
            painter.end()

    # --- saving -----------------------------------------------------------------------

    def _folder(self) -> Path:
        remembered = self.book.settings.get(LAST_PRINT_DIR)
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def choose_pdf(self) -> Path | None:
        title = self.document().title if self.error is None else get_ledger(self.ledger).title
        suggested = self._folder() / f"{title}{dt.date.today():%Y%m%d}.pdf"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "另存为 PDF", str(suggested), PDF_FILTER
        )
        if not chosen:
            return None
        return self.save_pdf(Path(chosen))

    def save_pdf(self, target: Path) -> Path | None:
        """Write the previewed form to ``target``; a Chinese message when it cannot."""
        if not target.suffix:
            target = target.with_suffix(".pdf")
        try:
            result = write_pdf(self.book, self.request(), target)
        except UserError as error:
            QMessageBox.warning(self, "另存为 PDF", str(error))
            return None
        self.book.settings.set(LAST_PRINT_DIR, str(target.parent))
        self.message_label.setStyleSheet("color: #2e7d32;")
        self.message_label.setText(f"已保存：{result.path.name}（{result.pages} 页）")
        return result.path


def open_preview(
    parent: QWidget,
    book: Book,
    ledgers: tuple[str, ...],
    query: RecordQuery,
    since_last_submission: bool = False,
) -> FormPreview | None:
    """Open the preview (modal); a message instead when no chosen ledger has printed forms."""
    printable = [key for key in ledgers if get_ledger(key).print_forms is not None]
    if not printable:
        QMessageBox.information(parent, "打印", "请先选择要打印的台账。")
        return None
    dialog = FormPreview(book, tuple(printable), query, since_last_submission, parent)
    dialog.open()
    return dialog
