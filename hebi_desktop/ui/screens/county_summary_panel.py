"""按乡镇汇总: one row per township of the county with the ledger's figures, the 合计 row
(the same numbers as ``stats``), the townships that sent nothing in a chosen month
(未报送), and the county summary workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.county.report import (
    county_summary,
    not_submitted,
    write_county_summary,
)
from hebi_desktop.errors import StorageError, UserError
from hebi_desktop.services.book import Book
from hebi_desktop.ui.report_saving import ask_workbook_target, write_report
from hebi_desktop.ui.screens.overview_page import grouped


class CountySummaryPanel(QWidget):
    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.ledger_combo = QComboBox(self)
        for ledger in book.ledgers:
            if ledger.measures:
                self.ledger_combo.addItem(ledger.title, ledger.key)
        self.month_edit = QLineEdit(dt.date.today().strftime("%Y-%m"), self)
        self.month_edit.setPlaceholderText("2026-11")
        self.month_edit.setMaximumWidth(100)
        self.refresh_button = QPushButton("刷新", self)
        self.save_button = QPushButton("导出县区汇总…", self)
        bar.addWidget(QLabel("台账：", self))
        bar.addWidget(self.ledger_combo)
        bar.addWidget(QLabel("未报送月份：", self))
        bar.addWidget(self.month_edit)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 1, self)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        self.missing_label = QLabel(self)
        self.missing_label.setWordWrap(True)
        layout.addWidget(self.missing_label)
        self.ledger_combo.currentIndexChanged.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.month_edit.returnPressed.connect(self.refresh)
        self.save_button.clicked.connect(self.choose_target)

    def refresh(self) -> None:
        key = self.ledger_combo.currentData()
        try:
            section = next(s for s in county_summary(self.book) if s.ledger.key == key)
            missing = not_submitted(self.book, self.month_edit.text() or None).get(key, [])
        except UserError as error:
            self.missing_label.setText(str(error))
            return
        except StorageError:
            self.missing_label.setText("数据库读取失败，请稍后再试")
            return
        labels = [m.label for m in section.ledger.measures]
        rows = [*section.rows, section.total]
        self.table.setColumnCount(len(labels) + 1)
        self.table.setHorizontalHeaderLabels(["乡镇（街道）", *labels])
        self.table.setRowCount(len(rows))
        for row, figures in enumerate(rows):
            label = "合计" if figures is section.total else figures.label
            self.table.setItem(row, 0, QTableWidgetItem(label))
            for column, figure in enumerate(figures.figures, start=1):
                self.table.setItem(row, column, QTableWidgetItem(grouped(figure)))
        self.table.resizeColumnsToContents()
        names = "、".join(t.name for t in missing)
        text = f"{self.month_edit.text()} 未报送：{names or '无'}"
        if section.left_out:
            text += "\n" + section.left_out_text()
        self.missing_label.setText(text)

    def choose_target(self) -> None:
        target = ask_workbook_target(self, "导出县区汇总", "县区台账汇总.xlsx")
        if target is not None:
            self.save(target)

    def save(self, target: Path) -> Path | None:
        month = self.month_edit.text() or None
        return write_report(
            self,
            self.missing_label,
            lambda: write_county_summary(self.book, target, month),
        )

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.refresh()
