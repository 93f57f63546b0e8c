"""The ledger table: key columns stay in view when scrolling right, the row menu, the full
text of a cut-off cell on hover, pinyin order from a header click, column widths kept."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from tests import samples
from tests.ui.test_ledger_page import add_households, make_page


def test_key_columns_stay_visible_when_scrolled_right(qtbot, book: Book) -> None:
    add_households(book)
    page = make_page(qtbot, book, "housing")
    page.resize(700, 500)
    table = page.table
    frozen = table.frozen_view
    name, number = page.model.column_of("head_name"), page.model.column_of("id_number")
    assert table.horizontalHeader().visualIndex(name) == 0  # key columns first
    assert table.horizontalHeader().visualIndex(number) == 1
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    qtbot.wait(10)
    assert table.horizontalScrollBar().value() > 0
    assert frozen.isVisible()
    shown = [c for c in range(page.model.columnCount()) if not frozen.isColumnHidden(c)]
    assert shown == sorted([name, number])
    assert frozen.width() == table.columnWidth(name) + table.columnWidth(number)
    # The overlay shows the same rows as the table, also after a new search.
    page.search_edit.setText("张")
    page.filter_bar.flush()
    shown = [c for c in range(page.model.columnCount()) if not frozen.isColumnHidden(c)]
    assert shown == sorted([name, number])
    assert frozen.model().index(0, name).data() == "张秀英"


def test_row_menu_offers_edit_delete_copy_and_history(qtbot, book: Book, messages) -> None:
    add_households(book)
    page = make_page(qtbot, book, "housing")
    rect = page.table.visualRect(page.model.index(0, page.model.column_of("village")))
    menu = page.show_row_menu(page.table.viewport().mapToGlobal(rect.center()))
    texts = [a.text() for a in menu.actions() if a.isVisible()]
    assert texts == ["修改", "删除", "复制身份证号", "查看修改记录", "复核录入（F8）"]
    menu.close()
    record = book.records("housing").get(page.current_id())  # type: ignore[arg-type]
    page.copy_id_number()
    assert QApplication.clipboard().text() == record.values["id_number"]
    dialog = page.show_history()
    assert dialog is not None
    assert dialog.tabs.currentWidget() is dialog.history_view


def test_water_rows_have_no_id_number_to_copy(qtbot, book: Book) -> None:
    book.records("water").create(samples.water())
    page = make_page(qtbot, book, "water")
    page.table.selectRow(0)
    texts = [a.text() for a in page.row_menu().actions() if a.isVisible()]
    assert "复制身份证号" not in texts


def test_cut_off_cell_shows_its_text_on_hover(qtbot, book: Book) -> None:
    book.records("housing").create(samples.housing(address="王庄村十二组村委会东侧第三排12号院"))
    page = make_page(qtbot, book, "housing")
    column = page.model.column_of("address")
    page.table.setColumnWidth(column, 40)
    page.table.scrollTo(page.model.index(0, column))
    centre = page.table.visualRect(page.model.index(0, column)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, page.table.viewport().mapToGlobal(centre))
    QApplication.sendEvent(page.table.viewport(), event)
    assert QToolTip.text() == "王庄村十二组村委会东侧第三排12号院"


def test_header_click_sorts_names_in_pinyin_order(qtbot, book: Book) -> None:
    service = book.records("housing")
    for serial, name in enumerate(["赵六", "安静", "丁一"], start=1):
        id_number = resident_id.make("410622", dt.date(1950, 1, 1), serial)
        service.create(samples.housing(head_name=name, id_number=id_number))
    page = make_page(qtbot, book, "housing")
    column = page.model.column_of("head_name")
    page.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
    names = [page.model.display_text(r, "head_name") for r in range(page.model.rowCount())]
    assert names == ["安静", "丁一", "赵六"]


def test_column_widths_are_kept_for_the_next_start(qtbot, book: Book) -> None:
    first = make_page(qtbot, book, "housing")
    column = first.model.column_of("remarks")
    first.table.setColumnWidth(column, 333)
    second = LedgerPage(book, get_ledger("housing"))
    qtbot.addWidget(second)
    assert second.table.columnWidth(column) == 333


def test_an_empty_ledger_says_how_to_add_records(qtbot, book: Book) -> None:
    page = make_page(qtbot, book, "housing")
    assert page.empty_label.isVisible()
    assert "新建" in page.empty_label.text() and "导入" in page.empty_label.text()
    book.records("housing").create(samples.housing())
    page.refresh()
    assert not page.empty_label.isVisible()


def test_a_click_on_a_frozen_key_column_selects_the_row(qtbot, book: Book) -> None:
    add_households(book)
    page = make_page(qtbot, book, "housing")
    frozen = page.table.frozen_view
    index = page.model.index(1, page.model.column_of("head_name"))
    qtbot.mouseClick(
        frozen.viewport(), Qt.MouseButton.LeftButton, pos=frozen.visualRect(index).center()
    )
    assert page.selected_ids() == [page.model.record_id(1)]
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()


def test_the_sort_shows_its_indicator_and_is_kept_per_ledger(qtbot, book: Book) -> None:
    add_households(book)
    first = make_page(qtbot, book, "housing")
    header = first.table.horizontalHeader()
    name = first.model.column_of("head_name")
    frozen_header = first.table.frozen_view.horizontalHeader()
    where = QPoint(frozen_header.sectionViewportPosition(name) + 5, 5)
    # The 户主姓名 header the clerk sees is the frozen overlay's.
    qtbot.mouseClick(frozen_header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert header.sortIndicatorSection() == name
    assert frozen_header.isSortIndicatorShown() and frozen_header.sortIndicatorSection() == name
    header.setSortIndicator(name, Qt.SortOrder.DescendingOrder)
    assert first.model.query.sort == "head_name" and first.model.query.descending

    again = LedgerPage(book, get_ledger("housing"))  # the next start
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().sortIndicatorSection() == name
    assert again.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert again.model.query.sort == "head_name" and again.model.query.descending
    water = LedgerPage(book, get_ledger("water"))  # another ledger keeps its own
    qtbot.addWidget(water)
    assert water.model.query.sort is None
