"""报送记录: the submissions list of the 导入导出 page, one row per exported ledger.

Each export recorded as a submission keeps its time, row count, filters, operator, file
and SHA-256, so a clerk can tell the county which file they sent; the list also says when
each ledger was last submitted (an incremental export starts there).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.errors import StorageError
from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

HEADERS = ("报送时间", "台账", "条数", "范围", "填报人", "文件", "SHA-256")
WIDTHS = (140, 170, 60, 220, 70, 240)


class SubmissionsTab(QWidget):
    """The list, a ledger filter and 刷新; :meth:`refresh` re-reads it."""

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.ledger_filter = QComboBox(self)
        self.ledger_filter.addItem("全部台账", None)
        for ledger in all_ledgers():
            self.ledger_filter.addItem(ledger.title, ledger.key)
        self.ledger_filter.currentIndexChanged.connect(self._refresh_now)
        top.addWidget(self.ledger_filter)
        top.addStretch(1)
        refresh = QPushButton("刷新", self)
        refresh.clicked.connect(self._refresh_now)
        top.addWidget(refresh)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate(WIDTHS):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        note = QLabel(
            "每次导出报送都会记下时间、条数和文件的 SHA-256 校验值，"
            "便于与县局核对收到的是哪一份文件；增量报送从该台账最近一次报送时开始。",
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #546e7a;")
        layout.addWidget(note)

    def _refresh_now(self, *_args: object) -> None:
        self.refresh()

    def refresh(self) -> str | None:
        """Re-read the list; returns the 上次报送 line (None when the database failed)."""
        from hebi_desktop.exchange.submissions import last_submission, list_submissions

        try:
            rows = list_submissions(self.book, self.ledger_filter.currentData())
            lasts = {lg.key: last_submission(self.book, lg.key) for lg in all_ledgers()}
        except StorageError:
            log.exception("could not read submissions")
            return None
        table = self.table
        table.setRowCount(len(rows))
        for row, info in enumerate(rows):
            cells = (
                f"{info.at:%Y-%m-%d %H:%M}",
                _ledger_title(info.ledger),
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
        return "上次报送：" + "；".join(parts)


def _ledger_title(key: str) -> str:
    try:
        return get_ledger(key).title
    except KeyError:
        return key
