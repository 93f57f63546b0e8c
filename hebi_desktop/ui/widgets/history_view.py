"""A record's audit trail: who did what when, and which values changed (by column header)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.services.audit import HistoryEntry

EMPTY = "（空）"
COLUMNS = ("时间", "操作人", "操作", "内容")


def value_text(ledger: Ledger, name: str, value: Any) -> str:
    """An audited value (JSON: dates and amounts as text) as the clerk reads it."""
    if value is None or value == "":
        return EMPTY
    field = ledger.by_name.get(name)
    return str(value) if field is None else display_value(field, value) or EMPTY


def change_lines(ledger: Ledger, entry: HistoryEntry) -> list[str]:
    """One line per changed field, ``header：old → new`` (a new record lists its values)."""
    lines: list[str] = []
    order = {f.name: i for i, f in enumerate(ledger.fields)}
    for name in sorted(entry.changes, key=lambda n: order.get(n, len(order))):
        old, new = entry.changes[name]
        field = ledger.by_name.get(name)
        header = field.header if field else name
        if entry.action == "create":
            lines.append(f"{header}：{value_text(ledger, name, new)}")
        else:
            lines.append(
                f"{header}：{value_text(ledger, name, old)} → {value_text(ledger, name, new)}"
            )
    return lines


class HistoryView(QWidget):
    """Read-only table of a record's history, newest first."""

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel(self)
        layout.addWidget(self.summary_label)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        # Rows follow their text whenever the columns change (the tab is laid out after
        # the entries are set): no row stretched from a width it never had.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        self.entries: list[HistoryEntry] = []

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        self.entries = list(reversed(entries))
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            lines = change_lines(self.ledger, entry)
            if not lines:
                lines = ["（无字段变化）"] if entry.action == "update" else [""]
            # A new record's values read as one wrapped paragraph, changes one per line.
            joined = ("；" if entry.action == "create" else "\n").join(lines)
            cells = (_when(entry.at), entry.operator, entry.action_label, joined)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.table.setItem(row, column, item)
        self.summary_label.setText(
            f"共 {len(self.entries)} 次操作" if self.entries else "暂无修改记录"
        )

    def row_texts(self) -> list[tuple[str, ...]]:
        """The table's text, row by row (what the clerk reads)."""
        rows = []
        for row in range(self.table.rowCount()):
            rows.append(
                tuple(
                    (item.text() if (item := self.table.item(row, c)) else "")
                    for c in range(self.table.columnCount())
                )
            )
        return rows


def _when(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}"
