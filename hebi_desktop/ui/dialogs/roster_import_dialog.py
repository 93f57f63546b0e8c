"""导入比对名单: the window version of ``roster import``.

The clerk picks the kind, the file (Excel or CSV), the as-of date and the area; the
file is read and checked in the background and stored whole or not at all. Problems are
listed by row and column, as on the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.rosters import ROSTER_KINDS
from hebi_desktop.domain.values import ValueProblem, to_date
from hebi_desktop.services.book import Book
from hebi_desktop.ui.workers import ProgressPanel, Worker

FILE_FILTER = "名单文件 (*.xlsx *.xls *.xlsm *.xlsb *.ods *.csv);;所有文件 (*)"


class RosterImportDialog(QDialog):
    """See the module docstring. ``imported`` is emitted after a roster was stored."""

    imported = Signal()

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.worker: Worker | None = None
        self.setWindowTitle("导入比对名单")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind_combo = QComboBox(self)
        for kind in ROSTER_KINDS:
            self.kind_combo.addItem(kind.name, kind.key)
        form.addRow("名单类别：", self.kind_combo)
        row = QHBoxLayout()
        self.file_edit = QLineEdit(self)
        self.file_edit.setPlaceholderText("Excel 或 CSV 文件")
        browse = QPushButton("浏览…", self)
        browse.clicked.connect(self.choose_file)
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow("文件：", row)
        self.as_of_edit = QLineEdit(f"{dt.date.today():%Y-%m-%d}", self)
        form.addRow("截至日期：", self.as_of_edit)
        self.area_combo = QComboBox(self)
        self.area_combo.addItem("本库全部记录", None)
        county = book.settings.county_code
        if county:
            self.area_combo.addItem(divisions().name(county), county)
            for township in divisions().townships_of(county):
                self.area_combo.addItem(township.name, township.code)
        form.addRow("覆盖地区：", self.area_combo)
        layout.addLayout(form)
        note = QLabel(
            "表头自动识别，至少要有身份证号、姓名两列；有一行出错则整份名单不导入。"
            "同类别、同地区的新名单替换旧名单，旧名单保留为历史。名单只存在本数据库中，不随台账导出。",
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.result_text = QPlainTextEdit(self)
        self.result_text.setReadOnly(True)
        self.result_text.setMaximumBlockCount(1200)
        layout.addWidget(self.result_text, 1)
        self.progress_panel = ProgressPanel(self)
        layout.addWidget(self.progress_panel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("导入", self)
        self.import_button.clicked.connect(self.start_import)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.reject)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "选择名单文件", "", FILE_FILTER)
        if name:
            self.file_edit.setText(name)

    def start_import(self) -> Worker | None:
        from hebi_desktop.exchange.roster_import import import_roster

        if self.worker is not None:
            return None
        path = self.file_edit.text().strip()
        if not path:
            self.result_text.setPlainText("请选择名单文件")
            return None
        try:
            as_of = to_date(self.as_of_edit.text().strip())
        except ValueProblem as problem:
            self.result_text.setPlainText(f"截至日期：{problem}")
            return None
        if as_of > dt.date.today():
            self.result_text.setPlainText("截至日期：不能晚于今天")
            return None
        book, kind, area = self.book, self.kind_combo.currentData(), self.area_combo.currentData()

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return import_roster(
                book,
                kind,
                Path(path),
                as_of=as_of,
                area=area,
                progress=progress,
                cancelled=cancelled,
            )

        worker = Worker(job, self)
        self.worker = worker
        self.progress_panel.attach(worker, "正在读取名单…")
        worker.finished.connect(self._show)
        worker.failed.connect(self.result_text.setPlainText)
        worker.done.connect(self._work_done)
        self.import_button.setEnabled(False)
        self.result_text.clear()
        worker.start()
        return worker

    def _work_done(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self.import_button.setEnabled(True)

    def _show(self, result: Any) -> None:
        lines = [f"读取 {result.rows_read} 行（工作表“{result.sheet}”）"]
        if result.errors:
            lines.append(f"发现 {result.error_count} 处错误，名单未导入（一行也没有导入）：")
            lines.extend(issue.text() for issue in result.errors)
            if result.errors_omitted:
                lines.append(f"另有 {result.errors_omitted} 处错误未列出")
        elif result.stored is not None:
            stored = result.stored
            lines.append(f"已导入{stored.roster.label}：{stored.roster.people} 人")
            lines.extend(f"替换了{old.label}（保留为历史名单）" for old in stored.replaced)
            if stored.superseded_by is not None:
                lines.append(f"已有更新的{stored.superseded_by.label}，本名单只保留为历史名单")
            self.imported.emit()
        self.result_text.setPlainText("\n".join(lines))
