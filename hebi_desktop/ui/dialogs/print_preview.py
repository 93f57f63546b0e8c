"""打印预览: the roster, public notice or payment register of the filtered records.

The preview is our own: the records are read, the form laid out and the pages painted
on a worker thread (``ui/page_factory.py``), and the view shows each page as its image
arrives, only the pages in view (``ui/widgets/page_view.py``). The window answers at
once whatever the length of the list. Pages are painted by the same renderer as
``hebi-desktop print`` and laid out on the same PDF writer, so what the clerk previews is
what the PDF gets. 打印… paints onto the printer on a worker too, with progress and 取消.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QAction, QIntValidator, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
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
from hebi_desktop.printing.paged import Paper
from hebi_desktop.printing.pdf import PrintResult, write_pdf
from hebi_desktop.printing.render import PAPERS, Progress, render, set_up_page
from hebi_desktop.services.book import Book
from hebi_desktop.services.desk_scope import scope_words, with_default_place
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import SUPERVISION_PHONE
from hebi_desktop.ui import geometry
from hebi_desktop.ui.dialogs.confirm import confirmed
from hebi_desktop.ui.page_factory import (
    PageFactory,
    Prepared,
    release_when_unused,
    stop_with,
)
from hebi_desktop.ui.remembered_folder import remembered_folder
from hebi_desktop.ui.widgets.field_widgets import WARNING_COLOR
from hebi_desktop.ui.widgets.page_view import FIT_PAGE, FIT_WIDTH, ZOOM_STEPS, PageView
from hebi_desktop.ui.workers import ProgressPanel, Worker

log = logging.getLogger(__name__)

PDF_FILTER = "PDF 文件 (*.pdf)"
LAST_PRINT_DIR = "last_print_dir"
PREPARING = "正在准备预览…"
READING = "正在读取记录…"
LAYING_OUT = "正在排版…"
LAID_OUT_SO_FAR = "正在排版… 第 {pages} 页"
ORIENTATIONS = {"横向": True, "纵向": False}
NO_PHONE = "还没有填写监督电话（设置 → 单位与签字人），公示名单上的监督电话将空着。"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class FormPreview(QDialog):
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
        super().__init__(parent)
        self.book = book
        self.screen_query = query  # what the list shows, search text and all
        self.all_places = all_places
        self.since_last_submission = since_last_submission
        self.error: str | None = None
        self._closed = False  # done() ran: late results of stopped jobs are ignored
        self.save_worker: Worker | None = None
        self.print_worker: Worker | None = None
        self._factory: PageFactory | None = None
        self._guarded = stop_with(self)  # the current factory, ended if the dialog is deleted
        self._factory_key: PrintRequest | None = None
        self._document: Document | ArchiveDocument | None = None
        self._document_key: PrintRequest | None = None
        self.glyph_warning = ""  # records with characters no installed font has
        self.unverified_warning = ""  # a payment register's records keyed once only
        self.setWindowTitle("打印预览")
        geometry.fit_to_screen(self, QSize(1100, 760))  # never larger than the screen
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # What to print (form, paper, period), then the scope, the pages and moving about.
        toolbar = QToolBar(self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout.addWidget(toolbar)
        self.options_bar = toolbar
        layout.addWidget(self._scope_row())
        self.pages_bar = QToolBar(self)
        self.pages_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout.addWidget(self.pages_bar)
        self.preview = PageView(self)
        layout.addWidget(self.preview, 1)
        self.print_panel = ProgressPanel(self)
        self.print_panel.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.print_panel)
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
        self.orientation_combo = QComboBox(self)
        self.orientation_combo.addItems(list(ORIENTATIONS))
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
        toolbar.addWidget(self.orientation_combo)
        toolbar.addWidget(self.verified_only)
        self._notice_actions = [
            toolbar.addWidget(widget)
            for widget in (self.notice_label, self.notice_from, self.until_label, self.notice_to)
        ]
        toolbar.addSeparator()
        self.print_action: QAction = toolbar.addAction("打印…")
        self.print_action.setIconText("打印…")  # a tool button drops the "…" of the text
        self.print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_action.setToolTip("选择打印机打印（Ctrl+P）")
        self.print_action.triggered.connect(self.print_now)
        self.save_action = toolbar.addAction("另存为 PDF…")
        self.save_action.setIconText("另存为 PDF…")
        self.save_action.setToolTip("把预览中的表格保存为 PDF 文件")
        self.save_action.triggered.connect(self.choose_pdf)
        self.cancel_save_action = toolbar.addAction("取消保存")
        self.cancel_save_action.setVisible(False)
        self.cancel_save_action.triggered.connect(self.cancel_save)
        toolbar.addWidget(self.message_label)
        self._pages_toolbar()

        self._fill_forms()
        self.ledger_combo.currentIndexChanged.connect(self._ledger_changed)
        self.form_combo.currentIndexChanged.connect(self._changed)
        self.paper_combo.currentIndexChanged.connect(self._paper_changed)
        self.orientation_combo.currentIndexChanged.connect(self._paper_changed)
        self.verified_only.toggled.connect(self._changed)
        self.notice_from.dateChanged.connect(self._changed)
        self.notice_to.dateChanged.connect(self._changed)
        self.only_filtered.toggled.connect(self._scope_changed)
        self.preview.refresh_requested.connect(self._refresh)
        self.preview.current_changed.connect(self._show_page_number)
        self.preview.zoom_changed.connect(self._zoomed_by_wheel)
        self._show_scope()
        self._refresh()
        self.preview.setFocus()

    # --- pages: moving about and zoom -------------------------------------------------

    def _pages_toolbar(self) -> None:
        bar = self.pages_bar
        self.first_action = bar.addAction("首页", lambda: self.preview.go_to(0))
        self.first_action.setToolTip("第一页（Home）")
        self.previous_action = bar.addAction("上一页", self.previous_page)
        self.previous_action.setToolTip("上一页（PgUp）")
        bar.addWidget(QLabel(" 第 ", self))
        self.page_edit = QLineEdit(self)
        self.page_edit.setValidator(QIntValidator(1, 1_000_000, self))
        self.page_edit.setFixedWidth(self.page_edit.fontMetrics().horizontalAdvance("0000000"))
        self.page_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.page_edit.setToolTip("输入页码后按回车跳到该页")
        self.page_edit.returnPressed.connect(self._page_typed)
        bar.addWidget(self.page_edit)
        self.page_total_label = QLabel(" 页", self)
        bar.addWidget(self.page_total_label)
        self.next_action = bar.addAction("下一页", self.next_page)
        self.next_action.setToolTip("下一页（PgDn）")
        self.last_action = bar.addAction("末页", self.last_page)
        self.last_action.setToolTip("最后一页（End）")
        bar.addSeparator()
        bar.addWidget(QLabel(" 缩放：", self))
        self.zoom_combo = QComboBox(self)
        self.zoom_combo.addItem("适合宽度", FIT_WIDTH)
        self.zoom_combo.addItem("适合整页", FIT_PAGE)
        for percent in ZOOM_STEPS:
            self.zoom_combo.addItem(f"{percent}%", percent)
        self.zoom_combo.setToolTip("也可以按住 Ctrl 转动滚轮缩放")
        self.zoom_combo.currentIndexChanged.connect(self._zoom_chosen)
        bar.addWidget(self.zoom_combo)
        self.zoom_out_action = bar.addAction("缩小", lambda: self.preview.zoom_by(-1))
        self.zoom_out_action.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.zoom_out_action.setToolTip("缩小（Ctrl+减号，或 Ctrl+滚轮）")
        self.zoom_in_action = bar.addAction("放大", lambda: self.preview.zoom_by(1))
        self.zoom_in_action.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn))
        self.zoom_in_action.setToolTip("放大（Ctrl+加号，或 Ctrl+滚轮）")
        bar.addSeparator()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("previewStatus")
        bar.addWidget(self.status_label)
        self._enable_paging()

    def previous_page(self) -> None:
        self.preview.go_to(self.preview.current_page() - 1)

    def next_page(self) -> None:
        self.preview.go_to(self.preview.current_page() + 1)

    def last_page(self) -> None:
        self.preview.go_to(self.preview.pageCount() - 1)

    def _page_typed(self) -> None:
        text = self.page_edit.text().strip()
        if text.isdigit():
            self.preview.go_to(int(text) - 1)
        self._show_page_number(self.preview.current_page())

    def _show_page_number(self, index: int) -> None:
        if self.preview.pageCount():
            self.page_edit.setText(str(index + 1))

    def _enable_paging(self) -> None:
        count = self.preview.pageCount()
        for widget in (self.first_action, self.previous_action, self.next_action, self.last_action):
            widget.setEnabled(count > 1)
        self.page_edit.setEnabled(count > 0)
        self.page_total_label.setText(f" 页，共 {count} 页" if count else " 页")
        if not count:
            self.page_edit.clear()

    def _zoom_chosen(self, *_args: object) -> None:
        self.preview.set_zoom(self.zoom_combo.currentData())

    def _zoomed_by_wheel(self, percent: int) -> None:
        self.zoom_combo.blockSignals(True)
        self.zoom_combo.setCurrentIndex(max(self.zoom_combo.findData(percent), 0))
        self.zoom_combo.blockSignals(False)

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
        self._refresh()

    def phone_missing_confirmed(self) -> bool:
        """A notice with no 监督电话: ask before it goes to paper or PDF."""
        if self.form is not Form.NOTICE or self.book.settings.get(SUPERVISION_PHONE):
            return True
        return confirmed(
            self,
            "公示名单没有监督电话",
            f"{NO_PHONE}\n\n公示名单应写明监督电话，以便群众反映问题。仍要继续吗？",
        )

    # --- printing on a printer ---------------------------------------------------------

    @property
    def printing(self) -> bool:
        return self.print_worker is not None

    def print_now(self) -> Worker | None:
        """打印… (Ctrl+P): the printer chosen in Qt's dialog, then painted on a worker."""
        if self.printing or not self.phone_missing_confirmed():
            return None
        printer = self.new_printer()
        chooser = QPrintDialog(printer, self)
        chooser.setWindowTitle("打印")
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.print_to(printer)

    def new_printer(self) -> QPrinter:
        """A printer set up with the paper and orientation chosen in the preview."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_up_page(printer, self.paper_combo.currentText(), self.landscape)
        return printer

    def print_to(self, printer: QPrinter) -> Worker | None:
        """Paint the form onto ``printer`` (set up already) off the GUI thread, with the
        pages counted below the preview and 取消 (a cancelled job prints nothing more)."""
        if self.printing:
            return None
        ready = self._document is not None and self._document_key == self._document_key_now()
        document = self._document if ready else None
        worker = Worker(partial(_print, self.book, self.request(), document, printer), self)
        self.print_worker = worker
        self.print_action.setEnabled(False)
        self.print_panel.attach(worker, "正在打印…")
        worker.progress.connect(self._print_progress)
        worker.finished.connect(self._printed)
        worker.failed.connect(self._print_failed)
        worker.cancelled.connect(self._print_cancelled)
        worker.done.connect(self._print_done)
        worker.start()
        return worker

    def _print_progress(self, done: int, total: int) -> None:
        if total:
            self.print_panel.label.setText(f"正在打印… 第 {done} 页，共 {total} 页")

    def _printed(self, pages: int) -> None:
        self.message_label.setStyleSheet("color: #2e7d32;")
        self.message_label.setText(f"已送往打印机：共 {pages} 页")

    def _print_failed(self, message: str) -> None:
        self.message_label.setStyleSheet("color: #c62828;")
        self.message_label.setText(f"未打印：{message}")
        QMessageBox.warning(self, "打印", message)

    def _print_cancelled(self) -> None:
        self.message_label.setText("已取消打印。")

    def _print_done(self) -> None:
        worker, self.print_worker = self.print_worker, None
        if worker is not None:
            worker.deleteLater()
        self.print_action.setEnabled(True)

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

    @property
    def landscape(self) -> bool:
        return ORIENTATIONS.get(self.orientation_combo.currentText(), True)

    def _paper_changed(self, *_args: object) -> None:
        self._refresh()

    def _changed(self, *_args: object) -> None:
        self._show_notice_dates()
        self._show_scope()
        self._refresh()

    def request(self) -> PrintRequest:
        landscape = self.landscape
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

    # --- the pages -------------------------------------------------------------------

    def _document_key_now(self) -> PrintRequest:
        return dataclasses.replace(self.request(), paper="A4", landscape=True)

    def document(self) -> Document | ArchiveDocument:
        """The form's words, read again only when the choice of form or period changed
        (read here and now when the preview has not got them yet)."""
        key = self._document_key_now()
        if self._document is None or self._document_key != key:
            self._set_prepared(_prepare(self.book, self.request()), key)
        assert self._document is not None
        return self._document

    def _set_prepared(self, prepared: Prepared, key: PrintRequest) -> None:
        if self._document is not prepared.document:
            release_when_unused(self._document)
        self._document, self._document_key = prepared.document, key
        self.glyph_warning = prepared.glyph_warning
        self.unverified_warning = prepared.unverified_warning

    def _refresh(self) -> None:
        """Lay the pages out again for the current choices (the records are read again
        only when the form or the period changed); the old work is dropped."""
        if self._closed:
            return
        self._stop_factory()
        request = self.request()
        key = self._document_key_now()
        ready = self._document is not None and self._document_key == key
        factory = PageFactory(
            partial(_prepare, self.book, request),
            request.paper,
            request.landscape,
            Prepared(self._document, self.glyph_warning, self.unverified_warning)
            if ready and self._document is not None
            else None,
        )
        self._factory, self._factory_key = factory, key
        factory.built.connect(self._built)
        factory.laying_out.connect(self._laying_out)
        factory.laid_out.connect(self._laid_out)
        factory.page_ready.connect(self._page_ready)
        factory.failed.connect(self._failed)
        self.preview.wanted.connect(factory.want)
        self._guarded[:] = [factory]
        self.error = None
        self.preview.show_message(PREPARING)
        self._say_progress(LAYING_OUT if ready else READING)
        self._enable_paging()
        factory.begin()

    def _stop_factory(self) -> None:
        factory, self._factory = self._factory, None
        if factory is None:
            return
        with contextlib.suppress(RuntimeError, TypeError):
            self.preview.wanted.disconnect(factory.want)
        factory.stop()  # it ends by itself; its late signals are ignored

    def _current(self) -> bool:
        """The signal comes from the factory of the current choices."""
        return not self._closed and self.sender() is self._factory

    def _built(self, prepared: object) -> None:
        if not self._current() or self._factory_key is None:
            return
        assert isinstance(prepared, Prepared)
        self._set_prepared(prepared, self._factory_key)
        self._say_progress(LAYING_OUT)

    def _laying_out(self, pages: int) -> None:
        if self._current():
            self._say_progress(LAID_OUT_SO_FAR.format(pages=pages))

    def _say_progress(self, text: str) -> None:
        """What the preview is doing, beside the page box and in the empty view."""
        self.status_label.setText(text)
        self.preview.show_message(
            f"{PREPARING}\n\n{text}\n\n（长表格需要一些时间；可以随时关闭预览）"
        )

    def _laid_out(self, count: int, paper: object) -> None:
        if not self._current():
            return
        assert isinstance(paper, Paper)
        self.preview.set_pages(count, paper.width_mm, paper.height_mm)
        self.status_label.clear()  # the page box already says "共 N 页"
        self._enable_paging()
        self._show_page_number(0)
        self.error = None
        if not self.saving and not self.printing:
            # Shown above the preview, before anything is printed: which records would
            # show empty boxes, and how many records of a payment register were keyed once.
            self.message_label.setStyleSheet(f"color: {WARNING_COLOR};")
            self.message_label.setText(
                "\n".join(t for t in (self.glyph_warning, self.unverified_warning) if t)
            )

    def _page_ready(self, index: int, _width: int, image: object) -> None:
        if self._current():
            self.preview.add_image(index, image)  # type: ignore[arg-type]

    def _failed(self, message: str) -> None:
        if not self._current():
            return
        self.error = message
        self.message_label.setStyleSheet("color: #c62828;")
        self.message_label.setText(message)
        self.preview.show_message(message)
        self.status_label.setText("")
        self._enable_paging()

    @property
    def pages_ready(self) -> bool:
        """The pages are laid out (or the preview shows why not)."""
        return self.preview.pageCount() > 0 or self.error is not None

    # --- saving -----------------------------------------------------------------------

    def choose_pdf(self) -> Worker | None:
        if not self.phone_missing_confirmed():
            return None
        ready = self._document is not None and self._document_key == self._document_key_now()
        if ready and self._document is not None:
            title = self._document.title
        else:  # not read yet: the place and the form, without waiting for the records
            title = f"{self.scope_text().split(' · ')[0]}{FORM_TITLES[self.form]}"
        folder = remembered_folder(self.book.settings, LAST_PRINT_DIR)
        suggested = folder / f"{title}{dt.date.today():%Y%m%d}.pdf"
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
        ready = self._document is not None and self._document_key == self._document_key_now()
        document = self._document if ready else None  # read once for preview and file
        worker = Worker(partial(_write, self.book, self.request(), target, document), self)
        self.save_worker = worker
        self.save_action.setEnabled(False)
        self.cancel_save_action.setVisible(True)
        self.message_label.setStyleSheet("color: #1565c0;")
        self.message_label.setText(f"正在保存 {target.name}…（可以继续查看预览）")
        worker.progress.connect(partial(self._save_progress, target.name))
        worker.finished.connect(self._pdf_saved)
        worker.failed.connect(self._pdf_failed)
        worker.cancelled.connect(self._pdf_cancelled)
        worker.done.connect(self._save_done)
        worker.start()
        return worker

    def _save_progress(self, name: str, done: int, total: int) -> None:
        if total and self.saving:
            self.message_label.setText(
                f"正在保存 {name}… 第 {done} 页，共 {total} 页（可以继续查看预览）"
            )

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
        factory = self._factory
        self._stop_factory()
        if factory is not None:
            factory.wait()
        for worker in (self.save_worker, self.print_worker):
            if worker is not None:
                worker.cancel()
                worker.wait()
        document, self._document, self._document_key = self._document, None, None
        release_when_unused(document)
        del document
        self.preview.show_message("")  # the page images go at once
        super().done(result)
        self._delete_when_idle()

    def _delete_when_idle(self) -> None:
        """A closed preview goes away (every 打印… makes a new one), once its save and
        print jobs have reported their end on this thread: a job deleted before that
        would never resume Python's cycle collector (see ``ui/workers.py``)."""
        jobs = [w for w in (self.save_worker, self.print_worker) if w is not None and w.running]
        if not jobs:
            self.deleteLater()
            return
        for worker in jobs:
            worker.done.connect(self._delete_when_idle)  # a second call only repeats it


