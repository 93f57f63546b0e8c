"""A table whose key columns (姓名, 身份证号) stay in view while it scrolls sideways.

Qt's "frozen column" pattern: a second view over the same model and selection, showing
only the key columns, laid over the left edge of the main view and scrolled with it
vertically. The key columns are moved to the front of the main view so the overlay covers
exactly them. Cells too narrow for their text show the whole text on hover.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QToolTip, QWidget

CELL_PADDING = 10


def show_full_text(view: QTableView, event: QEvent) -> bool:
    """A tooltip with the cell's whole text when the column cuts it off; True if shown."""
    if event.type() != QEvent.Type.ToolTip:
        return False
    assert isinstance(event, QHelpEvent)
    index = view.indexAt(event.pos())
    if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
        return False
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    width = view.fontMetrics().horizontalAdvance(text) + CELL_PADDING
    if not text or width <= view.columnWidth(index.column()):
        return False
    QToolTip.showText(event.globalPos(), text, view.viewport())
    return True


class FrozenColumnsTable(QTableView):
    """The ledger table: ``frozen`` columns (by model column) stay at the left edge."""

    def __init__(self, frozen: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen_columns = list(frozen)
        self.frozen_view = QTableView(self)
        self.frozen_view.setObjectName("frozenColumns")
        self.frozen_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen_view.verticalHeader().hide()
        self.frozen_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.frozen_view.setWordWrap(False)
        self.frozen_view.setStyleSheet("QTableView#frozenColumns { border: none; }")
        self.frozen_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen_view.viewport().installEventFilter(self)
        self.viewport().stackUnder(self.frozen_view)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.frozen_view.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen_view.verticalScrollBar().setValue)
        self.frozen_view.doubleClicked.connect(self.doubleClicked)
        self.frozen_view.horizontalHeader().sectionClicked.connect(self._frozen_header_clicked)
        self.frozen_view.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().sortIndicatorChanged.connect(self._show_sort_on_frozen)

    def setSelectionBehavior(self, behavior: QAbstractItemView.SelectionBehavior) -> None:
        """The overlay selects as the main view does: a click on 户主姓名 selects the row."""
        super().setSelectionBehavior(behavior)
        self.frozen_view.setSelectionBehavior(behavior)

    def setSelectionMode(self, mode: QAbstractItemView.SelectionMode) -> None:
        super().setSelectionMode(mode)
        self.frozen_view.setSelectionMode(mode)

    def _show_sort_on_frozen(self, column: int, order: Qt.SortOrder) -> None:
        """The sort indicator on a frozen column's header, where the clerk sees it."""
        header = self.frozen_view.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column if column in self.frozen_columns else -1, order)
        header.blockSignals(False)

    # --- set-up -----------------------------------------------------------------------

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self.frozen_view.setModel(model)
        self.frozen_view.setSelectionModel(self.selectionModel())
        if model is not None:
            model.modelReset.connect(self.arrange)
        self.arrange()

    def arrange(self) -> None:
        """Key columns first in the main view and alone in the overlay (again after a reset)."""
        model = self.model()
        if model is None:
            return
        header = self.horizontalHeader()
        for visual, column in enumerate(self.frozen_columns):
            header.moveSection(header.visualIndex(column), visual)
        for column in range(model.columnCount()):
            self.frozen_view.setColumnHidden(column, column not in self.frozen_columns)
            if column in self.frozen_columns:
                self.frozen_view.setColumnWidth(column, self.columnWidth(column))
        self.frozen_view.horizontalHeader().setSectionsMovable(False)
        for visual, column in enumerate(self.frozen_columns):
            frozen_header = self.frozen_view.horizontalHeader()
            frozen_header.moveSection(frozen_header.visualIndex(column), visual)
        self.frozen_view.setVisible(bool(self.frozen_columns))
        self._place()

    def frozen_width(self) -> int:
        return sum(self.columnWidth(c) for c in self.frozen_columns)

    def _match_look(self) -> None:
        """Same row heights and stripes as the main view (set on it after construction)."""
        mine, theirs = self.verticalHeader(), self.frozen_view.verticalHeader()
        if theirs.defaultSectionSize() != mine.defaultSectionSize():
            theirs.setSectionResizeMode(
                mine.sectionResizeMode(0) if mine.count() else QHeaderView.ResizeMode.Fixed
            )
            theirs.setDefaultSectionSize(mine.defaultSectionSize())
        if self.frozen_view.alternatingRowColors() != self.alternatingRowColors():
            self.frozen_view.setAlternatingRowColors(self.alternatingRowColors())

    def _place(self) -> None:
        self._match_look()
        frame = self.frameWidth()
        self.frozen_view.setGeometry(
            self.verticalHeader().width() + frame,
            frame,
            self.frozen_width(),
            self.viewport().height() + self.horizontalHeader().height(),
        )

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column in self.frozen_columns:
            self.frozen_view.setColumnWidth(column, new)
            self._place()

    def _row_resized(self, row: int, _old: int, new: int) -> None:
        self.frozen_view.setRowHeight(row, new)

    def _frozen_header_clicked(self, column: int) -> None:
        """A click on a frozen header sorts like a click on the main one."""
        header = self.horizontalHeader()
        order = (
            Qt.SortOrder.DescendingOrder
            if header.sortIndicatorSection() == column
            and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            else Qt.SortOrder.AscendingOrder
        )
        header.setSortIndicator(column, order)

    # --- keeping the overlay in step --------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self._place()

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Moving right past the key columns scrolls so the cell is not hidden under them."""
        current = super().moveCursor(cursorAction, modifiers)
        if (
            cursorAction == QAbstractItemView.CursorAction.MoveLeft
            and current.isValid()
            and current.column() not in self.frozen_columns
            and self.visualRect(current).left() < self.frozen_width()
        ):
            value = (
                self.horizontalScrollBar().value()
                + self.visualRect(current).left()
                - self.frozen_width()
            )
            self.horizontalScrollBar().setValue(value)
        return current

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        if index.column() not in self.frozen_columns:
            super().scrollTo(index, hint)
        else:  # only scroll vertically to a frozen cell
            row = self.model().index(index.row(), self.columnAt(self.frozen_width() + 1))
            super().scrollTo(row if row.isValid() else index, hint)

    def viewportEvent(self, event: QEvent) -> bool:
        if show_full_text(self, event):
            return True
        return super().viewportEvent(event)

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if watched is self.frozen_view.viewport() and show_full_text(self.frozen_view, event):
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
