"""打印预览: the roster, public notice or payment register of the filtered records.

Qt's own preview dialog (zoom, page views, orientation, 打印) with the form, the paper,
the notice period and 另存为 PDF added to its toolbar. The form is read from the
database once per choice and painted by the same renderer as ``hebi-desktop print``,
so what the clerk previews is what the printer and the PDF get.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QMetaObject, QSize, QStandardPaths, Qt
from PySide6.QtGui import QAction, QGuiApplication, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolBar,
    QWidget,
)

from hebi_desktop.domain.printing import FORM_TITLES, Form
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import UserError
from hebi_desktop.printing.archive import ArchiveDocument, build_archive, render_archive
from hebi_desktop.printing.content import (
    Document,
    PrintRequest,
    build_document,
    notice_period,
    unverified_in,
)
from hebi_desktop.printing.glyphs import unprintable_rows, warning_text
from hebi_desktop.printing.pdf import PrintResult, write_pdf
from hebi_desktop.printing.render import PAPERS, render, set_up_page
from hebi_desktop.services.book import Book
from hebi_desktop.services.desk_scope import scope_words, with_default_place
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import SUPERVISION_PHONE
from hebi_desktop.ui import geometry
from hebi_desktop.ui.widgets.field_widgets import WARNING_COLOR
from hebi_desktop.ui.workers import Worker

log = logging.getLogger(__name__)

PDF_FILTER = "PDF 文件 (*.pdf)"
LAST_PRINT_DIR = "last_print_dir"
PREPARING = "正在准备预览…"
NO_PHONE = "还没有填写监督电话（设置 → 单位与签字人），公示名单上的监督电话将空着。"


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
        *,
        all_places: bool = False,
    ) -> None:
        self.page_device = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_up_page(self.page_device)
        super().__init__(self.page_device, parent)
        self.book = book
        self.screen_query = query  # what the list shows, search text and all
        self.all_places = all_places
        self.since_last_submission = since_last_submission
        self.error: str | None = None
        self._closed = False  # done() ran: late results of stopped jobs are ignored
        self.save_worker: Worker | None = None
        self._building: Worker | None = None
        self._building_key: PrintRequest | None = None
        self._build_error: tuple[PrintRequest, str] | None = None
        self._document: Document | ArchiveDocument | None = None
        self._document_key: PrintRequest | None = None
        self.glyph_warning = ""  # records with characters no installed font has
        self.unverified_warning = ""  # a payment register's records keyed once only
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
        layout.insertWidget(1, self._scope_row())
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
        self.verified_only = QCheckBox("只含已复核", self)
        self.verified_only.setToolTip("只打印复核录入一致（已复核）的记录，发放登记表宜如此")

        if len(self.ledgers) > 1:
            toolbar.addWidget(QLabel(" 台账：", self))
        self._ledger_action = toolbar.addWidget(self.ledger_combo)
        self._ledger_action.setVisible(len(self.ledgers) > 1)
        toolbar.addWidget(QLabel(" 表格：", self))
        toolbar.addWidget(self.form_combo)
        toolbar.addWidget(QLabel(" 纸张：", self))
        toolbar.addWidget(self.paper_combo)
        toolbar.addWidget(self.verified_only)
        self._notice_actions = [
            toolbar.addWidget(widget)
            for widget in (self.notice_label, self.notice_from, self.until_label, self.notice_to)
        ]
        toolbar.addSeparator()
        self.save_action = toolbar.addAction("另存为 PDF…")
        self.save_action.setToolTip("把预览中的表格保存为 PDF 文件")
        self.save_action.triggered.connect(self.choose_pdf)
        self.cancel_save_action = toolbar.addAction("取消保存")
        self.cancel_save_action.setVisible(False)
        self.cancel_save_action.triggered.connect(self.cancel_save)
        toolbar.addWidget(self.message_label)

        self._fill_forms()
        self.ledger_combo.currentIndexChanged.connect(self._ledger_changed)
        self.form_combo.currentIndexChanged.connect(self._changed)
        self.paper_combo.currentIndexChanged.connect(self._paper_changed)
        self.verified_only.toggled.connect(self._changed)
        self.notice_from.dateChanged.connect(self._changed)
        self.notice_to.dateChanged.connect(self._changed)
        self.paintRequested.connect(self._paint)
        self.only_filtered.toggled.connect(self._scope_changed)
        self._guard_print_action()
        self._show_scope()

    # --- scope ------------------------------------------------------------------------

    def _scope_row(self) -> QWidget:
        """打印范围 in words, 只打印筛选结果 when the list is narrowed, the notice's warning."""
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(8, 2, 8, 2)
        line.addWidget(QLabel("打印范围：", row))
        self.scope_label = QLabel(row)
        self.scope_label.setObjectName("printScope")
        self.scope_label.setStyleSheet("color: #1565c0; font-weight: bold;")
        line.addWidget(self.scope_label)
        self.only_filtered = QCheckBox("只打印筛选结果", row)
        self.only_filtered.setToolTip(
            "勾选后只打印台账页上搜索、筛选出的记录；不勾选时打印上面范围内的全部记录"
        )
        narrowed = self._narrowing(self.screen_query)
        self.only_filtered.setVisible(bool(narrowed))
        if narrowed:
            self.only_filtered.setText(f"只打印筛选结果（{narrowed}）")
        line.addWidget(self.only_filtered)
        self.phone_label = QLabel(row)
        self.phone_label.setStyleSheet(f"color: {WARNING_COLOR};")
        line.addWidget(self.phone_label)
        line.addStretch(1)
        return row

    @staticmethod
    def _narrowing(query: RecordQuery) -> str:
        """What on the list narrows it beyond place and dates, in words ('' for nothing)."""
        parts = []
        if query.text and query.text.strip():
            parts.append(f"搜索“{query.text.strip()}”")
        if any(query.status.values()) or query.flagged is not None:
            parts.append("状态筛选")
        if query.conditions or query.ids is not None or query.changed_since is not None:
            parts.append("指定条件")
        return "、".join(parts)

    @property
    def query(self) -> RecordQuery:
        """What prints: the place and dates, the desk's scope when no place was chosen;
        search text and status filters only when 只打印筛选结果 is ticked."""
        query = self.screen_query
        if not self.only_filtered.isChecked():
            query = dataclasses.replace(
                query,
                text=None,
                status={},
                flagged=None,
                conditions=(),
                ids=None,
                changed_since=None,
            )
        if not self.all_places:
            query = with_default_place(self.book, query)
        return query

    def scope_text(self) -> str:
        return scope_words(self.query, since_last_submission=self.since_last_submission)

    def _show_scope(self) -> None:
        self.scope_label.setText(self.scope_text())
        missing = self.form is Form.NOTICE and not self.book.settings.get(SUPERVISION_PHONE)
        self.phone_label.setText(NO_PHONE if missing else "")

    def _scope_changed(self, *_args: object) -> None:
        self._show_scope()
        self.preview.updatePreview()

    def phone_missing_confirmed(self) -> bool:
        """A notice with no 监督电话: ask before it goes to paper or PDF."""
        if self.form is not Form.NOTICE or self.book.settings.get(SUPERVISION_PHONE):
            return True
        answer = QMessageBox.question(
            self,
            "公示名单没有监督电话",
            f"{NO_PHONE}\n\n公示名单应写明监督电话，以便群众反映问题。仍要继续吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _guard_print_action(self) -> None:
        """Qt's 打印 button asks about a missing 监督电话 first."""
        self.print_action: QAction | None = None
        for action in self.findChildren(QAction):
            if action.text().replace("&", "") in ("Print", "打印"):
                self.print_action = action
                action.triggered.disconnect()
                action.triggered.connect(self.print_now)
                return

    def print_now(self) -> None:
        if not self.phone_missing_confirmed():
            return
        try:
            self.document()  # the printer gets the whole form, never the waiting page
        except UserError as error:
            QMessageBox.warning(self, "打印", str(error))
            return
        QMetaObject.invokeMethod(self, "_q_print")

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
        self._show_scope()
        self.preview.updatePreview()

    def request(self) -> PrintRequest:
        landscape = self.page_device.pageLayout().orientation() == QPageLayout.Orientation.Landscape
        notice = self.form is Form.NOTICE
        return PrintRequest(
            ledger=self.ledger,
            form=self.form,
            query=dataclasses.replace(self.query, verified=True)
            if self.verified_only.isChecked()
            else self.query,
            since_last_submission=self.since_last_submission,
            paper=self.paper_combo.currentText(),
            landscape=landscape,
            notice_from=_pydate(self.notice_from.date()) if notice else None,
            notice_to=_pydate(self.notice_to.date()) if notice else None,
            all_places=True,  # self.query has the desk's scope already when none was chosen
        )

    # --- painting ---------------------------------------------------------------------

    def _document_key_now(self) -> PrintRequest:
        return dataclasses.replace(self.request(), paper="A4", landscape=True)

    def document(self) -> Document | ArchiveDocument:
        """The form's words, read again only when the choice of form or period changed."""
        request = self.request()
        key = self._document_key_now()
        if self._document is None or self._document_key != key:
            self._set_document(_build_any(self.book, request), key)
        assert self._document is not None
        return self._document

    def _set_document(self, document: Document | ArchiveDocument, key: PrintRequest) -> None:
        self._document, self._document_key = document, key
        # Counted once per document, not at every repaint of the preview.
        self.unverified_warning = self._unverified_warning()
        self.glyph_warning = ""
        if isinstance(document, Document):
            # With no Chinese font at all, painting says so in place of the form.
            with contextlib.suppress(UserError):
                self.glyph_warning = warning_text(unprintable_rows(document))

    def _prepare(self, key: PrintRequest) -> None:
        """Read the records and build the form's words off the GUI thread; the preview
        shows 正在准备… meanwhile and is painted again when they are ready. (Bound
        methods, not closures over ``self``: no reference cycle for a worker thread's
        garbage collection to break.)"""
        if self._building is not None and self._building.running:
            return  # painted again when it is done (a changed choice is prepared then)
        worker = Worker(partial(_build, self.book, self.request()), self)
        self._building = worker
        self._building_key = key
        worker.finished.connect(self._built)
        worker.failed.connect(self._build_failed)
        worker.done.connect(self._building_done)
        worker.start()

    def _built(self, document: object) -> None:
        if self._closed:  # the result of a job stopped by closing arrives after the close
            return
        assert isinstance(document, Document | ArchiveDocument)
        if self._document_key_now() == self._building_key and self._building_key is not None:
            self._set_document(document, self._building_key)
        self.preview.updatePreview()  # a changed choice meanwhile is prepared now

    def _build_failed(self, message: str) -> None:
        if self._closed:
            return
        if self._building_key is not None:
            self._build_error = (self._building_key, message)
        self.preview.updatePreview()

    def _building_done(self) -> None:
        # A newer job may have started while this one's result was painted: keep that one.
        worker = self.sender()
        if worker is self._building:
            self._building = None
        if worker is not None:
            worker.deleteLater()

    def _paint(self, printer: QPrinter) -> None:
        key = self._document_key_now()
        if self._build_error is not None and self._build_error[0] == key:
            self._show_error(printer, self._build_error[1])
            return
        if self._document is None or self._document_key != key:
            self._prepare(key)
            self._show_waiting(printer)
            return
        # Laying out the pages of a long form still takes a moment on this thread.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if isinstance(self._document, ArchiveDocument):
                render_archive(self._document, printer)
            else:
                render(self._document, printer)
        except UserError as error:
            self._show_error(printer, str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.error = None
        if not self.saving:
            # Shown above the preview, before anything is printed: which records would
            # show empty boxes, and how many records of a payment register were keyed once.
            self.message_label.setStyleSheet(f"color: {WARNING_COLOR};")
            self.message_label.setText(
                "\n".join(t for t in (self.glyph_warning, self.unverified_warning) if t)
            )

    def _unverified_warning(self) -> str:
        """A payment register that includes records keyed once only says how many."""
        if self.form is not Form.REGISTER:
            return ""
        count = unverified_in(self.book, self.request())
        return f"注意：其中 {count} 条尚未复核（复核录入）" if count else ""

    def _show_waiting(self, printer: QPrinter) -> None:
        painter = QPainter()
        if painter.begin(printer):
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), PREPARING)
            painter.end()

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

    def choose_pdf(self) -> Worker | None:
        if not self.phone_missing_confirmed():
            return None
        ready = self._document is not None and self._document_key == self._document_key_now()
        if ready and self._document is not None:
            title = self._document.title
        else:  # not read yet: the place and the form, without waiting for the records
            title = f"{self.scope_text().split(' · ')[0]}{FORM_TITLES[self.form]}"
        suggested = self._folder() / f"{title}{dt.date.today():%Y%m%d}.pdf"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "另存为 PDF", str(suggested), PDF_FILTER
        )
        if not chosen:
            return None
        return self.save_pdf(Path(chosen))

    @property
    def saving(self) -> bool:
        return self.save_worker is not None

    def save_pdf(self, target: Path) -> Worker | None:
        """Write the previewed form to ``target`` on a worker (the window stays usable, the
        toolbar says so at once, 取消保存 stops it); a Chinese message when it cannot."""
        if self.saving:
            return None
        if not target.suffix:
            target = target.with_suffix(".pdf")
        worker = Worker(partial(_write, self.book, self.request(), target), self)
        self.save_worker = worker
        self.save_action.setEnabled(False)
        self.cancel_save_action.setVisible(True)
        self.message_label.setStyleSheet("color: #1565c0;")
        self.message_label.setText(f"正在保存 {target.name}…（可以继续查看预览）")
        worker.finished.connect(self._pdf_saved)
        worker.failed.connect(self._pdf_failed)
        worker.cancelled.connect(self._pdf_cancelled)
        worker.done.connect(self._save_done)
        worker.start()
        return worker

    def _pdf_cancelled(self) -> None:
        self.message_label.setText("已取消保存，没有生成文件。")

    def _pdf_saved(self, result: PrintResult) -> None:
        self.book.settings.set(LAST_PRINT_DIR, str(result.path.parent))
        self.message_label.setStyleSheet("color: #2e7d32;")
        self.message_label.setText(f"已保存：{result.path.name}（{result.pages} 页）")

    def _pdf_failed(self, message: str) -> None:
        self.message_label.setStyleSheet("color: #c62828;")
        self.message_label.setText(f"未保存：{message}")
        QMessageBox.warning(self, "另存为 PDF", message)

    def _save_done(self) -> None:
        worker, self.save_worker = self.save_worker, None
        if worker is not None:
            worker.deleteLater()
        self.save_action.setEnabled(True)
        self.cancel_save_action.setVisible(False)

    def cancel_save(self) -> None:
        if self.save_worker is not None:
            self.save_worker.cancel()

    def done(self, result: int) -> None:
        """Closing stops the work in flight (a half PDF is never left behind)."""
        self._closed = True
        for worker in (self.save_worker, self._building):
            if worker is not None:
                worker.cancel()
                worker.wait()
        super().done(result)


