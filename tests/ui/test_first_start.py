"""The first-start questions: who fills the ledgers and for which township."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.services.book import Book
from hebi_desktop.ui.dialogs.first_start import FirstStartDialog
from tests.ui.ledger_helpers import choose, type_text

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def fresh_book(tmp_path: Path) -> Iterator[Book]:
    """A database nobody has set up yet."""
    opened = Book.open(tmp_path / "new.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def dialog(qtbot, fresh_book: Book) -> FirstStartDialog:
    shown = FirstStartDialog(fresh_book)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def test_a_new_database_is_not_configured(fresh_book: Book) -> None:
    assert not fresh_book.settings.is_configured


def test_answers_are_stored_in_the_settings(qtbot, dialog: FirstStartDialog, fresh_book) -> None:
    form = dialog.form
    assert not dialog.ok_button.isEnabled()
    form.name_edit.setFocus()
    type_text(qtbot, form.name_edit, "张丽")
    qtbot.keyClicks(form.phone_edit, "0392-7212345")
    assert not dialog.ok_button.isEnabled()  # the township is still missing
    choose(qtbot, form.county_combo, "淇县")
    choose(qtbot, form.township_combo, "北阳镇")
    assert dialog.ok_button.isEnabled()

    qtbot.mouseClick(dialog.ok_button, LEFT)

    assert dialog.result() == QDialog.DialogCode.Accepted
    settings = fresh_book.settings
    assert settings.operator == "张丽"
    assert settings.get("operator_phone") == "0392-7212345"
    assert settings.county_code == "410622"
    assert settings.township_code == "410622102"
    assert settings.is_configured


def test_townships_follow_the_chosen_county(qtbot, dialog: FirstStartDialog) -> None:
    form = dialog.form
    assert not form.township_combo.isEnabled()  # nothing to choose before the county
    choose(qtbot, form.county_combo, "浚县")
    offered = {form.township_combo.itemText(i) for i in range(1, form.township_combo.count())}
    expected = {d.name for d in divisions().townships_of("410621")}
    assert offered == expected
    assert "北阳镇" not in offered  # a 淇县 township


def test_a_wrong_phone_number_is_named_and_blocks(qtbot, dialog: FirstStartDialog) -> None:
    form = dialog.form
    type_text(qtbot, form.name_edit, "张丽")
    choose(qtbot, form.county_combo, "淇县")
    choose(qtbot, form.township_combo, "北阳镇")
    qtbot.keyClicks(form.phone_edit, "12345")
    assert not dialog.ok_button.isEnabled()
    assert form.message_label.isVisible()
    assert "联系电话" in form.message_label.text()
    form.phone_edit.clear()  # the phone is optional
    assert dialog.ok_button.isEnabled()
    assert not form.message_label.isVisible()


def test_quitting_stores_nothing(qtbot, dialog: FirstStartDialog, fresh_book: Book) -> None:
    type_text(qtbot, dialog.form.name_edit, "张丽")
    qtbot.mouseClick(dialog.quit_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert fresh_book.settings.operator is None


def test_the_answers_come_back_when_asked_again(qtbot, book: Book) -> None:
    """The settings page and a repeated start show what is stored."""
    shown = FirstStartDialog(book)
    qtbot.addWidget(shown)
    assert shown.form.name_edit.text() == "测试员"
    assert shown.form.county_combo.currentText() == "淇县"
    assert shown.form.township_combo.currentText() == "北阳镇"
    assert shown.ok_button.isEnabled()


def test_enter_on_an_incomplete_form_names_what_is_missing(
    qtbot, dialog: FirstStartDialog, fresh_book: Book
) -> None:
    form = dialog.form
    form.name_edit.setFocus()
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Return)
    text = form.message_label.text()
    assert "填报人姓名" in text and "县区" in text
    assert form.message_label.isVisibleTo(dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted and not fresh_book.settings.operator

    type_text(qtbot, form.name_edit, "张丽")
    choose(qtbot, form.county_combo, "淇县")
    qtbot.keyClick(form.county_combo, Qt.Key.Key_Enter)
    assert "乡镇" in form.message_label.text() and "填报人" not in form.message_label.text()
    assert form.township_combo.hasFocus()  # the first missing answer


def test_the_title_names_the_program_once(dialog: FirstStartDialog) -> None:
    from hebi_desktop import APP_TITLE

    # Qt appends " — 鹤壁乡镇台账" to a title that does not already end with it.
    title = dialog.windowTitle()
    shown = title if title.endswith(APP_TITLE) else f"{title} — {APP_TITLE}"
    assert shown.count(APP_TITLE) == 1, shown


def test_the_questions_and_the_missing_answers_fit_without_scrolling(
    qtbot, dialog: FirstStartDialog
) -> None:
    """The screen has room: the questions never scroll, not even once the red line under
    them says what is missing (it used to open at a height taken from a narrower layout,
    and never grew)."""
    scroll = dialog.questions
    qtbot.waitExposed(dialog)
    assert scroll.verticalScrollBar().maximum() == 0
    form = dialog.form
    form.name_edit.setFocus()
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Return)
    label = form.message_label
    qtbot.wait(100)  # the layouts settle
    assert scroll.verticalScrollBar().maximum() == 0
    assert label.visibleRegion().boundingRect().size() == label.size()
    screen = dialog.screen().availableGeometry()
    assert screen.contains(dialog.frameGeometry())
    qtbot.keyClicks(form.phone_edit, "12")  # a wrong phone: its own red line
    qtbot.wait(100)
    assert "联系电话" in label.text()
    assert scroll.verticalScrollBar().maximum() == 0
