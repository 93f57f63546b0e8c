"""Every action answers: a saved record is confirmed and selected (or offered when a
filter hides it); 撤销 and Ctrl+Z undo the last delete or restore, and say so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from hebi_desktop.services.book import Book
from tests.samples import HOUSEHOLD_HEAD_ID
from tests.ui.ledger_helpers import Messages, fill, retype
from tests.ui.test_ledger_page import add_households, make_page

LEFT = Qt.MouseButton.LeftButton


def in_window(qtbot, page):  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(page)
    window.resize(1200, 800)
    window.show()
    return window


def test_saving_confirms_and_selects_the_saved_row(qtbot, book: Book, messages: Messages) -> None:
    first, _second, _third = add_households(book)
    page = make_page(qtbot, book, "housing")
    window = in_window(qtbot, page)
    dialog = page.edit_record(first)
    assert dialog is not None
    fill(qtbot, dialog.form, {"remarks": "已复查"})
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = f"已保存：张秀英 {HOUSEHOLD_HEAD_ID[:3]}…{HOUSEHOLD_HEAD_ID[-4:]}"
    assert window.statusBar().currentMessage() == expected
    assert page.selected_ids() == [first]
    assert not page.reveal_button.isVisible()


def test_a_saved_record_hidden_by_the_search_is_offered(
    qtbot, book: Book, messages: Messages
) -> None:
    first, second, _third = add_households(book)
    page = make_page(qtbot, book, "housing")
    window = in_window(qtbot, page)
    retype(qtbot, page.search_edit, "李桂兰")
    page.filter_bar.flush()
    assert page.model.rowCount() == 1
    dialog = page.edit_record(first)  # 张秀英, not what the search shows
    assert dialog is not None
    fill(qtbot, dialog.form, {"remarks": "已复查"})
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "当前的搜索或筛选条件下不显示" in window.statusBar().currentMessage()
    assert page.reveal_button.isVisible() and page.selected_ids() == []
    qtbot.mouseClick(page.reveal_button, LEFT)
    assert page.search_edit.text() == ""
    assert page.selected_ids() == [first]
    assert second in [page.model.record_id(r) for r in range(page.model.rowCount())]


def test_restore_offers_its_own_undo_and_ctrl_z_undoes_delete_and_restore(
    qtbot, book: Book, messages: Messages
) -> None:
    first, _second, _third = add_households(book)
    service = book.records("housing")
    page = make_page(qtbot, book, "housing")
    page.activateWindow()  # shortcuts work in the active window
    qtbot.waitUntil(page.isActiveWindow)
    page.select_record(first)
    page.delete_selected()
    assert service.get(first).deleted and page.undo_button.text() == "撤销删除"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not service.get(first).deleted
    assert "已撤销删除" in page.status_label.text()

    page.select_record(first)
    page.delete_selected()
    page.deleted_toggle.click()
    page.select_record(first)
    qtbot.mouseClick(page.restore_button, LEFT)
    assert not service.get(first).deleted
    assert page.status_label.text() == "已恢复 1 条记录"
    assert page.undo_button.isVisible() and page.undo_button.text() == "撤销恢复"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert service.get(first).deleted  # back in the bin, as the button would have done
    assert "已撤销恢复" in page.status_label.text() and not page.undo_button.isVisible()
