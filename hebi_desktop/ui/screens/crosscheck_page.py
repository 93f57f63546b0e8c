"""核查: the cross-township checks, each finding with links to its records.

The checks run in the background (grouped queries over every live record); each finding
is a line with its records below it, and a double-click on a record opens it in its
ledger page. The findings can be saved as a workbook for the townships to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.county.crosscheck import Finding, RecordRef, cross_check, write_findings
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.report_saving import ask_workbook_target, write_report
from hebi_desktop.ui.screens.job_page import OneJobPage
from hebi_desktop.ui.screens.roster_check_panel import RosterCheckPanel
from hebi_desktop.ui.screens.verify_stats_panel import VerifyStatsPanel
from hebi_desktop.ui.widgets.scrolling import scrolling
from hebi_desktop.ui.workers import ProgressPanel, Worker

REF_ROLE = Qt.ItemDataRole.UserRole
FULL_IDS_LABEL = "导出时显示完整身份证号"


class CrossCheckPage(OneJobPage):
    """See the module docstring. ``open_query(ledger, query, title)`` opens records."""

    open_query = Signal(str, object, str)

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.findings: list[Finding] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        body = QWidget(self)
        # Three panels: on a small or scaled screen they scroll inside the page.
        outer.addWidget(scrolling(body, self))
        layout = QVBoxLayout(body)
        intro = QLabel(
            "跨乡镇核查：同一户出现在两个乡镇的住房安全台账、同一学生同一资助项目同一学期"
            "重复发放、同一身份证号姓名不一致，以及村名不在本乡镇村名单中（可能是笔误，"
            "仅作提示）。双击记录可打开查看。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("开始核查", self)
        self.save_button = QPushButton("导出核查结果…", self)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.save_button)
        self.full_ids_check = QCheckBox(FULL_IDS_LABEL, self)
        self.full_ids_check.setToolTip(
            "默认只有“同一户、重复发放、姓名不一致”这些须核对号码的结果显示完整身份证号，"
            "村名提示旁的号码隐去中间位数"
        )
        buttons.addWidget(self.full_ids_check)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["类别 / 记录", "说明"])
        self.tree.setColumnWidth(0, 320)
        layout.addWidget(self.tree, 1)
        self.summary_label = QLabel("尚未核查", self)
        layout.addWidget(self.summary_label)
        self.progress_panel = ProgressPanel(self)
        layout.addWidget(self.progress_panel)
        self.roster_panel = RosterCheckPanel(book, self)
        self.roster_panel.open_query.connect(self.open_query)
        layout.addWidget(self.roster_panel, 2)
        self.verify_stats = VerifyStatsPanel(book, self)
        layout.addWidget(self.verify_stats)
        self.run_button.clicked.connect(self.start_check)
        self.save_button.clicked.connect(self.choose_target)
        self.tree.itemDoubleClicked.connect(self._open)
        self.save_button.setEnabled(False)

    def showEvent(self, event: QShowEvent) -> None:
        """Rosters and keyer figures change elsewhere (imports, verifications): show them
        as they are now whenever the page comes up."""
        super().showEvent(event)
        self.roster_panel.show_rosters()
        self.verify_stats.refresh()

    def start_check(self) -> Worker | None:
        if self.worker is not None:
            return None
        book = self.book

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Any:
            return cross_check(book)

        worker = self.start_job(job, "正在核查…", cancellable=False)
        worker.finished.connect(self._show)
        worker.failed.connect(lambda message: QMessageBox.warning(self, "核查", message))
        worker.start()
        return worker

    def update_buttons(self, *_args: object) -> None:
        self.run_button.setEnabled(not self.busy)

    def _show(self, findings: object) -> None:
        assert isinstance(findings, list)
        self.findings = findings
        self.tree.clear()
        for finding in findings:
            top = QTreeWidgetItem([finding.label, finding.message])
            top.setToolTip(1, finding.message)
            for ref in finding.records:
                child = QTreeWidgetItem(
                    [
                        f"{get_ledger(ref.ledger).nav_title} 记录编号{ref.record_id}",
                        f"{ref.township_name} {ref.village} {ref.name}",
                    ]
                )
                child.setData(0, REF_ROLE, ref)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
        self.tree.expandAll()
        hints = sum(1 for f in findings if f.hint)
        self.summary_label.setText(
            f"发现 {len(findings) - hints} 项需核实的问题，{hints} 项村名提示"
            if findings
            else "核查通过：没有发现重复或不一致"
        )
        self.save_button.setEnabled(bool(findings))

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        ref = item.data(0, REF_ROLE)
        if isinstance(ref, RecordRef):
            self.open_query.emit(
                ref.ledger, RecordQuery(ids=[ref.record_id]), f"核查：记录编号{ref.record_id}"
            )

    def choose_target(self) -> None:
        target = ask_workbook_target(self, "导出核查结果", "跨乡镇核查结果.xlsx")
        if target is not None:
            self.save(target)

    def save(self, target: Path) -> Path | None:
        from hebi_desktop.exchange.files import database_files

        return write_report(
            self,
            self.summary_label,
            lambda: write_findings(
                target,
                self.findings,
                database_files(self.book.sqlite_file),
                full_ids=self.full_ids_check.isChecked(),
            ),
        )
