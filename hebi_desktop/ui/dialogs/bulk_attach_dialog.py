"""批量附加: point at a folder of village photos, review the proposed matches, attach.

Reading the folder and attaching run off the GUI thread with progress and cancel. The
clerk sees what matched (file → household, kind), what could not be matched and what
matched several households; 全部附加 attaches every matched file or, on any failure or
cancel, none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.bulk_attach import Proposal, attach_proposal, propose
from hebi_desktop.ui import geometry
from hebi_desktop.ui.workers import IsCancelled, Job, Progress, ProgressPanel, Worker

MATCH_COLUMNS = ("文件", "记录编号", "行政村", "姓名", "身份证后四位", "类别")


class BulkAttachDialog(QDialog):
    def __init__(self, book: Book, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self.proposal: Proposal | None = None
        self.worker: Worker | None = None
        self.attached = 0
        self.setWindowTitle(f"批量附加照片和扫描件 — {ledger.title}")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.folder_label = QLabel("请选择照片所在的文件夹（可含按村、按户分的子文件夹）", self)
        self.folder_label.setWordWrap(True)
        self.choose_button = QPushButton("选择文件夹…", self)
        self.choose_button.clicked.connect(self.choose_folder)
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.choose_button)
        layout.addLayout(top)
        hint = QLabel(
            "文件名或文件夹名中写身份证号或姓名，再加类别词，例如 "
            "“410622…_改造后.jpg”“张三-改造前(2).jpg”。",
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #455a64;")
        layout.addWidget(hint)
        self.tabs = QTabWidget(self)
        self.matches_table = QTableWidget(0, len(MATCH_COLUMNS), self)
        self.matches_table.setHorizontalHeaderLabels(MATCH_COLUMNS)
        self.matches_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.unmatched_list = QListWidget(self)
        self.ambiguous_list = QListWidget(self)
        self.tabs.addTab(self.matches_table, "可附加")
        self.tabs.addTab(self.unmatched_list, "无法匹配")
        self.tabs.addTab(self.ambiguous_list, "匹配到多户")
        layout.addWidget(self.tabs, 1)
        self.summary_label = QLabel(self)
        layout.addWidget(self.summary_label)
        bottom = QHBoxLayout()
        self.progress = ProgressPanel(self)
        bottom.addWidget(self.progress, 1)
        self.attach_button = QPushButton("全部附加", self)
        self.attach_button.setToolTip("把“可附加”中的文件全部附加；出错或取消时一个也不附加")
        self.attach_button.setEnabled(False)
        self.attach_button.clicked.connect(self.attach_all)
        self.close_button = QPushButton("关闭", self)
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.attach_button)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        geometry.restore_geometry(self, "bulkAttachDialog", QSize(900, 600))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择照片所在的文件夹")
        if folder:
            self.read_folder(Path(folder))

    def read_folder(self, folder: Path) -> Worker:
        """Match the folder's files, off the GUI thread."""
        self.folder_label.setText(f"文件夹：{folder}")
        self.attach_button.setEnabled(False)
        book, ledger = self.book, self.ledger

        def job(_report: Progress, _cancelled: IsCancelled) -> Proposal:
            return propose(book, ledger, folder)

        return self._run(job, "正在读取文件夹…", self._show_proposal, cancellable=False)

    def _run(
        self, job: Job, text: str, done: Callable[[Any], None], *, cancellable: bool = True
    ) -> Worker:
        worker = Worker(job, self)
        worker.finished.connect(done)
        worker.failed.connect(lambda message: QMessageBox.warning(self, "未能完成", message))
        worker.cancelled.connect(
            lambda: QMessageBox.information(self, "已取消", "已取消，没有附加任何文件。")
        )
        worker.done.connect(lambda: self.choose_button.setEnabled(True))
        self.choose_button.setEnabled(False)
        self.progress.attach(worker, text, cancellable)
        self.worker = worker
        worker.start()
        return worker

    def _show_proposal(self, proposal: Proposal) -> None:
        self.proposal = proposal
        table = self.matches_table
        table.setRowCount(len(proposal.matches))
        for row, match in enumerate(proposal.matches):
            c = match.candidate
            kind = f"{match.kind}（未写类别）" if match.kind_guessed else match.kind
            cells = (match.relative, str(c.record_id), c.village, c.name, c.id_tail, kind)
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        self.unmatched_list.clear()
        self.unmatched_list.addItems(proposal.unmatched)
        self.ambiguous_list.clear()
        for ambiguous in proposal.ambiguous:
            ids = "、".join(str(c.record_id) for c in ambiguous.candidates)
            self.ambiguous_list.addItem(f"{ambiguous.relative}（记录编号{ids}）")
        self.tabs.setTabText(0, f"可附加（{len(proposal.matches)}）")
        self.tabs.setTabText(1, f"无法匹配（{len(proposal.unmatched)}）")
        self.tabs.setTabText(2, f"匹配到多户（{len(proposal.ambiguous)}）")
        self.summary_label.setText(
            f"可附加 {len(proposal.matches)} 个文件；无法匹配 {len(proposal.unmatched)} 个、"
            f"匹配到多户 {len(proposal.ambiguous)} 个不会附加（请改文件名后重新选择文件夹）。"
        )
        self.attach_button.setEnabled(bool(proposal.matches))

    def attach_all(self) -> Worker | None:
        proposal = self.proposal
        if proposal is None or not proposal.matches:
            return None
        book, ledger = self.book, self.ledger
        self.attach_button.setEnabled(False)

        def job(report: Progress, cancelled: IsCancelled) -> int:
            def progress(done: int, total: int) -> bool:
                report(done, total)
                return not cancelled()

            return attach_proposal(book, ledger, proposal, progress)

        return self._run(job, "正在附加…", self._attached)

    def _attached(self, count: int) -> None:
        self.attached += count
        self.proposal = None
        self.summary_label.setText(f"已附加 {count} 个文件。")
        QMessageBox.information(self, "已附加", f"已附加 {count} 个文件。")
