"""The desk without a mouse: a whole record typed with keys only, the search box leading
into the results, choices found by pinyin initials, a focus ring a clerk can see."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.ui.app import make_application
from hebi_desktop.ui.dialogs.record_form import RecordDialog
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from hebi_desktop.ui.widgets.field_widgets import (
    ChoiceEditor,
    DateEditor,
    LineEditor,
    best_choice,
    make_editor,
)
from tests import samples
from tests.ui.ledger_helpers import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
HOUSING = get_ledger("housing")

# (field, what the clerk types) in reading order; Chinese arrives as an IME commit.
# Choice boxes get pinyin initials; 否 for 纳入改造 and 销号 disables the fields after them.
TYPED = [
    ("village", "王庄村"),
    ("head_name", "张秀英"),
    ("id_number", samples.HOUSEHOLD_HEAD_ID),
    ("phone", "13803921234"),
    ("household_size", "3"),
    ("household_category", "tph"),  # 脱贫户
    ("address", "王庄村12号"),
    ("structure", "zm"),  # 砖木
    ("built_year", "1985"),
    ("floors", "1"),
    ("floor_area", "86.5"),
    ("check_method", "zcdq"),  # 镇村定期排查
    ("check_date", "2024.5.9"),
    ("checker", "李建国"),
    ("safety_grade", "b"),  # B级
    ("in_renovation", "f"),  # 否
    ("subsidy_amount", ""),
    ("closed", "f"),  # 否
    ("remarks", ""),
]


@pytest.fixture
def window(qtbot, book: Book) -> MainWindow:
    shown = MainWindow(book)
    qtbot.addWidget(shown)
    shown.show()
    shown.activateWindow()
    qtbot.waitActive(shown)
    return shown


def open_by_keys(qtbot, window: MainWindow) -> RecordDialog:
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)  # 住房安全
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    page = window.ledger_page("housing")
    assert isinstance(page, LedgerPage)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isActiveWindow())
    assert page.dialog is not None
    return page.dialog


def test_a_housing_record_typed_with_keys_only(qtbot, window: MainWindow, book: Book) -> None:
    dialog = open_by_keys(qtbot, window)
    form = dialog.form
    for name, text in TYPED:
        # The cursor is where the reading order says: first on 行政村 (the first empty
        # required field, county and township come from the settings), then Tab by Tab.
        focused = QApplication.focusWidget()
        assert focused is form.editors[name].focus_widget(), f"expected {name}, at {focused}"
        if text:
            type_text(qtbot, focused, text)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    [record] = book.records("housing").list()
    values = record.values
    assert values["village"] == "王庄村" and values["head_name"] == "张秀英"
    assert values["household_category"] == "脱贫户" and values["structure"] == "砖木"
    assert values["check_method"] == "镇村定期排查" and values["safety_grade"] == "B级"
    assert values["check_date"] == dt.date(2024, 5, 9)
    assert values["address"] == "王庄村12号" and values["checker"] == "李建国"
    assert values["in_renovation"] is False and values["closed"] is False


def test_search_box_leads_into_the_results_and_back(qtbot, window: MainWindow, book: Book) -> None:
    book.records("housing").create(samples.housing())
    book.records("housing").create(samples.housing(head_name="李四", id_number=samples.STUDENT_ID))
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    page = window.ledger_page("housing")
    assert isinstance(page, LedgerPage)
    window.nav.setFocus()  # Ctrl+2 leaves the focus in the navigation list
    qtbot.waitUntil(window.nav.hasFocus)
    qtbot.keyClick(window.nav, Qt.Key.Key_F, CTRL)
    assert page.search_edit.hasFocus()
    qtbot.keyClicks(page.search_edit, "zxy")  # 张秀英 by pinyin initials
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.table.hasFocus()
    assert page.model.rowCount() == 1
    assert page.current_id() is not None
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert page.search_edit.hasFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert page.table.hasFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens the row
    qtbot.waitUntil(lambda: page.dialog is not None)
    assert page.dialog is not None
    assert page.dialog.form.editors["head_name"].value() == "张秀英"


def test_choices_follow_pinyin_initials_and_input_method_commits(qtbot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    county = make_editor(HOUSING.field("county_code"), holder)
    township = make_editor(HOUSING.field("township_code"), holder)
    assert isinstance(county, ChoiceEditor) and isinstance(township, ChoiceEditor)
    qtbot.keyClicks(county.input, "qx")
    assert county.input.currentText() == "淇县"
    qtbot.wait(ChoiceEditorPause.MS)
    event = QInputMethodEvent("", [])
    event.setCommitString("浚")  # a Pinyin input method commits the character
    QApplication.sendEvent(county.input, event)
    assert county.input.currentText() == "浚县"
    qtbot.keyClicks(township.input, "bym")
    assert township.input.currentText() == "北阳镇"
    assert best_choice(["", "A级", "B级"], "b") == 2
    assert best_choice(["", "是", "否"], "f") == 2


def test_village_completer_matches_pinyin_initials(qtbot) -> None:
    editor = make_editor(HOUSING.field("village"))
    qtbot.addWidget(editor)
    assert isinstance(editor, LineEditor)
    editor.set_completions(["王庄村", "小河口村"])
    completer = editor.input.completer()
    completer.setCompletionPrefix("wzc")
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "王庄村"


def test_focused_button_shows_a_ring(qtbot) -> None:
    make_application()  # the program-wide style sheet
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    first, second = QPushButton("保存", holder), QPushButton("取消", holder)
    layout.addWidget(first)
    layout.addWidget(second)
    holder.show()
    holder.activateWindow()
    qtbot.waitActive(holder)
    second.setFocus()
    qtbot.waitUntil(second.hasFocus)
    unfocused = first.grab().toImage()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    assert first.grab().toImage() != unfocused


class ChoiceEditorPause:
    MS = 1100  # longer than a typing pause, so the next letters start a new search


def test_a_typed_date_is_echoed_and_rewritten_on_leaving(qtbot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    editor = make_editor(HOUSING.field("check_date"), holder)
    after = make_editor(HOUSING.field("checker"), holder)
    layout.addWidget(editor)
    layout.addWidget(after)
    holder.show()
    holder.activateWindow()
    qtbot.waitActive(holder)
    assert isinstance(editor, DateEditor)
    editor.input.setFocus()
    qtbot.waitUntil(editor.input.hasFocus)
    qtbot.keyClicks(editor.input, "2026.12.2")
    qtbot.keyClick(editor.input, Qt.Key.Key_Tab)
    assert after.focus_widget().hasFocus()
    assert editor.echo() == "→ 2026年12月2日"
    assert editor.input.text() == "2026-12-02"
    editor.input.setFocus()
    qtbot.waitUntil(editor.input.hasFocus)
    editor.input.selectAll()
    qtbot.keyClicks(editor.input, "20240409")
    qtbot.keyClick(editor.input, Qt.Key.Key_Tab)
    assert (editor.input.text(), editor.echo()) == ("2024-04-09", "→ 2024年4月9日")
    editor.input.selectAll()
    qtbot.keyClicks(editor.input, "2024.13")  # not a date: left as typed for the message
    assert editor.echo() == ""


def test_first_start_and_filters_choose_by_pinyin_but_never_the_prompt(qtbot, book: Book) -> None:
    from hebi_desktop.ui.dialogs.first_start import FirstStartDialog

    dialog = FirstStartDialog(book)
    qtbot.addWidget(dialog)
    county = dialog.form.county_combo
    qtbot.keyClicks(county, "qx")  # 请选择县区 also starts with q-x: the prompt is skipped
    assert county.currentText() == "淇县"
    page = LedgerPage(book, HOUSING)
    qtbot.addWidget(page)
    qtbot.keyClicks(page.township_filter, "bym")
    assert page.township_filter.currentText() == "北阳镇"
