"""One page per ledger: filter bar, lazy table, and the record actions.

The page is generic: everything it shows comes from the ledger declaration. It
talks to the record service only (never SQL) and tells the main window about
writes through ``records_changed``, so counts elsewhere stay current.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.errors import RecordNotFound, StorageError, UserError
from hebi_desktop.paths import resource
from hebi_desktop.services.book import Book
from hebi_desktop.services.drafts import DraftInfo, DraftService
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui import (
    geometry,
    qt_fixes,  # noqa: F401 - binding fixes, applied on import
)
from hebi_desktop.ui.dialogs.bulk_attach_dialog import BulkAttachDialog
from hebi_desktop.ui.dialogs.record_form import RecordDialog
from hebi_desktop.ui.shortcuts import add_shortcut
from hebi_desktop.ui.widgets.elided_label import ElidedLabel
from hebi_desktop.ui.widgets.filters import FilterBar
from hebi_desktop.ui.widgets.flow_layout import flow_row
from hebi_desktop.ui.widgets.frozen_table import FrozenColumnsTable
from hebi_desktop.ui.widgets.table_model import LedgerTableModel

if TYPE_CHECKING:
    from hebi_desktop.ui.dialogs.print_preview import FormPreview
    from hebi_desktop.ui.dialogs.verify_dialog import VerifyDialog

log = logging.getLogger(__name__)

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size

EMPTY_TEXT = (
    "这本台账还没有记录。点“新建”（Ctrl+N）逐条录入；"
    "已有 Excel 台账的，可在“导入导出”页（Ctrl+I）一次导入。"
)

Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No


def _icon(name: str) -> QIcon:
    try:
        path = resource("icons", f"{name}.svg")
    except FileNotFoundError:
        return QIcon()
    return QIcon(str(path)) if path.exists() else QIcon()


class LedgerPage(QWidget):
    """The records of one ledger: search, filter, sort, add, edit, delete, restore."""

    records_changed = Signal()

    def __init__(self, book: Book, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self.service = book.records(ledger)
        self.drafts = DraftService(book)
        self.dialog: RecordDialog | None = None
        self.verify_dialog: VerifyDialog | None = None
        self.last_deleted: list[int] = []
        self.last_restored: list[int] = []  # what 撤销恢复 (Ctrl+Z) deletes again
        self.saved_hidden: int | None = None  # a saved record the filters do not show
        self._base = RecordQuery()  # what show_query asked for beyond the filter widgets
        self._title: str | None = None
        self._total = 0
        self._total_of_deleted = False
        self.compact: bool | None = None  # a short screen's layout; decided when first shown
        self._model = LedgerTableModel(self.service, ledger, self, load=False)
        self._build()
        self.refresh()

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        layout = self.page_layout = QVBoxLayout(self)
        # The title gives way on a short screen ("住房安全…", the full title in its
        # tooltip; the navigation names the ledger too): the buttons beside it wrap.
        self.title_label = ElidedLabel(self.ledger.title, self, minimum=self.ledger.nav_title)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.new_button = QPushButton(_icon("new"), "新建", self)
        self.new_button.setToolTip("新建记录（Ctrl+N）")
        self.edit_button = QPushButton("修改", self)
        self.edit_button.setToolTip("打开选中的记录（双击或回车）")
        self.delete_button = QPushButton(_icon("delete"), "删除", self)
        self.delete_button.setToolTip("删除选中的记录（Delete），可撤销或从“已删除记录”恢复")
        self.restore_button = QPushButton(_icon("restore"), "恢复", self)
        self.restore_button.setToolTip("恢复选中的已删除记录")
        self.print_button = QPushButton("打印…", self)
        self.print_button.setToolTip(
            "打印（Ctrl+P）本单位（或所选乡镇、村、日期）的记录：花名册、公示名单或发放登记表；"
            "搜索框的内容只在预览中勾选“只打印筛选结果”时才起作用"
        )
        self.print_button.clicked.connect(self.open_print)
        self.bulk_attach_button = QPushButton("批量附加…", self)
        self.bulk_attach_button.setToolTip("从文件夹按身份证号或姓名批量附加照片和扫描件")
        self.bulk_attach_button.clicked.connect(self.open_bulk_attach)
        self.verify_button = QPushButton("复核", self)
        self.verify_button.setToolTip(
            "复核录入（F8）：另一人对照纸质材料重新录入身份证号、金额等，一致即标记为已复核"
        )
        self.verify_button.clicked.connect(self.verify_current)
        self.filter_bar = FilterBar(self.book, self.ledger, self, leading_elsewhere=True)
        bar = self.filter_bar
        # The search box follows the buttons: on a small screen it shares their second
        # row, and the other filters wait behind 更多筛选, so the table keeps its rows.
        buttons = flow_row(
            self,
            self.title_label,
            self.new_button,
            self.edit_button,
            bar.state_filter,
            self.verify_button,
            self.delete_button,
            self.restore_button,
            self.print_button,
            self.bulk_attach_button,
            *bar.leading,
        )
        layout.addWidget(buttons)
        layout.addWidget(self.filter_bar)
        self.search_edit = bar.search_edit
        self.township_filter = bar.township_filter
        self.village_filter = bar.village_filter
        self.status_filters = bar.status_filters
        self.date_from_edit = bar.date_from_edit
        self.date_to_edit = bar.date_to_edit
        self.flagged_filter = bar.flagged_filter
        # Tab follows the row as drawn: the 复核 state box sits before the 复核 button,
        # though the filter bar made it (after its date fields).
        chain = [
            self.new_button,
            self.edit_button,
            bar.state_filter,
            self.verify_button,
            self.delete_button,
            self.restore_button,
            self.print_button,
            self.bulk_attach_button,
            self.search_edit,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.deleted_toggle = bar.deleted_toggle
        self.clear_filters_button = bar.clear_button

        banner = QHBoxLayout()
        self.query_label = QLabel(self)
        self.query_label.setStyleSheet("color: #1565c0; font-weight: bold;")
        self.show_all_button = QPushButton("显示全部", self)
        self.show_all_button.clicked.connect(self.show_all)
        banner.addWidget(self.query_label)
        banner.addWidget(self.show_all_button)
        banner.addStretch(1)
        layout.addLayout(banner)

        frozen = [self._model.column_of(name) for name in self.ledger.key_columns]
        self.table = FrozenColumnsTable(frozen, self)
        self.table.setModel(self._model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(False)
        header.setHighlightSections(False)
        char = self.fontMetrics().horizontalAdvance("0")  # Excel-style widths count digits
        for column, field in enumerate(self.ledger.fields):
            width = max(
                field.width * char + 18, self.fontMetrics().horizontalAdvance(field.header) + 30
            )
            self.table.setColumnWidth(column, width)
        geometry.restore_widths(header, self._settings_key)
        header.sectionResized.connect(lambda *_: geometry.save_widths(header, self._settings_key))
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        remembered = geometry.restored_sort(self._settings_key)
        if remembered is not None and remembered[0] < self._model.columnCount():
            column, descending = remembered
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(column, order)  # sorts once setSortingEnabled is on
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(
            lambda column, order: geometry.save_sort(
                self._settings_key, column, order == Qt.SortOrder.DescendingOrder
            )
        )
        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setObjectName("emptyLedger")
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #555; padding: 8px;")
        self.empty_label.hide()
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        # Elided: a long message (a hint on a filtered table) must not widen the window.
        self.status_label = ElidedLabel("", self)
        bottom.addWidget(self.status_label)
        self.reveal_button = QPushButton("显示该记录", self)
        self.reveal_button.setToolTip("清除搜索和筛选，显示并选中刚保存的记录")
        self.reveal_button.hide()
        bottom.addWidget(self.reveal_button)
        self.undo_button = QPushButton("撤销删除", self)
        self.undo_button.setToolTip("恢复刚刚删除的记录（Ctrl+Z）")
        self.undo_button.hide()
        bottom.addWidget(self.undo_button)
        layout.addLayout(bottom)

        self.new_button.clicked.connect(self.new_record)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.undo_button.clicked.connect(self.undo_last)
        self.reveal_button.clicked.connect(self.reveal_saved)
        add_shortcut(
            QKeySequence.StandardKey.Undo,
            self,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
            self.undo_last,
        )
        self.filter_bar.changed.connect(self._filters_changed)
        self.search_edit.returnPressed.connect(self.go_to_results)
        add_shortcut(
            Qt.Key.Key_Down, self.search_edit, Qt.ShortcutContext.WidgetShortcut, self.go_to_results
        )
        add_shortcut(
            Qt.Key.Key_Escape, self.table, Qt.ShortcutContext.WidgetShortcut, self.focus_search
        )
        self.table.doubleClicked.connect(self._open_index)
        for view in (self.table, self.table.frozen_view):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(
                lambda pos, v=view: self.show_row_menu(v.viewport().mapToGlobal(pos), v)
            )
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self._model.modelReset.connect(self._update_actions)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            add_shortcut(key, self.table, Qt.ShortcutContext.WidgetShortcut, self.edit_current)
        add_shortcut(
            QKeySequence.StandardKey.Delete,
            self.table,
            Qt.ShortcutContext.WidgetShortcut,
            self._delete_or_restore,
        )
        add_shortcut(
            QKeySequence.StandardKey.New,
            self,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
            self.new_record,
        )
        # F8 and Ctrl+P also from the navigation list (where Ctrl+2 leaves the focus); a
        # hidden page's shortcuts are inactive, so the shown ledger's page answers.
        add_shortcut(Qt.Key.Key_F8, self, Qt.ShortcutContext.WindowShortcut, self.verify_current)
        add_shortcut(
            QKeySequence.StandardKey.Print, self, Qt.ShortcutContext.WindowShortcut, self.open_print
        )
        add_shortcut(
            QKeySequence.StandardKey.Find,
            self,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
            self.focus_search,
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.compact is None:  # once, on the screen it first shows on
            self.set_compact(geometry.is_short_screen(self))

    def set_compact(self, compact: bool) -> None:
        """On a short screen (1024×768 at 150 %) the table needs the rows: the title takes
        its short form, the filters other than the search wait behind 更多筛选, and the
        margins shrink."""
        self.compact = compact
        short = self.title_label.minimumSizeHint().width()
        self.title_label.setMaximumWidth(short if compact else QWIDGETSIZE_MAX)
        self.filter_bar.set_compact(compact)
        margins = self.page_layout.contentsMargins()
        if compact:
            margins.setTop(min(margins.top(), 4))
            margins.setBottom(min(margins.bottom(), 2))
        self.page_layout.setContentsMargins(margins)

    @property
    def _settings_key(self) -> str:
        return f"ledger_{self.ledger.key}"

    @property
    def model(self) -> LedgerTableModel:
        return self._model

    # --- querying ---------------------------------------------------------------------

    def current_query(self) -> RecordQuery:
        """The base query (from :meth:`show_query`) narrowed by the filter widgets."""
        fields = self.filter_bar.query_fields()
        fields["status"] = {**self._base.status, **fields["status"]}
        if fields["needs_review"] is None:
            fields["needs_review"] = self._base.needs_review
        sort = self._model.query
        return replace(self._base, **fields, sort=sort.sort, descending=sort.descending)

    def open_bulk_attach(self) -> BulkAttachDialog:
        """批量附加 from a folder; the table's 附件 counts follow when it closes."""
        dialog = BulkAttachDialog(self.book, self.ledger, self)
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.open()
        return dialog

    def open_print(self) -> FormPreview | None:
        """The print preview of the records the filters show now."""
        from hebi_desktop.ui.dialogs.print_preview import open_preview

        return open_preview(self, self.book, (self.ledger.key,), self.current_query())

    def refresh(self) -> None:
        """Re-run the query (after a write, an import or a change elsewhere)."""
        keep = self.selected_ids()
        try:
            self._model.set_query(self.current_query())
            self._total_of_deleted = self.deleted_toggle.isChecked()
            self._total = self.service.count(RecordQuery(deleted=self._total_of_deleted))
        except StorageError:
            log.exception("reading %s failed", self.ledger.key)
            QMessageBox.warning(self, "读取失败", "无法读取台账数据，请检查数据库文件。")
            return
        self._select_ids(keep)
        self._update_count()
        self._update_actions()

    def _filters_changed(self) -> None:
        """A search or filter changed: only the matching ids are read again (the total
        does not change with filters), one query per pause in typing."""
        if self.deleted_toggle.isChecked() != self._total_of_deleted:
            self.refresh()  # the other view (deleted records) has its own total
            return
        keep = self.selected_ids()
        try:
            self._model.set_query(self.current_query())
        except StorageError:
            log.exception("reading %s failed", self.ledger.key)
            QMessageBox.warning(self, "读取失败", "无法读取台账数据，请检查数据库文件。")
            return
        self._select_ids(keep)
        self._update_count()
        self._update_actions()

    def _update_count(self) -> None:
        shown = self._model.row_count
        filtered = self.filter_bar.is_filtered() or self._title is not None
        if self.deleted_toggle.isChecked():
            text = f"已删除记录 {shown} 条" if not filtered else f"已删除记录中符合条件 {shown} 条"
        elif filtered:
            text = f"符合条件 {shown} 条（共 {self._total} 条）"
        else:
            text = f"共 {shown} 条"
        self.count_label.setText(text)
        self.empty_label.setVisible(self._total == 0 and not self.deleted_toggle.isChecked())
        self.query_label.setText(f"当前显示：{self._title}" if self._title else "")
        self.query_label.setVisible(self._title is not None)
        self.show_all_button.setVisible(self._title is not None)

    def show_query(self, query: RecordQuery, title: str | None = None) -> None:
        """Open pre-filtered, e.g. a watch's conditions or ``RecordQuery(flagged=True)``.

        Filters the bar can show are put into its widgets (the clerk can change them);
        the rest (conditions, ids, county, changed since) stay until 显示全部.
        """
        rest = self.filter_bar.set_from_query(query)
        self._base = RecordQuery(
            county_code=query.county_code,
            status=rest,
            flagged=False if query.flagged is False else None,
            needs_review=False if query.needs_review is False else None,
            changed_since=query.changed_since,
            conditions=query.conditions,
            missing_evidence=query.missing_evidence,
            ids=query.ids,
            verified=query.verified,
            with_money=query.with_money,
        )
        self._title = (
            title if title else (self._describe(query) if self._base != RecordQuery() else None)
        )
        if query.sort:
            self._model.set_query(
                replace(self._model.query, sort=query.sort, descending=query.descending)
            )
            self.table.horizontalHeader().setSortIndicator(
                self._model.sort_column(),
                Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder,
            )
        self.refresh()

    @staticmethod
    def _describe(query: RecordQuery) -> str:
        if query.conditions:
            return "指定条件的记录"
        if query.ids is not None:
            return f"指定的 {len(query.ids)} 条记录"
        if query.changed_since is not None:
            return f"{query.changed_since:%Y-%m-%d %H:%M}以后修改的记录"
        if query.verified is False and query.with_money:
            return "有金额、尚未复核的记录"
        return "筛选结果"

    def show_all(self) -> None:
        """Drop every filter and the pre-filter: the whole ledger again."""
        self._base = RecordQuery()
        self._title = None
        self.filter_bar.set_from_query(RecordQuery())
        self.refresh()

    def clear_filters(self) -> None:
        self.filter_bar.clear()

    def row_menu(self) -> QMenu:
        """修改 / 删除 / 复制身份证号 / 查看修改记录 for the selected row."""
        menu = QMenu(self)
        deleted_view = self.deleted_toggle.isChecked()
        record_id = self.current_id()
        edit = menu.addAction("查看" if deleted_view else "修改", self.edit_current)
        if deleted_view:
            delete = menu.addAction("恢复", self.restore_selected)
        else:
            delete = menu.addAction("删除", self.delete_selected)
        copy = menu.addAction("复制身份证号", self.copy_id_number)
        copy.setVisible("id_number" in self.ledger.by_name)
        history = menu.addAction("查看修改记录", self.show_history)
        if not deleted_view:
            menu.addAction("复核录入（F8）", self.verify_current)
        for action in (edit, delete, copy, history):
            action.setEnabled(record_id is not None)
        return menu

    def show_row_menu(self, where: QPoint, view: QTableView | None = None) -> QMenu:
        view = view or self.table
        index = view.indexAt(view.viewport().mapFromGlobal(where))
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())
        menu = self.row_menu()
        menu.popup(where)
        return menu

    def copy_id_number(self) -> str | None:
        record_id = self.current_id()
        if record_id is None or "id_number" not in self.ledger.by_name:
            return None
        number = self.service.get(record_id).values.get("id_number")
        if number:
            QApplication.clipboard().setText(str(number))
            self.status_label.setText("身份证号已复制")
        return number

    def show_history(self) -> RecordDialog | None:
        dialog = self.edit_current()
        if dialog is not None:
            dialog.tabs.setCurrentWidget(dialog.history_view)
        return dialog

    def go_to_results(self) -> None:
        """Enter or ↓ in the search box: search now and move into the results (first row
        selected), so the next Enter opens it; Esc there comes back to the search box."""
        self.filter_bar.flush()
        self.table.setFocus()
        if self._model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def focus_search(self) -> None:
        """Ctrl+F (also from the window, wherever the focus is): into the search box."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # --- selection --------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self._model.record_id(row) for row in rows]
        return [i for i in ids if i is not None]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if index.isValid() and self.table.selectionModel().isRowSelected(
            index.row(), QModelIndex()
        ):
            return self._model.record_id(index.row())
        selected = self.selected_ids()
        return selected[0] if selected else None

    def select_record(self, record_id: int) -> bool:
        """Select and show ``record_id``; False when the current list does not hold it."""
        return self._select_ids([record_id])

    def _select_ids(self, ids: list[int]) -> bool:
        selection = self.table.selectionModel()
        selection.clearSelection()
        rows = [r for r in (self._model.row_of(i) for i in ids) if r is not None]
        for row in rows:
            selection.select(
                self._model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        if rows:
            index = self._model.index(rows[0], 0)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(index)
        return bool(rows)

    def _update_actions(self, *_args: object) -> None:
        deleted_view = self.deleted_toggle.isChecked()
        has_selection = bool(self.table.selectionModel().selectedRows())
        self.new_button.setEnabled(not deleted_view)
        self.edit_button.setEnabled(has_selection)
        self.edit_button.setText("查看" if deleted_view else "修改")
        self.verify_button.setEnabled(has_selection and not deleted_view)
        self.delete_button.setEnabled(has_selection and not deleted_view)
        self.delete_button.setVisible(not deleted_view)
        self.restore_button.setVisible(deleted_view)
        self.restore_button.setEnabled(has_selection and deleted_view)

    # --- records ----------------------------------------------------------------------

    def _open_dialog(self, dialog: RecordDialog) -> RecordDialog:
        self.dialog = dialog
        dialog.saved.connect(self._saved)
        dialog.attachments_panel.changed.connect(lambda _count: self.refresh())
        dialog.finished.connect(lambda _result, d=dialog: self._dialog_finished(d))
        dialog.open()  # window-modal, does not block the event loop
        return dialog

    def _dialog_finished(self, dialog: RecordDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def new_record(self) -> RecordDialog | None:
        """Open an empty form (place from the settings)."""
        if self.deleted_toggle.isChecked():
            self.deleted_toggle.setChecked(False)
        return self._open_dialog(
            RecordDialog(self.book, self.ledger, None, self, drafts=self.drafts)
        )

    def edit_record(self, record_id: int) -> RecordDialog | None:
        """Open ``record_id`` in the form (read-only when it is deleted)."""
        try:
            dialog = RecordDialog(self.book, self.ledger, record_id, self, drafts=self.drafts)
        except UserError as error:
            QMessageBox.warning(self, "无法打开", str(error))
            self.refresh()
            return None
        return self._open_dialog(dialog)

    def verify_current(self) -> VerifyDialog | None:
        """Open the blind second keying of the current record (复核录入)."""
        from hebi_desktop.ui.dialogs.verify_dialog import VerifyDialog

        record_id = self.current_id()
        if self.deleted_toggle.isChecked():
            self.say("已删除的记录不能复核；先恢复它，再复核录入（F8）")
            return None
        if record_id is None:
            self.ask_for_row("复核录入（F8）")
            return None
        try:
            dialog = VerifyDialog(self.book, self.ledger, record_id, self)
        except UserError as error:
            QMessageBox.information(self, "复核录入", str(error))
            return None
        self.verify_dialog = dialog
        dialog.verified.connect(self._saved)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()
        return dialog

    def edit_current(self) -> RecordDialog | None:
        record_id = self.current_id()
        if record_id is None:
            self.ask_for_row("查看" if self.deleted_toggle.isChecked() else "修改（回车）")
            return None
        return self.edit_record(record_id)

    def ask_for_row(self, action: str) -> None:
        """A row action with no row chosen says what to do instead of nothing."""
        self.say(f"请先选中一行（点表格中的记录，或用↑↓键），再{action}")

    def _open_index(self, index: QModelIndex) -> None:
        record_id = self._model.record_id(index.row())
        if record_id is not None:
            self.edit_record(record_id)

    def _saved(self, record_id: int) -> None:
        self._forget_undo()
        self.refresh()
        shown = self.select_record(record_id)
        what = self._saved_label(record_id)
        if shown:
            self.say(f"已保存：{what}")
        else:  # the search or a filter hides it: say so, and offer to show it
            self.saved_hidden = record_id
            self.say(f"已保存：{what}。当前的搜索或筛选条件下不显示这条记录")
            self.reveal_button.show()
        self.records_changed.emit()

    def _saved_label(self, record_id: int) -> str:
        """张三 410…1234: whom the clerk just saved, the ID number shortened."""
        try:
            values = self.service.get(record_id).values
        except (RecordNotFound, StorageError):
            return "记录"
        name = display_value(
            self.ledger.field(self.ledger.name_field), values.get(self.ledger.name_field)
        )
        number = str(values.get("id_number") or "")
        short = f"{number[:3]}…{number[-4:]}" if len(number) > 7 else number
        return " ".join(part for part in (name, short) if part) or "记录"

    def say(self, text: str) -> None:
        """A short confirmation on the page and in the window's status bar."""
        self.status_label.setText(text)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)

    def reveal_saved(self) -> bool:
        """显示该记录: drop the search and filters, then select the saved record."""
        record_id, self.saved_hidden = self.saved_hidden, None
        self.reveal_button.hide()
        if record_id is None:
            return False
        self.show_all()
        return self.select_record(record_id)

    def _delete_or_restore(self) -> None:
        if self.deleted_toggle.isChecked():
            self.restore_selected()
        else:
            self.delete_selected()

    def delete_selected(self) -> int:
        """Delete the selected records after a confirmation; returns how many went."""
        ids = self.selected_ids()
        if self.deleted_toggle.isChecked():
            return 0
        if not ids:
            self.ask_for_row("删除（Delete）")
            return 0
        if len(ids) == 1:
            record = self._model.record(self._model.row_of(ids[0]) or 0)
            what = self._label(record.values if record else {})
            question = f"确定删除{what}吗？\n\n删除后可点“撤销删除”，或在“已删除记录”中恢复。"
        else:
            question = (
                f"确定删除选中的 {len(ids)} 条记录吗？\n\n"
                "删除后可点“撤销删除”，或在“已删除记录”中恢复。"
            )
        if QMessageBox.question(self, "删除记录", question, Yes | No, No) != Yes:
            return 0
        try:  # one transaction: all of them go, or none
            self.service.delete_many(dict.fromkeys(ids))
        except UserError as error:
            self.refresh()
            QMessageBox.warning(self, "记录未删除", f"{error}\n\n选中的记录都没有删除。")
            return 0
        self._forget_undo()
        self.last_deleted = ids
        self.refresh()
        self.say(f"已删除 {len(ids)} 条记录")
        self._offer_undo("撤销删除", "恢复刚刚删除的记录（Ctrl+Z）")
        self.records_changed.emit()
        return len(ids)

    def _offer_undo(self, label: str, tip: str) -> None:
        self.undo_button.setText(label)
        self.undo_button.setToolTip(tip)
        self.undo_button.show()

    def undo_last(self) -> int:
        """撤销 (the button or Ctrl+Z): undo the last delete or restore of this page."""
        if self.last_deleted:
            return self.undo_delete()
        if self.last_restored:
            return self.undo_restore()
        return 0

    def undo_delete(self) -> int:
        """Bring back what the last delete removed."""
        ids, self.last_deleted = self.last_deleted, []
        restored = self._restore(ids)
        self._forget_undo()
        if restored:
            self.say(f"已撤销删除，恢复 {restored} 条记录")
            self._select_ids(ids)
        return restored

    def undo_restore(self) -> int:
        """Delete again what the last 恢复 brought back (one transaction)."""
        ids, self.last_restored = self.last_restored, []
        self._forget_undo()
        try:
            self.service.delete_many(dict.fromkeys(ids))
        except UserError as error:
            self.refresh()
            QMessageBox.warning(self, "未能撤销", f"{error}\n\n记录仍是恢复后的状态。")
            return 0
        self.refresh()
        self.records_changed.emit()
        self.say(f"已撤销恢复，{len(ids)} 条记录重新放回“已删除记录”")
        return len(ids)

    def restore_selected(self) -> int:
        """Restore the selected records of the deleted view; returns how many came back."""
        if not self.deleted_toggle.isChecked():
            return 0
        ids = self.selected_ids()
        if not ids:
            self.ask_for_row("恢复")
            return 0
        self._forget_undo()
        restored = self._restore(ids)
        if restored:
            self.last_restored = ids
            self.say(f"已恢复 {restored} 条记录")
            self._offer_undo("撤销恢复", "把刚刚恢复的记录重新删除（Ctrl+Z）")
        return restored

    def _restore(self, ids: list[int]) -> int:
        if not ids:
            return 0
        try:  # one transaction: all of them come back, or none
            self.service.restore_many(ids)
        except UserError as error:
            self.refresh()
            QMessageBox.warning(self, "未能恢复", f"{error}\n\n选中的记录都没有恢复。")
            return 0
        self.refresh()
        self.records_changed.emit()
        return len(ids)

    def _forget_undo(self) -> None:
        self.last_deleted = []
        self.last_restored = []
        self.saved_hidden = None
        self.undo_button.hide()
        self.reveal_button.hide()
        self.status_label.setText("")

    def _label(self, values: dict[str, Any]) -> str:
        name_field = self.ledger.field(self.ledger.name_field)
        name = display_value(name_field, values.get(name_field.name))
        return f"“{name}”这条记录" if name else "这条记录"

    # --- drafts -----------------------------------------------------------------------

    def pending_drafts(self) -> list[DraftInfo]:
        """Unsaved forms of this ledger left by a crash or power cut."""
        try:
            return self.drafts.list(self.ledger.key)
        except StorageError:
            log.exception("could not read drafts")
            return []

    def offer_drafts(self) -> list[RecordDialog]:
        """Ask about each draft; yes reopens the form filled with it, no discards it."""
        opened: list[RecordDialog] = []
        for draft in self.pending_drafts():
            answer = QMessageBox.question(
                self,
                "恢复未保存的录入",
                self._draft_question(draft),
                Yes | No,
                Yes,
            )
            if answer != Yes:
                self.drafts.discard(draft.id)
                continue
            dialog = self._draft_dialog(draft)
            if dialog is not None:
                opened.append(self._open_dialog(dialog))
        return opened

    def _draft_question(self, draft: DraftInfo) -> str:
        name_field = self.ledger.field(self.ledger.name_field)
        name = draft.values.get(name_field.name) or "未填写名称"
        what = "新记录" if draft.is_new else f"对记录编号{draft.record_id}的修改"
        return (
            f"{self.ledger.title}有一份未保存的{what}（{name}，"
            f"{draft.updated_at:%Y-%m-%d %H:%M}），可能是上次没有正常退出。\n\n"
            "是否打开继续填写？选“否”将丢弃这份草稿。"
        )

    def _draft_dialog(self, draft: DraftInfo) -> RecordDialog | None:
        record_id = draft.record_id
        if record_id is not None:
            try:
                if self.service.get(record_id).deleted:
                    raise RecordNotFound(record_id)
            except RecordNotFound:
                QMessageBox.information(
                    self,
                    "恢复未保存的录入",
                    f"记录编号{record_id}已被删除，草稿将作为一条新记录打开。",
                )
                record_id = None
        return RecordDialog(
            self.book,
            self.ledger,
            record_id,
            self,
            initial_values=draft.values,
            draft_id=draft.id,
            drafts=self.drafts,
            base_version=draft.base_version if record_id is not None else None,
        )
