"""比对名单核查 on the 核查 page: the roster hints, each openable and each confirmable.

The check runs in the background; hints are grouped by rule (the rule's explanation is
the group's tooltip). A hint the clerk has looked into can be marked "已核实，情况属实"
with a reason: it is audited and not shown again until the record changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.errors import UserError
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.roster_checks import (
    RosterCheck,
    RosterHint,
    check_rosters,
    confirm_hint,
)
from hebi_desktop.ui.report_saving import ask_workbook_target, write_report
from hebi_desktop.ui.workers import ProgressPanel, Worker

if TYPE_CHECKING:
    from hebi_desktop.ui.dialogs.roster_import_dialog import RosterImportDialog

HINT_ROLE = Qt.ItemDataRole.UserRole
CONFIRM_TITLE = "已核实，情况属实"


class RosterCheckPanel(QGroupBox):
    """See the module docstring. ``open_query(ledger, query, title)`` opens a record."""

    open_query = Signal(str, object, str)

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__("与比对名单核对", parent)
        self.book = book
        self.result: RosterCheck | None = None
        self.worker: Worker | None = None
        layout = QVBoxLayout(self)
        self.rosters_label = QLabel(self)
        self.rosters_label.setWordWrap(True)
        layout.addWidget(self.rosters_label)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("名单核查", self)
        self.confirm_button = QPushButton(f"{CONFIRM_TITLE}…", self)
        self.confirm_button.setToolTip("选中一条提醒，填写核实理由；记录改动前不再提醒")
        self.save_button = QPushButton("导出名单核查结果…", self)
        self.import_button = QPushButton("导入名单…", self)
        self.import_button.clicked.connect(self.open_import)
        for button in (self.import_button, self.run_button, self.confirm_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["规则 / 记录", "说明"])
        self.tree.setColumnWidth(0, 320)
        layout.addWidget(self.tree, 1)
        self.summary_label = QLabel("尚未核对", self)
        layout.addWidget(self.summary_label)
        self.progress_panel = ProgressPanel(self)
        layout.addWidget(self.progress_panel)
        self.run_button.clicked.connect(self.start_check)
        self.confirm_button.clicked.connect(self.ask_confirm)
        self.save_button.clicked.connect(self.choose_target)
        self.tree.itemDoubleClicked.connect(self._open)
        self.confirm_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.show_rosters()

    def show_rosters(self) -> None:
        rosters = self.book.rosters.list(include_history=False)
        if not rosters:
            self.rosters_label.setText(
                "还没有导入比对名单。名单由县里各部门提供（低保、特困、脱贫人口等），"
                "点“导入名单…”导入；名单含个人信息，只存在本数据库及其备份中，"
                "不随台账导出。"
            )
            return
        self.rosters_label.setText(
            "现行名单：" + "；".join(f"{r.label} {r.people}人" for r in rosters)
        )

    def open_import(self) -> RosterImportDialog:
        from hebi_desktop.ui.dialogs.roster_import_dialog import RosterImportDialog

        dialog = RosterImportDialog(self.book, self)
        dialog.imported.connect(self.show_rosters)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def start_check(self) -> Worker | None:
        if self.worker is not None:
            return None
        book = self.book

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return check_rosters(book, progress=progress, cancelled=cancelled, save=True)

        worker = Worker(job, self)
        self.worker = worker
        self.progress_panel.attach(worker, "正在与比对名单核对…")
        worker.finished.connect(self._show)
        worker.failed.connect(lambda message: QMessageBox.warning(self, "名单核查", message))
        worker.done.connect(self._work_done)
        self.run_button.setEnabled(False)
        worker.start()
        return worker

    def _work_done(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self.run_button.setEnabled(True)

    def _show(self, result: object) -> None:
        assert isinstance(result, RosterCheck)
        self.result = result
        self.show_rosters()
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for hint in result.hints:
            top = groups.get(hint.rule.code)
            if top is None:
                top = QTreeWidgetItem([hint.rule.label, hint.rule.explanation])
                top.setToolTip(1, hint.rule.explanation)
                groups[hint.rule.code] = top
                self.tree.addTopLevelItem(top)
            ref = hint.record
            child = QTreeWidgetItem(
                [
                    f"{hint.ledger.nav_title} 记录编号{ref.record_id}",
                    f"{ref.township_name} {ref.village} {ref.name}：{hint.message}",
                ]
            )
            child.setToolTip(1, hint.message)
            child.setData(0, HINT_ROLE, hint)
            top.addChild(child)
        for top in groups.values():
            top.setText(0, f"{top.text(0)}（{top.childCount()}条）")
        self.tree.expandAll()
        self._summarise()
        self.save_button.setEnabled(bool(result.hints))

    def _summarise(self) -> None:
        result = self.result
        if result is None:
            return
        if not result.rosters:
            self.summary_label.setText("还没有导入比对名单，无从核对")
            return
        confirmed = f"；{result.confirmed} 条已核实属实，不再提醒" if result.confirmed else ""
        self.summary_label.setText(
            f"核对了 {result.records} 条记录：{len(result.hints)} 条提醒{confirmed}"
            if result.hints
            else f"核对了 {result.records} 条记录，没有提醒{confirmed}"
        )

    def selected_hint(self) -> RosterHint | None:
        item = self.tree.currentItem()
        hint = item.data(0, HINT_ROLE) if item is not None else None
        return hint if isinstance(hint, RosterHint) else None

    def _current_changed(self, *_args: object) -> None:
        self.confirm_button.setEnabled(self.selected_hint() is not None)

    def ask_confirm(self) -> None:
        hint = self.selected_hint()
        if hint is None:
            return
        reason, accepted = QInputDialog.getText(
            self,
            CONFIRM_TITLE,
            f"{hint.message}\n\n核实的理由（如“已入户核实，名单待更新”）：",
        )
        if accepted:
            self.confirm(hint, reason)

    def confirm(self, hint: RosterHint, reason: str) -> bool:
        """Mark ``hint`` confirmed; the hint leaves the list. False (with a message) if not."""
        try:
            confirm_hint(self.book, hint.ledger, hint.record.record_id, hint.rule.code, reason)
        except UserError as error:
            QMessageBox.warning(self, CONFIRM_TITLE, str(error))
            return False
        item = self.tree.currentItem()
        parent = item.parent() if item is not None else None
        if item is not None and parent is not None and item.data(0, HINT_ROLE) is hint:
            parent.removeChild(item)
        if self.result is not None:
            self.result.hints.remove(hint)
            self.result.confirmed += 1
        self._summarise()
        return True

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        hint = item.data(0, HINT_ROLE)
        if isinstance(hint, RosterHint):
            ref = hint.record
            self.open_query.emit(
                ref.ledger, RecordQuery(ids=[ref.record_id]), f"名单核查：记录编号{ref.record_id}"
            )

    def choose_target(self) -> None:
        target = ask_workbook_target(self, "导出名单核查结果", "名单核查结果.xlsx")
        if target is not None:
            self.save(target)

    def save(self, target: Path) -> Path | None:
        from hebi_desktop.exchange.files import database_files
        from hebi_desktop.exchange.roster_report import write_roster_hints

        if self.result is None:
            return None
        hints = self.result.hints
        return write_report(
            self,
            self.summary_label,
            lambda: write_roster_hints(target, hints, database_files(self.book.sqlite_file)),
        )
