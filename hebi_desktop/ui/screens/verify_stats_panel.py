"""复核录入统计 on the 核查 page: per keyer, what second keying found (as CSPro reports it).

A high mismatch rate says whose entries to look at again, or who needs a hand; the
count of records with money not yet verified says how much is still keyed once only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.verification import keyer_stats

HEADERS = ("录入人", "被复核记录", "核对字段", "不一致字段", "不一致率")


class VerifyStatsPanel(QGroupBox):
    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__("复核录入统计", parent)
        self.book = book
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.waiting_label = QLabel(self)
        self.waiting_label.setWordWrap(True)
        top.addWidget(self.waiting_label, 1)
        self.refresh_button = QPushButton("刷新统计", self)
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMaximumHeight(120)  # a few keyers; the roster hints get the room
        layout.addWidget(self.table)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.refresh()

    def refresh(self) -> None:
        stats = keyer_stats(self.book)
        self.table.setRowCount(len(stats))
        for row, s in enumerate(stats):
            cells = (s.keyer, s.records, s.fields, s.mismatched, f"{s.rate:.1%}")
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
        waiting = [
            f"{ledger.nav_title} {self.book.records(ledger).count(query)} 条"
            for ledger in self.book.ledgers
            if ledger.money_fields
            for query in (RecordQuery(verified=False, with_money=True),)
        ]
        self.waiting_label.setText(
            "有金额、尚未复核的记录："
            + "，".join(waiting)
            + ("" if stats else "。还没有复核过的记录（在台账中选中记录按 F8 复核录入）")
        )
