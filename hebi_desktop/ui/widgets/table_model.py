"""The ledger table's model: all matching ids up front, rows fetched in blocks on demand.

A ledger may hold 100,000 records. Asking the database for every matching id is
cheap (one indexed column), so the model holds that list and knows its row count
at once; the records themselves are fetched a block at a time when the view
first paints a row of the block, and only a bounded number of blocks is kept
(least recently used first out). Scrolling to the end of a large ledger thus costs
one small query, never a load of the whole table. Sorting and filtering re-query
the ids with a new :class:`RecordQuery`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.fields import Field, Kind, Ledger
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.records import Record, RecordService
from hebi_desktop.ui import qt_fixes  # noqa: F401 - binding fixes, applied on import

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

FLAGGED_BACKGROUND = QColor("#fff3e0")
DELETED_FOREGROUND = QColor("#8a8a8a")
ATTACHMENTS_HEADER = "附件"
NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.DECIMAL, Kind.MONEY})
# Roles that need the record itself; others (size hints, fonts...) must not trigger a fetch.
_RECORD_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.UserRole,
    }
)

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book


class LedgerTableModel(QAbstractTableModel):
    """Rows of one ledger for a query; columns are the declared fields (derived included),
    then the number of attachments (附件), counted per block with the rows.

    ``Qt.UserRole`` on any cell gives the record id.
    """

    def __init__(
        self,
        service: RecordService,
        ledger: Ledger,
        parent: Any = None,
        *,
        block_size: int = 200,
        max_blocks: int = 30,
        load: bool = True,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.ledger = ledger
        self.fields: tuple[Field, ...] = ledger.fields
        self.block_size = block_size
        self.max_blocks = max_blocks
        self._query = RecordQuery()
        self._ids: list[int] = []
        self._positions: dict[int, int] | None = None
        self._blocks: OrderedDict[int, list[Record | None]] = OrderedDict()
        self._attachment_counts: dict[int, int] = {}
        self.attachments_column = len(self.fields)
        self.fetch_count = 0  # how many block queries ran: lets tests prove laziness
        self._warning_icon: QIcon | None = None
        if load:  # a page that sets its own query right away passes False: one id query, not two
            self._reload_ids()

    # --- queries ------------------------------------------------------------------

    @property
    def query(self) -> RecordQuery:
        return self._query

    def set_query(self, query: RecordQuery) -> None:
        """Show the records matching ``query`` (its sort decides the order)."""
        self.beginResetModel()
        self._query = query
        self._reload_ids()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read ids and drop cached rows (after a write or an import)."""
        self.set_query(self._query)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header click: re-query ids ordered by the column (no column: newest first)."""
        if 0 <= column < len(self.fields):
            name: str | None = self.fields[column].name
            descending = order == Qt.SortOrder.DescendingOrder
        else:
            name, descending = None, False
        if name == self._query.sort and descending == self._query.descending:
            return
        self.beginResetModel()
        self._query = replace(self._query, sort=name, descending=descending)
        self._reload_ids()
        self.endResetModel()

    def sort_column(self) -> int:
        """The column the rows are sorted by, -1 for the default order."""
        for column, field in enumerate(self.fields):
            if field.name == self._query.sort:
                return column
        return -1

    def _reload_ids(self) -> None:
        self._ids = self.service.ids(self._query)
        self._positions = None
        self._blocks.clear()
        self._attachment_counts.clear()

    # --- rows -----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[int]:
        return self._ids

    def record_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int | None:
        """The row showing ``record_id``, or ``None`` when it is not in the list."""
        if self._positions is None:
            self._positions = {rid: row for row, rid in enumerate(self._ids)}
        return self._positions.get(record_id)

    def record(self, row: int) -> Record | None:
        """The record in ``row``, fetching its block if needed."""
        if not 0 <= row < len(self._ids):
            return None
        number, offset = divmod(row, self.block_size)
        block = self._blocks.get(number)
        if block is None:
            block = self._load_block(number)
        else:
            self._blocks.move_to_end(number)
        return block[offset] if offset < len(block) else None

    def _load_block(self, number: int) -> list[Record | None]:
        start = number * self.block_size
        ids = self._ids[start : start + self.block_size]
        found = {record.id: record for record in self.service.fetch(ids)}
        block: list[Record | None] = [found.get(rid) for rid in ids]
        # The service was made by the book, which also keeps the attachments.
        book = cast("Book", self.service.book)
        counts = book.attachments(self.ledger).counts(ids)
        self._attachment_counts.update({rid: counts.get(rid, 0) for rid in ids})
        self.fetch_count += 1
        self._blocks[number] = block
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        return block

    @property
    def cached_blocks(self) -> int:
        return len(self._blocks)

    # --- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.fields) + 1

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if section == self.attachments_column:
                if role == Qt.ItemDataRole.DisplayRole:
                    return ATTACHMENTS_HEADER
                if role == Qt.ItemDataRole.ToolTipRole:
                    return "照片、扫描件等附件的个数（在记录的“附件”页查看和添加）"
                return None
            if not 0 <= section < len(self.fields):
                return None
            field = self.fields[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return field.header
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{field.header}（{field.rule_text()}）——单击按此列排序"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)  # 序号
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == self.attachments_column or self.fields[column].kind in NUMERIC_KINDS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role not in _RECORD_ROLES:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.record_id(row)
        record = self.record(row)
        if record is None:
            return None
        if column == self.attachments_column:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self._attachment_counts.get(record.id) or "")
            return None
        field = self.fields[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(field, record.values.get(field.name))
        if role == Qt.ItemDataRole.ToolTipRole:
            verified = (
                f"已复核：{record.verified_by} {record.verified_at:%Y-%m-%d %H:%M}"
                if record.verified_at is not None
                else ""
            )
            if record.flagged and record.warnings:
                return "\n".join(["待核实：", *record.warnings, *([verified] if verified else [])])
            if record.deleted_at is not None:
                return f"已于{record.deleted_at:%Y-%m-%d %H:%M}删除"
            return verified or None
        if role == Qt.ItemDataRole.DecorationRole:
            if column == 0 and record.flagged:
                return self.warning_icon()
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(FLAGGED_BACKGROUND) if record.flagged else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(DELETED_FOREGROUND) if record.deleted_at is not None else None
        return None

    def warning_icon(self) -> QIcon:
        if self._warning_icon is None:
            app = QApplication.instance()
            style = app.style() if isinstance(app, QApplication) else None
            self._warning_icon = (
                style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style else QIcon()
            )
        return self._warning_icon

    def display_text(self, row: int, name: str) -> str:
        """The text a cell shows, by field name (for callers and tests)."""
        record = self.record(row)
        if record is None:
            return ""
        return display_value(self.ledger.field(name), record.values.get(name))

    def column_of(self, name: str) -> int:
        for column, field in enumerate(self.fields):
            if field.name == name:
                return column
        raise KeyError(name)