def _build_any(
    book: Book, request: PrintRequest, cancelled: Callable[[], bool] | None = None
) -> Document | ArchiveDocument:
    if request.form is Form.ARCHIVE:
        return build_archive(book, request, cancelled)
    return build_document(book, request, cancelled)


def _build(
    book: Book, request: PrintRequest, _progress: object, cancelled: Callable[[], bool]
) -> Document | ArchiveDocument:
    return _build_any(book, request, cancelled)


def _write(
    book: Book,
    request: PrintRequest,
    target: Path,
    _progress: object,
    cancelled: Callable[[], bool],
) -> PrintResult:
    return write_pdf(book, request, target, cancelled)


def open_preview(
    parent: QWidget,
    book: Book,
    ledgers: tuple[str, ...],
    query: RecordQuery,
    since_last_submission: bool = False,
    *,
    all_places: bool = False,
) -> FormPreview | None:
    """Open the preview (modal); a message instead when no chosen ledger has printed forms."""
    printable = [key for key in ledgers if get_ledger(key).print_forms is not None]
    if not printable:
        QMessageBox.information(parent, "打印", "请先选择要打印的台账。")
        return None
    dialog = FormPreview(
        book, tuple(printable), query, since_last_submission, parent, all_places=all_places
    )
    dialog.open()
    return dialog
