"""导入表格: the import tab of the 导入导出 page.

The clerk picks a ledger and a spreadsheet; the import runs on the page's worker (one job
at a time for the whole page) and lists every bad cell (row, column, value, message); the
report workbook the service writes can be saved where the clerk chooses.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.fields import LEVEL_LABELS, Level
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.ui.icons import icon
from hebi_desktop.ui.report_saving import WORKBOOK_FILTER
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR, WARNING_COLOR
from hebi_desktop.ui.widgets.flow_layout import flow_row
from hebi_desktop.ui.workers import Worker

LAST_IMPORT_DIR = "last_import_dir"
LAST_REPORT_DIR = "last_report_dir"
IMPORT_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"
DUPLICATE_CHOICES = (
    ("error", "报错，不导入"),
    ("skip", "跳过已有的记录"),
    ("update", "用表格内容更新已有的记录"),
)
OK_COLOR = "#2e7d32"

Importer = Callable[..., Any]  # import_workbook(book, ledger, source, *, ..., progress, cancelled)
Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


def default_importer() -> Importer:
    from hebi_desktop.exchange.importer import import_workbook

    return import_workbook


def with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def set_label(label: QLabel, text: str, color: str) -> None:
    label.setText(text)
    label.setStyleSheet(f"color: {color};")


class JobHost(Protocol):
    """What a tab needs from its page: the one worker, the remembered folders."""

    @property
    def busy(self) -> bool: ...

    def start_job(self, job: Job, text: str, cancellable: bool = True) -> Worker: ...

    def update_buttons(self) -> None: ...

    def folder(self, key: str) -> Path: ...

    def remember(self, key: str, path: Path) -> None: ...


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


class ImportTab(QWidget):
    """The import form, its result line and the table of problems.

    ``records_changed`` after an import wrote records.
    """

    records_changed = Signal()

    def __init__(
        self, book: Book, host: JobHost, importer: Importer | None, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.book = book
        self._host = host
        self._importer = importer
        self.result: Any = None
        self._build()

    def update_buttons(self, idle: bool) -> None:
        self.import_button.setEnabled(idle)
        self.browse_button.setEnabled(idle)
        result = self.result
        self.report_button.setEnabled(
            idle and result is not None and bool(result.errors or result.warnings)
        )

    def choose_ledger(self, ledger_key: str) -> None:
        index = self.import_ledger_combo.findData(ledger_key)
        if index >= 0:
            self.import_ledger_combo.setCurrentIndex(index)

    def _build(self) -> None:
        tab = self
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
        self.file_edit.textChanged.connect(self._host.update_buttons)
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

        self.import_button = QPushButton(icon("import"), "开始导入", tab)
        self.import_button.setToolTip("全部正确才写入；有任何错误则一条也不写入")
        self.import_button.clicked.connect(self.start_import)
        self.import_label = QLabel(tab)
        self.import_label.setWordWrap(True)
        self.import_label.setTextFormat(Qt.TextFormat.RichText)
        self.import_label.setOpenExternalLinks(True)
        self.report_button = QPushButton("保存错误报告…", tab)
        self.report_button.setToolTip("把所有问题和标出错误单元格的原表保存为 Excel 工作簿")
        self.report_button.clicked.connect(self.save_report)
        self.full_ids_check = QCheckBox("报告中显示完整身份证号和电话", tab)
        self.full_ids_check.setToolTip(
            "默认隐去没有出错的身份证号、电话的中间位数（报告常转给村里）；"
            "要在报告的原表中改好后重新导入时请勾选"
        )
        # The buttons wrap on a narrow screen; the outcome gets a whole line under them
        # (squeezed between buttons it was a column one word wide).
        layout.addWidget(flow_row(tab, self.import_button, self.report_button, self.full_ids_check))
        layout.addWidget(self.import_label)

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

    def choose_import_file(self) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "选择要导入的表格", str(self._host.folder(LAST_IMPORT_DIR)), IMPORT_FILTER
        )
        if not chosen:
            return None
        path = Path(chosen)
        self._host.remember(LAST_IMPORT_DIR, path)
        self.file_edit.setText(str(path))
        return path

    def start_import(self) -> Worker | None:
        """Import the chosen file on a worker (asks for the file when none is given)."""
        if self._host.busy:
            return None
        text = self.file_edit.text().strip()
        source = Path(text) if text else self.choose_import_file()
        if source is None:
            return None
        if not source.is_file():
            QMessageBox.warning(self, "导入", f"找不到文件“{source}”。")
            return None
        from hebi_desktop.ui.dialogs.passwords import unlock_workbooks

        if not unlock_workbooks([source], self):
            return None
        ledger = self.import_ledger_combo.currentData()
        on_duplicate = self.duplicate_combo.currentData()
        dry_run = self.dry_run_check.isChecked()
        importer = self._importer or default_importer()
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

        self.result = None
        self.issue_model.set_issues([])
        self.import_label.setText("")
        worker = self._host.start_job(job, f"正在读取 {source.name}…")
        worker.finished.connect(self._import_finished)
        worker.failed.connect(self._import_failed)
        worker.cancelled.connect(self._import_cancelled)
        worker.start()
        return worker

    def _import_finished(self, result: Any) -> None:
        self.result = result
        self.issue_model.set_issues([*result.errors, *result.warnings, *result.village_hints])
        title = get_ledger(result.ledger).title
        if result.errors:
            text = (
                f"“{Path(result.file).name}”（工作表“{result.sheet}”）读取 {result.rows_read} 行，"
                f"发现 {result.error_count} 处错误，没有导入任何记录。"
                "请按下表改正后重新导入，或保存错误报告。"
            )
            if result.errors_omitted:
                text += f"（下表列出前 {len(result.errors)} 处；{result.omitted_text()}）"
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
        if result.village_hints:
            examples = "；".join(issue.text() for issue in result.village_hints)
            text += f" 村名提醒：{result.village_hint_text()}，例如 {examples}。"
        if result.ignored_columns:
            text += f" 未识别的列已忽略：{'、'.join(result.ignored_columns)}。"
        set_label(self.import_label, html.escape(text), color)
        self._host.update_buttons()
        if not result.dry_run and (result.inserted or result.updated):
            self.records_changed.emit()

    def _import_failed(self, message: str) -> None:
        set_label(self.import_label, f"导入未完成：{html.escape(message)}", ERROR_COLOR)
        QMessageBox.warning(self, "导入失败", message)

    def _import_cancelled(self) -> None:
        set_label(self.import_label, "已取消导入，没有写入任何记录。", WARNING_COLOR)

    def save_report(self) -> Worker | None:
        """Save the last import's report workbook where the clerk chooses."""
        result = self.result
        if result is None or self._host.busy:
            return None
        source = Path(result.file)
        remembered = self.book.settings.get(LAST_REPORT_DIR)
        folder = Path(remembered) if remembered and Path(remembered).is_dir() else source.parent
        suggested = folder / f"{source.stem}-导入检查报告.xlsx"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "保存错误报告", str(suggested), WORKBOOK_FILTER
        )
        if not chosen:
            return None
        target = with_suffix(Path(chosen), ".xlsx")
        self._host.remember(LAST_REPORT_DIR, target)
        full_ids = self.full_ids_check.isChecked()

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Path:
            return Path(result.write_report(target, full_ids=full_ids))

        worker = self._host.start_job(job, "正在保存错误报告…", cancellable=False)
        worker.finished.connect(self._report_saved)
        worker.failed.connect(self._report_failed)
        worker.start()
        return worker

    def _report_saved(self, path: Path) -> None:
        path = Path(path)
        set_label(
            self.import_label,
            f"错误报告已保存：{html.escape(path.name)}"
            f'（<a href="{path.parent.as_uri()}">打开所在文件夹</a>）',
            OK_COLOR,
        )

    def _report_failed(self, message: str) -> None:
        QMessageBox.warning(self, "保存失败", message)
