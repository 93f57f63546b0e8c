"""汇总报送: the county desk's page for taking in the townships' workbooks.

The clerk drops (or picks) a month's files; each is read and checked in the background
and shown as one line per ledger: township, ledger, rows, full/incremental, new /
replacement / already received, problems. One click takes in every acceptable file, each
all-or-nothing, again in the background with progress and a cancel button. The rules
are the service's (:mod:`hebi_desktop.county.collect`); this page only shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.county.collect import (
    STATUS_LABELS,
    Choices,
    FileCollection,
    Status,
    preview_file,
)
from hebi_desktop.county.collect_archive import collect_any, collect_archive, is_archive
from hebi_desktop.errors import Cancelled
from hebi_desktop.services.book import Book
from hebi_desktop.ui.dialogs.confirm import confirmed
from hebi_desktop.ui.screens.county_summary_panel import CountySummaryPanel
from hebi_desktop.ui.screens.job_page import OneJobPage
from hebi_desktop.ui.workers import Job, ProgressPanel, Worker

COLUMNS = ("文件", "填报单位", "台账", "乡镇", "方式", "条数", "状态", "问题")
MAX_COLUMN = 220  # pixels for every column but 问题
OK_COLOR, BAD_COLOR, SAME_COLOR = "#1b5e20", "#b71c1c", "#546e7a"


def _lines(result: FileCollection) -> list[tuple[list[str], str]]:
    """Table rows (cells, colour) for one file."""
    name = result.path.name
    if result.refused:
        return [([name, result.unit, "", "", "", "", "拒收", result.refused], BAD_COLOR)]
    rows = []
    for part in result.parts:
        problems = [i.text() for i in part.errors[:3]]
        if len(part.errors) > 3:
            problems.append(f"……共{len(part.errors)}个错误")
        problems += part.problems
        if result.waiting:
            problems = [*result.held, *result.edits, *result.shrinks, *problems]
        if part is result.parts[0] and (files := getattr(result, "attachment_text", "")):
            problems.append(files)  # a ZIP with attachments: what became of its files
        if part.warnings:
            problems.append(f"提醒{len(part.warnings)}条")
        status = STATUS_LABELS[part.status]
        if not result.dry_run and result.ok and part.status is not Status.RECEIVED:
            status += f"：新增{part.inserted}，更新{part.updated}，替换删除{part.removed}"
        color = (
            BAD_COLOR
            if not result.ok
            else SAME_COLOR
            if part.status is Status.RECEIVED
            else OK_COLOR
        )
        cells = [
            name,
            result.unit,
            part.ledger.nav_title,
            part.township_names,
            part.mode_label,
            str(part.rows_read),
            status,
            "；".join(problems),
        ]
        rows.append((cells, color))
    return rows


class CollectPage(OneJobPage):
    """See the module docstring. ``records_changed`` after files were taken in."""

    records_changed = Signal()

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.paths: list[Path] = []
        self.results: dict[Path, FileCollection] = {}
        self.setAcceptDrops(True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        outer.addWidget(self.tabs)
        receive = QWidget(self.tabs)
        self.tabs.addTab(receive, "接收文件")
        self.summary = CountySummaryPanel(book, self.tabs)
        self.tabs.addTab(self.summary, "按乡镇汇总")
        layout = QVBoxLayout(receive)
        intro = QLabel(
            "把各乡镇报送的工作簿拖到这里，或点“添加文件”。每个文件先检查并列出将要做的事；"
            "点“全部接收”后逐个文件接收，一个文件有错误行则整个文件不接收。"
            "全量报送替换该乡镇此前的同一台账记录（原记录保留在已删除中）；"
            "同一文件重复报送不会重复接收；外县区的文件拒收。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("添加文件…", self)
        self.clear_button = QPushButton("清空列表", self)
        self.collect_button = QPushButton("全部接收", self)
        self.collect_button.setDefault(True)
        for button in (self.add_button, self.clear_button, self.collect_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.table.verticalHeader().hide()
        # 问题 is read in full: wrapped in its row, and whole under the table for the row
        # chosen (no tooltip hunting).
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("collectDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail_label)
        self.table.currentCellChanged.connect(self._show_detail)
        self.summary_label = QLabel("还没有文件", self)
        layout.addWidget(self.summary_label)
        self.progress_panel = ProgressPanel(self)
        layout.addWidget(self.progress_panel)

        self.add_button.clicked.connect(self.choose_files)
        self.clear_button.clicked.connect(self.clear)
        self.collect_button.clicked.connect(self.start_collect)
        self.update_buttons()

    # --- files ----------------------------------------------------------------------

    def choose_files(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileNames(
            self,
            "选择乡镇报送的工作簿",
            "",
            "Excel 工作簿或带附件的压缩包 (*.xlsx *.zip);;所有文件 (*)",
        )
        self.add_files([Path(name) for name in chosen])

    def add_files(self, paths: list[Path]) -> Worker | None:
        """Add files to the list and preview the new ones in the background."""
        # A .csv is listed too, so the clerk sees why it cannot be collected (no stamp).
        wanted = (".xlsx", ".zip", ".csv")
        new = [p for p in paths if p.suffix.lower() in wanted and p not in self.paths]
        if not new or self.busy:
            return None
        from hebi_desktop.ui.dialogs.passwords import unlock_workbooks

        unlock_workbooks(new, self)  # a file left locked is refused with the reason
        self.paths.extend(new)
        book = self.book

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            found: list[FileCollection] = []
            for index, path in enumerate(new):
                progress(index, len(new))
                if cancelled():
                    raise Cancelled()
                if is_archive(path):  # a ZIP with attachments: checksums verified too
                    found.append(collect_archive(book, path, dry_run=True, cancelled=cancelled))
                else:
                    found.append(preview_file(book, path, cancelled=cancelled))
            return found

        return self._start(job, "正在检查文件…", self._previewed)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        self.add_files(paths)
        event.acceptProposedAction()

    def clear(self) -> None:
        if self.busy:
            return
        self.paths, self.results = [], {}
        self._show()

    # --- collecting -----------------------------------------------------------------

    def start_collect(self) -> Worker | None:
        if self.busy or not self.paths:
            return None
        paths = list(self.paths)
        book = self.book
        choices = self._confirm_held()

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return collect_any(book, paths, progress=progress, cancelled=cancelled, choices=choices)

        return self._start(job, "正在接收…", self._collected)

    def _confirm_held(self) -> Choices:
        """Ask before taking in files that were edited after export or shrink a township;
        without a yes they stay held (the service refuses them by default)."""
        held = [r for p in self.paths if (r := self.results.get(p)) is not None and r.waiting]
        if not held:
            return Choices()
        details = "\n\n".join(
            "\n".join([f"【{r.path.name}】{r.unit}", *r.edits, *r.shrinks]) for r in held
        )
        if not confirmed(
            self,
            "汇总报送",
            f"有{len(held)}个文件需要确认后才能接收：\n\n{details}\n\n"
            "确认这些文件无误、仍要接收吗？选“否”则只接收其他文件。",
        ):
            return Choices()
        edited = any(r.edits for r in held)
        return Choices(accept_edited=edited, allow_shrink=any(r.shrinks for r in held))

    def _previewed(self, found: object) -> None:
        assert isinstance(found, list)
        for result in found:
            self.results[result.path] = result
        self._show()

    def _collected(self, found: object) -> None:
        assert isinstance(found, list)
        for result in found:
            self.results[result.path] = result
        self._show()
        if any(r.ok and not r.dry_run for r in found):
            self.records_changed.emit()

    # --- shared -----------------------------------------------------------------------

    def _start(self, job: Job, text: str, finished: Callable[[object], None]) -> Worker:
        """Run ``job`` now; ``finished`` gets its result, a failure is told in a box."""
        worker = self.start_job(job, text)
        worker.finished.connect(finished)
        worker.failed.connect(self._failed)
        worker.start()
        return worker

    def _failed(self, message: str) -> None:
        QMessageBox.warning(self, "汇总报送", message)

    def update_buttons(self, *_args: object) -> None:
        idle = not self.busy
        self.add_button.setEnabled(idle)
        self.clear_button.setEnabled(idle and bool(self.paths))
        acceptable = any(
            ((r.ok and r.dry_run) or r.waiting)  # a held file waits for a confirmed retry
            and any(p.status is not Status.RECEIVED for p in r.parts)
            for r in self.results.values()
        )
        self.collect_button.setEnabled(idle and acceptable)

    def _show(self) -> None:
        lines = [
            line
            for path in self.paths
            if (result := self.results.get(path)) is not None
            for line in _lines(result)
        ]
        self.table.setRowCount(len(lines))
        for row, (cells, color) in enumerate(lines):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == COLUMNS.index("状态"):
                    item.setForeground(Qt.GlobalColor.black)
                    item.setData(Qt.ItemDataRole.ForegroundRole, _brush(color))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        for column in range(len(COLUMNS) - 1):  # long file names leave room for 问题
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), MAX_COLUMN))
        self._show_detail(self.table.currentRow())
        results = [self.results[p] for p in self.paths if p in self.results]
        bad = sum(1 for r in results if not r.ok and not r.waiting)
        waiting = sum(1 for r in results if r.dry_run and r.ok)
        held = sum(1 for r in results if r.waiting)
        self.summary_label.setText(
            f"共 {len(self.paths)} 个文件：待接收 {waiting} 个，"
            + (f"需确认 {held} 个，" if held else "")
            + f"有问题 {bad} 个"
            if self.paths
            else "还没有文件"
        )
        self.update_buttons()

    def _show_detail(self, row: int, *_args: object) -> None:
        """The chosen row's file and its 问题 in full, under the table."""
        problem = self.table.item(row, len(COLUMNS) - 1) if row >= 0 else None
        name = self.table.item(row, 0) if row >= 0 else None
        if problem is None or not problem.text():
            self.detail_label.setText("")
            return
        self.detail_label.setText(f"{name.text() if name else ''}：{problem.text()}")


def _brush(color: str) -> Any:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(color))