def _build_any(
    book: Book, request: PrintRequest, cancelled: Callable[[], bool] | None = None
) -> Document | ArchiveDocument:
    if request.form is Form.ARCHIVE:
        return build_archive(book, request, cancelled)
    return build_document(book, request, cancelled)


def _prepare(
    book: Book, request: PrintRequest, cancelled: Callable[[], bool] | None = None
) -> Prepared:
    """Read the records, build the form's words and count what to warn about (the
    preview's factory thread, or the GUI thread when a caller needs them at once)."""
    document = _build_any(book, request, cancelled)
    glyphs = ""
    if isinstance(document, Document):
        # With no Chinese font at all, laying out says so in place of the form.
        with contextlib.suppress(UserError):
            glyphs = warning_text(unprintable_rows(document))
    unverified = ""
    if request.form is Form.REGISTER:
        count = unverified_in(book, request)
        unverified = f"注意：其中 {count} 条尚未复核（复核录入）" if count else ""
    return Prepared(document, glyphs, unverified)


def _print(
    book: Book,
    request: PrintRequest,
    document: Document | ArchiveDocument | None,
    printer: QPrinter,
    progress: Progress,
    cancelled: Callable[[], bool],
) -> int:
    """Paint the form onto the printer, page by page (a worker thread)."""
    if document is None:
        document = _build_any(book, request, cancelled)
    if isinstance(document, ArchiveDocument):
        return render_archive(document, printer, cancelled, progress)
    return render(document, printer, cancelled, progress)


def _write(
    book: Book,
    request: PrintRequest,
    target: Path,
    document: Document | ArchiveDocument | None,
    progress: Progress,
    cancelled: Callable[[], bool],
) -> PrintResult:
    return write_pdf(book, request, target, cancelled, progress=progress, document=document)


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
