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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import LEVEL_LABELS, Field, Kind, Level
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.field_widgets import ERROR_COLOR, WARNING_COLOR, DateEditor, LineEditor
from hebi_desktop.ui.icons import icon
from hebi_desktop.ui.workers import ProgressPanel, Worker

if TYPE_CHECKING:
    from hebi_desktop.ui.print_preview import FormPreview

log = logging.getLogger(__name__)

LAST_EXPORT_DIR = "last_export_dir"
LAST_IMPORT_DIR = "last_import_dir"
LAST_REPORT_DIR = "last_report_dir"
EXCEL_FILTER = "Excel 工作簿 (*.xlsx)"
IMPORT_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods);;所有文件 (*)"
DUPLICATE_CHOICES = (
    ("error", "报错，不导入"),
    ("skip", "跳过已有的记录"),
    ("update", "用表格内容更新已有的记录"),
)
ALL = "全部"
OK_COLOR = "#2e7d32"

Exporter = Callable[..., Any]  # export_workbook(book, request, target, *, progress, cancelled)
Importer = Callable[..., Any]  # import_workbook(book, ledger, source, *, ..., progress, cancelled)


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


def _default_importer() -> Importer:
    from hebi_desktop.exchange.importer import import_workbook

    return import_workbook


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class IssueModel(QAbstractTableModel):
    """The import's problems as a table: 类别, 行, 列, 值, 问题 (cheap for 100,000 rows)."""

    HEADERS = ("类别", "行", "列", "值", "问题")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.issues: list[Any] = []

    def set_issues(self, issues: Sequence[Any]) -> None:
        self.beginResetModel()
        self.issues = list(issues)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.issues)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        issue = self.issues[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                LEVEL_LABELS.get(issue.level, str(issue.level)),
                str(issue.row) if issue.row else "",
                issue.column or "（整行）",
                issue.value,
                issue.message,
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole and column in (0, 4):
            color = ERROR_COLOR if issue.level is Level.ERROR else WARNING_COLOR
            return QBrush(QColor(color))
        return None

    def row_texts(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (for tests and copying)."""
        return [
            tuple(self.data(self.index(r, c)) for c in range(len(self.HEADERS)))
            for r in range(self.rowCount())
        ]


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
        self.import_result: Any = None
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
        self._update_buttons()

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
            check.toggled.connect(self._update_buttons)
            row.addWidget(check)
            self.ledger_checks[ledger.key] = check
        row.addStretch(1)
        layout.addWidget(which)

        filters = QGroupBox("范围", tab)
        form = QFormLayout(filters)
        place = QHBoxLayout()
        self.county_combo = QComboBox(filters)
        self.county_combo.addItem(f"县区：{ALL}", None)
        for county in divisions().counties:
            self.county_combo.addItem(county.name, county.code)
        self.township_combo = QComboBox(filters)
        self.village_editor = LineEditor(Field("village", "行政村", Kind.TEXT, max_length=40), tab)
        self.village_edit: QLineEdit = self.village_editor.input
        self.village_edit.setPlaceholderText("行政村（全部）")
        self.village_edit.setClearButtonEnabled(True)
        place.addWidget(self.county_combo)
        place.addWidget(self.township_combo)
        place.addWidget(self.village_editor, 1)
        form.addRow("地区：", place)
        self._fill_townships()
        self.county_combo.currentIndexChanged.connect(self._fill_townships)
        self.township_combo.currentIndexChanged.connect(self._township_changed)

        dates = QHBoxLayout()
        self.date_from_editor = DateEditor(Field("date_from", "起始日期", Kind.DATE), tab)
        self.date_to_editor = DateEditor(Field("date_to", "截止日期", Kind.DATE), tab)
        self.date_from_editor.input.setPlaceholderText("起（不限）")
        self.date_to_editor.input.setPlaceholderText("止（不限）")
        dates.addWidget(self.date_from_editor)
        dates.addWidget(QLabel("至", tab))
        dates.addWidget(self.date_to_editor)
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

    def _fill_townships(self, *_args: object) -> None:
        county = self.county_combo.currentData()
        table = divisions()
        combo = self.township_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(f"乡镇：{ALL}", None)
            for township in table.townships:
                if county and township.parent_code != county:
                    continue
                label = (
                    township.name
                    if county
                    else f"{township.name}（{table.name(township.parent_code)}）"
                )
                combo.addItem(label, township.code)
        finally:
            combo.blockSignals(False)
        self._township_changed()

    def _township_changed(self, *_args: object) -> None:
        township = self.township_combo.currentData()
        try:
            names = self.book.villages.names(township) if township else []
        except SQLAlchemyError:
            log.exception("could not read village names")
            names = []
        self.village_editor.set_completions(names)

    def chosen_ledgers(self) -> tuple[str, ...]:
        return tuple(key for key, check in self.ledger_checks.items() if check.isChecked())

    def export_query(self) -> RecordQuery | None:
        """The filters as a query; None (with a message) when a date does not read."""
        dates: list[dt.date | None] = []
        for editor in (self.date_from_editor, self.date_to_editor):
            day = editor.date()
            if editor.value() is not None and day is None:
                editor.set_message("日期格式应如2024-05-09", Level.ERROR)
                return None
            editor.set_message("")
            dates.append(day)
        date_from, date_to = dates
        if date_from and date_to and date_from > date_to:
            self.date_to_editor.set_message("截止日期不能早于起始日期", Level.ERROR)
            return None
        return RecordQuery(
            county_code=self.county_combo.currentData(),
            township_code=self.township_combo.currentData(),
            village=self.village_edit.text().strip() or None,
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

    def _folder(self, key: str) -> Path:
        remembered = self.book.settings.get(key)
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def _remember(self, key: str, path: Path) -> None:
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
        suggested = self._folder(LAST_EXPORT_DIR) / self._default_export_name(keys, query)
        chosen, _filter = QFileDialog.getSaveFileName(self, "导出到", str(suggested), EXCEL_FILTER)
        if not chosen:
            return None
        target = _with_suffix(Path(chosen), ".xlsx")
        self._remember(LAST_EXPORT_DIR, target)
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
        worker = self._start(job, f"正在导出到 {target.name}…")
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
        self._set_label(self.export_label, text, OK_COLOR)
        self.refresh_submissions()
        self.submissions_changed.emit()

    def _export_failed(self, message: str) -> None:
        self._set_label(self.export_label, f"导出未完成：{html.escape(message)}", ERROR_COLOR)
        QMessageBox.warning(self, "导出失败", message)

    def _export_cancelled(self) -> None:
        self._set_label(self.export_label, "已取消导出，没有生成文件。", WARNING_COLOR)

    # --- import tab -------------------------------------------------------------------

    def _build_import(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        box = QGroupBox("导入设置", tab)
        form = QFormLayout(box)
        self.import_ledger_combo = QComboBox(box)
        for ledger in all_ledgers():
            self.import_ledger_combo.addItem(ledger.title, ledger.key)
        form.addRow("导入到：", self.import_ledger_combo)
        file_row = QHBoxLayout()
        self.file_edit = QLineEdit(box)
        self.file_edit.setPlaceholderText("选择要导入的 Excel 表格")
        self.file_edit.textChanged.connect(self._update_buttons)
        self.browse_button = QPushButton("选择文件…", box)
        self.browse_button.clicked.connect(self.choose_import_file)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        form.addRow("文件：", file_row)
        self.duplicate_combo = QComboBox(box)
        for value, label in DUPLICATE_CHOICES:
            self.duplicate_combo.addItem(label, value)
        self.duplicate_combo.setToolTip(
            "表格中的记录在台账里已经有了（同一户同一天排查等）时怎么办"
        )
        form.addRow("重复记录：", self.duplicate_combo)
        self.dry_run_check = QCheckBox("只检查，不写入（先看看有没有错误）", box)
        form.addRow("", self.dry_run_check)
        layout.addWidget(box)

        buttons = QHBoxLayout()
        self.import_button = QPushButton(icon("import"), "开始导入", tab)
        self.import_button.setToolTip("全部正确才写入；有任何错误则一条也不写入")
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(self.import_button)
        self.import_label = QLabel(tab)
        self.import_label.setWordWrap(True)
        self.import_label.setTextFormat(Qt.TextFormat.RichText)
        self.import_label.setOpenExternalLinks(True)
        buttons.addWidget(self.import_label, 1)
        self.report_button = QPushButton("保存错误报告…", tab)
        self.report_button.setToolTip("把所有问题和标出错误单元格的原表保存为 Excel 工作簿")
        self.report_button.clicked.connect(self.save_report)
        buttons.addWidget(self.report_button)
        layout.addLayout(buttons)

        self.issue_model = IssueModel(self)
        self.issue_table = QTableView(tab)
        self.issue_table.setModel(self.issue_model)
        self.issue_table.setAlternatingRowColors(True)
        self.issue_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issue_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.issue_table.setWordWrap(False)
        self.issue_table.verticalHeader().hide()
        header = self.issue_table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((50, 60, 120, 180)):
            self.issue_table.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.issue_table, 1)
        return tab

    def choose_import_file(self) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "选择要导入的表格", str(self._folder(LAST_IMPORT_DIR)), IMPORT_FILTER
        )
        if not chosen:
            return None
        path = Path(chosen)
        self._remember(LAST_IMPORT_DIR, path)
        self.file_edit.setText(str(path))
        return path

    def start_import(self) -> Worker | None:
        """Import the chosen file on a worker (asks for the file when none is given)."""
        if self.busy:
            return None
        text = self.file_edit.text().strip()
        source = Path(text) if text else self.choose_import_file()
        if source is None:
            return None
        if not source.is_file():
            QMessageBox.warning(self, "导入", f"找不到文件“{source}”。")
            return None
        ledger = self.import_ledger_combo.currentData()
        on_duplicate = self.duplicate_combo.currentData()
        dry_run = self.dry_run_check.isChecked()
        importer = self._importer or _default_importer()
        book = self.book

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return importer(
                book,
                ledger,
                source,
                dry_run=dry_run,
                on_duplicate=on_duplicate,
                progress=progress,
                cancelled=cancelled,
            )

        self.import_result = None
        self.issue_model.set_issues([])
        self.import_label.setText("")
        worker = self._start(job, f"正在读取 {source.name}…")
        worker.finished.connect(self._import_finished)
        worker.failed.connect(self._import_failed)
        worker.cancelled.connect(self._import_cancelled)
        worker.start()
        return worker

    def _import_finished(self, result: Any) -> None:
        self.import_result = result
        self.issue_model.set_issues([*result.errors, *result.warnings])
        title = get_ledger(result.ledger).title
        if result.errors:
            text = (
                f"“{Path(result.file).name}”（工作表“{result.sheet}”）读取 {result.rows_read} 行，"
                f"发现 {len(result.errors)} 处错误，没有导入任何记录。"
                "请按下表改正后重新导入，或保存错误报告。"
            )
            color = ERROR_COLOR
        elif result.dry_run:
            text = (
                f"检查完毕：读取 {result.rows_read} 行，没有错误；正式导入将新增 {result.inserted}"
                f" 条、更新 {result.updated} 条、跳过 {result.skipped} 条。"
            )
            color = OK_COLOR
        else:
            text = (
                f"已导入{title}：新增 {result.inserted} 条，更新 {result.updated} 条，"
                f"跳过 {result.skipped} 条。"
            )
            color = OK_COLOR
        if result.warnings:
            text += f" 另有 {len(result.warnings)} 条提醒（已导入的记录标记为待核实）。"
        if result.ignored_columns:
            text += f" 未识别的列已忽略：{'、'.join(result.ignored_columns)}。"
        self._set_label(self.import_label, html.escape(text), color)
        self._update_buttons()
        if not result.dry_run and (result.inserted or result.updated):
            self.records_changed.emit()

    def _import_failed(self, message: str) -> None:
        self._set_label(self.import_label, f"导入未完成：{html.escape(message)}", ERROR_COLOR)
        QMessageBox.warning(self, "导入失败", message)

    def _import_cancelled(self) -> None:
        self._set_label(self.import_label, "已取消导入，没有写入任何记录。", WARNING_COLOR)

    def save_report(self) -> Worker | None:
        """Save the last import's report workbook where the clerk chooses."""
        result = self.import_result
        if result is None or self.busy:
            return None
        source = Path(result.file)
        remembered = self.book.settings.get(LAST_REPORT_DIR)
        folder = Path(remembered) if remembered and Path(remembered).is_dir() else source.parent
        suggested = folder / f"{source.stem}-导入检查报告.xlsx"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "保存错误报告", str(suggested), EXCEL_FILTER
        )
        if not chosen:
            return None
        target = _with_suffix(Path(chosen), ".xlsx")
        self._remember(LAST_REPORT_DIR, target)

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Path:
            return Path(result.write_report(target))

        worker = self._start(job, "正在保存错误报告…", cancellable=False)
        worker.finished.connect(self._report_saved)
        worker.failed.connect(self._report_failed)
        worker.start()
        return worker

    def _report_saved(self, path: Path) -> None:
        path = Path(path)
        self._set_label(
            self.import_label,
            f"错误报告已保存：{html.escape(path.name)}"
            f'（<a href="{path.parent.as_uri()}">打开所在文件夹</a>）',
            OK_COLOR,
        )

    def _report_failed(self, message: str) -> None:
        QMessageBox.warning(self, "保存失败", message)

    # --- submissions tab --------------------------------------------------------------

    def _build_submissions(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        top = QHBoxLayout()
        self.submission_filter = QComboBox(tab)
        self.submission_filter.addItem("全部台账", None)
        for ledger in all_ledgers():
            self.submission_filter.addItem(ledger.title, ledger.key)
        self.submission_filter.currentIndexChanged.connect(self.refresh_submissions)
        top.addWidget(self.submission_filter)
        top.addStretch(1)
        refresh = QPushButton("刷新", tab)
        refresh.clicked.connect(self.refresh_submissions)
        top.addWidget(refresh)
        layout.addLayout(top)
        self.submission_table = QTableWidget(0, 7, tab)
        self.submission_table.setHorizontalHeaderLabels(
            ["报送时间", "台账", "条数", "范围", "填报人", "文件", "SHA-256"]
        )
        self.submission_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.submission_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.submission_table.setAlternatingRowColors(True)
        self.submission_table.verticalHeader().hide()
        self.submission_table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((140, 170, 60, 220, 70, 240)):
            self.submission_table.setColumnWidth(column, width)
        layout.addWidget(self.submission_table, 1)
        note = QLabel(
            "每次导出报送都会记下时间、条数和文件的 SHA-256 校验值，"
            "便于与县局核对收到的是哪一份文件；增量报送从该台账最近一次报送时开始。",
            tab,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #546e7a;")
        layout.addWidget(note)
        return tab

    def refresh_submissions(self, *_args: object) -> None:
        if not self.available:
            return
        from hebi_desktop.exchange.submissions import last_submission, list_submissions

        try:
            rows = list_submissions(self.book, self.submission_filter.currentData())
            lasts = {lg.key: last_submission(self.book, lg.key) for lg in all_ledgers()}
        except SQLAlchemyError:
            log.exception("could not read submissions")
            return
        table = self.submission_table
        table.setRowCount(len(rows))
        for row, info in enumerate(rows):
            cells = (
                f"{info.at:%Y-%m-%d %H:%M}",
                self._ledger_title(info.ledger),
                str(info.row_count),
                info.filters_text(),
                info.operator,
                Path(info.file_name).name,
                info.sha256,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 5:
                    item.setToolTip(info.file_name)
                elif column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, column, item)
        parts = []
        for ledger in all_ledgers():
            last = lasts.get(ledger.key)
            when = f"{last.at:%Y-%m-%d %H:%M}" if last else "尚未报送（增量即全部）"
            parts.append(f"{ledger.nav_title} {when}")
        self.last_submission_label.setText("上次报送：" + "；".join(parts))

    @staticmethod
    def _ledger_title(key: str) -> str:
        try:
            return get_ledger(key).title
        except KeyError:
            return key

    # --- shared -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """From the moment a job is set up until it has ended and reported."""
        return self.worker is not None

    def _start(
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
        self._update_buttons()
        return worker

    def _work_done(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self._update_buttons()

    def cancel_work(self, wait: bool = True) -> None:
        """Stop what runs (at exit); with ``wait``, until the service has undone it."""
        worker = self.worker
        if worker is not None and worker.running:
            worker.cancel()
            if wait:
                worker.wait()

    def _update_buttons(self, *_args: object) -> None:
        idle = self.available and not self.busy
        self.export_button.setEnabled(idle and bool(self.chosen_ledgers()))
        self.import_button.setEnabled(idle)
        self.browse_button.setEnabled(idle)
        result = self.import_result
        self.report_button.setEnabled(
            idle and result is not None and bool(result.errors or result.warnings)
        )

    @staticmethod
    def _set_label(label: QLabel, text: str, color: str) -> None:
        label.setText(text)
        label.setStyleSheet(f"color: {color};")

    def show_export(self, ledger_key: str | None = None) -> None:
        """Open the export tab; with ``ledger_key`` only that ledger is ticked."""
        self.tabs.setCurrentIndex(0)
        if ledger_key is not None:
            for key, check in self.ledger_checks.items():
                check.setChecked(key == ledger_key)

    def show_import(self, ledger_key: str | None = None) -> None:
        self.tabs.setCurrentIndex(1)
        if ledger_key is not None:
            index = self.import_ledger_combo.findData(ledger_key)
            if index >= 0:
                self.import_ledger_combo.setCurrentIndex(index)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_submissions()
