"""导入导出: export workbooks for the county, import a clerk's spreadsheet, past submissions.

The page collects the clerk's choices, asks for the file, and hands the work to the
exchange services on a :class:`~hebi_desktop.ui.workers.Worker`, so a 100,000-row
export neither freezes the window nor leaves half a file behind when cancelled. An
import with problems lists every bad cell (row, column, value, message) and can save
the report workbook the service writes. The folders last used are remembered in the
book's settings.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.field_widgets import ERROR_COLOR, WARNING_COLOR
from hebi_desktop.ui.icons import icon
from hebi_desktop.ui.import_tab import (
    EXCEL_FILTER,
    OK_COLOR,
    Importer,
    ImportTab,
    set_label,
    with_suffix,
)
from hebi_desktop.ui.place_filter import DateRange, PlacePicker
from hebi_desktop.ui.submissions_tab import SubmissionsTab
from hebi_desktop.ui.workers import ProgressPanel, Worker

if TYPE_CHECKING:
    from hebi_desktop.ui.print_preview import FormPreview

log = logging.getLogger(__name__)

LAST_EXPORT_DIR = "last_export_dir"

Exporter = Callable[..., Any]  # export_workbook(book, request, target, *, progress, cancelled)


def exchange_available() -> bool:
    try:
        import hebi_desktop.exchange.export
        import hebi_desktop.exchange.importer  # noqa: F401
    except ImportError:
        return False
    return True


def _default_exporter() -> Exporter:
    from hebi_desktop.exchange.export import export_workbook

    return export_workbook


class ExchangePage(QWidget):
    """Export, import and the submissions list, each on a tab.

    ``records_changed`` after an import wrote records; ``submissions_changed`` after an
    export recorded a submission. ``exporter``/``importer`` replace the exchange
    services (tests use stand-ins).
    """

    records_changed = Signal()
    submissions_changed = Signal()

    def __init__(
        self,
        book: Book,
        parent: QWidget | None = None,
        *,
        exporter: Exporter | None = None,
        importer: Importer | None = None,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self.available = (exporter is not None and importer is not None) or exchange_available()
        self._exporter = exporter
        self._importer = importer
        self.worker: Worker | None = None
        self.export_result: Any = None
        self.last_export: Path | None = None
        layout = QVBoxLayout(self)
        title = QLabel("导入导出", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        if not self.available:
            layout.addWidget(QLabel("本版本未包含导入导出功能。", self))
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_export(), icon("export"), "导出报送")
        self.tabs.addTab(self._build_import(), icon("import"), "导入表格")
        self.tabs.addTab(self._build_submissions(), "报送记录")
        layout.addWidget(self.tabs, 1)
        self.progress_panel = ProgressPanel(self)
        layout.addWidget(self.progress_panel)
        self.update_buttons()

    # --- export tab -------------------------------------------------------------------

    def _build_export(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)

        which = QGroupBox("台账", tab)
        row = QHBoxLayout(which)
        self.ledger_checks: dict[str, QCheckBox] = {}
        for ledger in all_ledgers():
            check = QCheckBox(ledger.title, which)
            check.setChecked(True)
            check.toggled.connect(self.update_buttons)
            row.addWidget(check)
            self.ledger_checks[ledger.key] = check
        row.addStretch(1)
        layout.addWidget(which)

        filters = QGroupBox("范围", tab)
        form = QFormLayout(filters)
        self.place = PlacePicker(self.book, filters, with_county=True)
        assert self.place.county_combo is not None
        self.county_combo: QComboBox = self.place.county_combo
        self.township_combo = self.place.township_combo
        self.village_editor = self.place.village_editor
        self.village_edit: QLineEdit = self.place.village_edit
        form.addRow("地区：", self.place)

        dates = QHBoxLayout()
        self.dates = DateRange(filters)
        self.date_from_editor = self.dates.date_from_editor
        self.date_to_editor = self.dates.date_to_editor
        dates.addWidget(self.dates)
        dates.addStretch(1)
        date_label = QLabel("日期：", tab)
        date_label.setToolTip(
            "按各台账的主要日期筛选："
            + "，".join(f"{lg.nav_title}按{lg.field(lg.main_date).header}" for lg in all_ledgers())
        )
        form.addRow(date_label, dates)

        scope = QVBoxLayout()
        self.full_radio = QRadioButton("全部记录（全量）", filters)
        self.incremental_radio = QRadioButton(
            "自上次报送以来新增或修改的记录（增量，每月报送用）", filters
        )
        self.full_radio.setChecked(True)
        self._scope_group = QButtonGroup(filters)
        self._scope_group.addButton(self.full_radio)
        self._scope_group.addButton(self.incremental_radio)
        self.last_submission_label = QLabel(filters)
        self.last_submission_label.setStyleSheet("color: #546e7a;")
        self.last_submission_label.setWordWrap(True)
        scope.addWidget(self.full_radio)
        scope.addWidget(self.incremental_radio)
        scope.addWidget(self.last_submission_label)
        form.addRow("记录：", scope)

        self.mask_check = QCheckBox("身份证号、电话脱敏（隐去中间几位，用于公示或外发）", filters)
        form.addRow("脱敏：", self.mask_check)
        self.record_check = QCheckBox("记入报送记录（向上级报送时勾选）", filters)
        self.record_check.setChecked(True)
        form.addRow("报送：", self.record_check)
        layout.addWidget(filters)

        buttons = QHBoxLayout()
        self.export_button = QPushButton(icon("export"), "导出…", tab)
        self.export_button.setToolTip("选择保存位置并导出（Ctrl+E）")
        self.export_button.clicked.connect(self.start_export)
        buttons.addWidget(self.export_button)
        self.print_button = QPushButton("打印…", tab)
        self.print_button.setToolTip("按上面的范围打印花名册、公示名单或发放登记表（可另存为 PDF）")
        self.print_button.clicked.connect(self.open_print)
        buttons.addWidget(self.print_button)
        self.export_label = QLabel(tab)
        self.export_label.setWordWrap(True)
        self.export_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_label.setOpenExternalLinks(True)
        self.export_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons.addWidget(self.export_label, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return tab

    def chosen_ledgers(self) -> tuple[str, ...]:
        return tuple(key for key, check in self.ledger_checks.items() if check.isChecked())

    def export_query(self) -> RecordQuery | None:
        """The filters as a query; None (with a message) when a date does not read."""
        dates = self.dates.strict()
        if dates is None:
            return None
        date_from, date_to = dates
        return RecordQuery(
            county_code=self.place.county_code(),
            township_code=self.place.township_code(),
            village=self.place.village(),
            date_from=date_from,
            date_to=date_to,
        )

    def open_print(self) -> FormPreview | None:
        """The print preview of the chosen ledgers with the export's filters."""
        query = self.export_query()
        if query is None:
            return None
        from hebi_desktop.ui.print_preview import open_preview

        since = self.incremental_radio.isChecked()
        return open_preview(self, self.book, self.chosen_ledgers(), query, since)

    def _default_export_name(self, keys: tuple[str, ...], query: RecordQuery) -> str:
        table = divisions()
        place = (
            table.name(query.township_code)
            or table.name(query.county_code)
            or table.name(self.book.settings.township_code)
        )
        what = get_ledger(keys[0]).title if len(keys) == 1 else "台账汇总"
        if self.incremental_radio.isChecked():
            what += "（增量）"
        return f"{place}{what}{dt.date.today():%Y%m%d}.xlsx"

    def folder(self, key: str) -> Path:
        remembered = self.book.settings.get(key)
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def remember(self, key: str, path: Path) -> None:
        self.book.settings.set(key, str(path.parent))

    def start_export(self) -> Worker | None:
        """Ask for the file, then export on a worker; returns the worker (None if not)."""
        if self.busy:
            return None
        keys = self.chosen_ledgers()
        if not keys:
            QMessageBox.warning(self, "导出", "请至少选择一本台账。")
            return None
        query = self.export_query()
        if query is None:
            return None
        suggested = self.folder(LAST_EXPORT_DIR) / self._default_export_name(keys, query)
        chosen, _filter = QFileDialog.getSaveFileName(self, "导出到", str(suggested), EXCEL_FILTER)
        if not chosen:
            return None
        target = with_suffix(Path(chosen), ".xlsx")
        self.remember(LAST_EXPORT_DIR, target)
        from hebi_desktop.exchange.export import ExportRequest

        request = ExportRequest(
            ledgers=keys,
            query=query,
            since_last_submission=self.incremental_radio.isChecked(),
            mask_ids=self.mask_check.isChecked(),
            record_submission=self.record_check.isChecked(),
        )
        exporter = self._exporter or _default_exporter()
        book = self.book

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return exporter(book, request, target, progress=progress, cancelled=cancelled)

        self.export_label.setText("")
        worker = self.start_job(job, f"正在导出到 {target.name}…")
        worker.finished.connect(self._export_finished)
        worker.failed.connect(self._export_failed)
        worker.cancelled.connect(self._export_cancelled)
        worker.start()
        return worker

    def _export_finished(self, result: Any) -> None:
        self.export_result = result
        self.last_export = Path(result.path)
        parts = [f"{get_ledger(k).nav_title} {n} 条" for k, n in result.rows.items()]
        total = sum(result.rows.values())
        folder = self.last_export.parent.as_uri()
        text = (
            f"已导出 {total} 条（{'，'.join(parts)}）到 {html.escape(self.last_export.name)}。"
            f' <a href="{folder}">打开所在文件夹</a>'
        )
        if total == 0:
            text = f"没有符合条件的记录，已导出空表 {html.escape(self.last_export.name)}。"
        set_label(self.export_label, text, OK_COLOR)
        self.refresh_submissions()
        self.submissions_changed.emit()

    def _export_failed(self, message: str) -> None:
        set_label(self.export_label, f"导出未完成：{html.escape(message)}", ERROR_COLOR)
        QMessageBox.warning(self, "导出失败", message)

    def _export_cancelled(self) -> None:
        set_label(self.export_label, "已取消导出，没有生成文件。", WARNING_COLOR)

    # --- import tab -------------------------------------------------------------------

    def _build_import(self) -> QWidget:
        tab = ImportTab(self.book, self, self._importer, self)
        tab.records_changed.connect(self.records_changed)
        self.import_tab = tab
        self.import_ledger_combo = tab.import_ledger_combo
        self.file_edit = tab.file_edit
        self.browse_button = tab.browse_button
        self.duplicate_combo = tab.duplicate_combo
        self.dry_run_check = tab.dry_run_check
        self.import_button = tab.import_button
        self.import_label = tab.import_label
        self.report_button = tab.report_button
        self.issue_model = tab.issue_model
        self.issue_table = tab.issue_table
        return tab

    @property
    def import_result(self) -> Any:
        return self.import_tab.result

    def choose_import_file(self) -> Path | None:
        return self.import_tab.choose_import_file()

    def start_import(self) -> Worker | None:
        """Import the chosen file on a worker (asks for the file when none is given)."""
        return self.import_tab.start_import()

    def save_report(self) -> Worker | None:
        """Save the last import's report workbook where the clerk chooses."""
        return self.import_tab.save_report()

    # --- submissions tab --------------------------------------------------------------

    def _build_submissions(self) -> QWidget:
        self.submissions = SubmissionsTab(self.book, self)
        self.submission_filter = self.submissions.ledger_filter
        self.submission_table = self.submissions.table
        return self.submissions

    def refresh_submissions(self, *_args: object) -> None:
        if not self.available:
            return
        lasts = self.submissions.refresh()
        if lasts is not None:
            self.last_submission_label.setText(lasts)

    # --- shared -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """From the moment a job is set up until it has ended and reported."""
        return self.worker is not None

    def start_job(
        self,
        job: Callable[[Callable[[int, int], None], Callable[[], bool]], Any],
        text: str,
        cancellable: bool = True,
    ) -> Worker:
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
        idle = self.available and not self.busy
        self.export_button.setEnabled(idle and bool(self.chosen_ledgers()))
        self.import_tab.update_buttons(idle)

    def show_export(self, ledger_key: str | None = None) -> None:
        """Open the export tab; with ``ledger_key`` only that ledger is ticked."""
        self.tabs.setCurrentIndex(0)
        if ledger_key is not None:
            for key, check in self.ledger_checks.items():
                check.setChecked(key == ledger_key)

    def show_import(self, ledger_key: str | None = None) -> None:
        self.tabs.setCurrentIndex(1)
        if ledger_key is not None:
            self.import_tab.choose_ledger(ledger_key)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_submissions()
