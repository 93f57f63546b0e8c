"""复核录入 from the ledger page, keyboard only: F8 opens the blind form with the cursor in
the first verified field, Enter moves on and compares; a mismatch shows both values and
the verifier picks one with the arrow keys; the table filters by state."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.ui.dialogs.verify_dialog import VerifyDialog
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from tests.samples import HOUSEHOLD_HEAD_ID, housing
from tests.ui.ledger_helpers import choose

ENTER = Qt.Key.Key_Return


def page_with_record(qtbot, book: Book, **changes: object) -> tuple[LedgerPage, int]:
    record_id = book.records("housing").create(housing(**changes), operator="录入员").record.id
    page = LedgerPage(book, get_ledger("housing"))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.refresh()
    assert page.select_record(record_id)
    page.table.setFocus()
    return page, record_id


def open_verify(qtbot, page: LedgerPage) -> VerifyDialog:
    qtbot.keyClick(page.table, Qt.Key.Key_F8)
    dialog = page.verify_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.edits["id_number"])
    return dialog


def type_and_enter(qtbot, text: str) -> None:
    widget = QApplication.focusWidget()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, ENTER)


def test_matching_re_entry_by_keyboard_marks_the_record_verified(qtbot, book: Book) -> None:
    page, record_id = page_with_record(qtbot, book)
    dialog = open_verify(qtbot, page)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "张秀英" in shown and HOUSEHOLD_HEAD_ID not in shown  # which record, not its values
    assert all(not edit.text() for edit in dialog.edits.values())
    type_and_enter(qtbot, HOUSEHOLD_HEAD_ID)
    assert QApplication.focusWidget() is dialog.edits["subsidy_amount"]
    type_and_enter(qtbot, "15000")
    assert not dialog.isVisible()
    record = book.records("housing").get(record_id)
    assert record.verified and record.verified_by == "测试员"


def test_a_mismatch_kept_as_entered(qtbot, book: Book) -> None:
    page, record_id = page_with_record(qtbot, book)
    dialog = open_verify(qtbot, page)
    type_and_enter(qtbot, HOUSEHOLD_HEAD_ID)
    type_and_enter(qtbot, "1500")
    assert dialog.isVisible() and dialog.mismatch_box.isVisible()
    texts = [b.text() for b in dialog.choices["subsidy_amount"].buttons()]
    assert [t.replace(",", "") for t in texts] == ["15000.00", "1500.00"]  # side by side
    focused = QApplication.focusWidget()
    assert focused is dialog.choices["subsidy_amount"].buttons()[0]
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    qtbot.keyClick(focused, ENTER)
    assert not dialog.isVisible()
    record = book.records("housing").get(record_id)
    assert record.verified and record.values["subsidy_amount"] == Decimal("15000.00")


def test_a_mismatch_resolved_with_the_re_keyed_value(qtbot, book: Book) -> None:
    page, record_id = page_with_record(qtbot, book, subsidy_amount="1500")
    dialog = open_verify(qtbot, page)
    type_and_enter(qtbot, HOUSEHOLD_HEAD_ID)
    type_and_enter(qtbot, "15000")
    focused = QApplication.focusWidget()
    qtbot.keyClick(focused, Qt.Key.Key_Right)  # to 复核录入
    rekeyed = QApplication.focusWidget()
    assert rekeyed is dialog.choices["subsidy_amount"].buttons()[1]
    qtbot.keyClick(rekeyed, Qt.Key.Key_Space)
    qtbot.keyClick(rekeyed, ENTER)
    assert not dialog.isVisible()
    record = book.records("housing").get(record_id)
    assert record.verified and record.values["subsidy_amount"] == Decimal("15000.00")
    assert "verify" in [e.action for e in book.records("housing").history(record_id)]


def test_the_keyer_is_told_to_ask_someone_else(qtbot, book: Book, messages) -> None:
    page, _ = page_with_record(qtbot, book)
    book.settings.set("operator", "录入员")
    qtbot.keyClick(page.table, Qt.Key.Key_F8)
    assert page.verify_dialog is None
    assert any("另一人" in text for text in messages.texts())


def test_the_table_filters_by_state(qtbot, book: Book) -> None:
    page, record_id = page_with_record(qtbot, book)
    other = (
        book.records("housing")
        .create(housing(check_date=housing()["check_date"].replace(day=20)), operator="录入员")
        .record.id
    )
    open_verify(qtbot, page)
    type_and_enter(qtbot, HOUSEHOLD_HEAD_ID)
    type_and_enter(qtbot, "15000")
    state = page.filter_bar.state_filter
    choose(qtbot, state, "已复核")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.record_id(0) == record_id
    choose(qtbot, state, "已录入")
    qtbot.waitUntil(lambda: page.model.record_id(0) == other)
    assert page.model.rowCount() == 1


def test_the_overview_counts_unverified_records_with_money_and_opens_them(
    qtbot, book: Book
) -> None:
    from hebi_desktop.ui.main_window import MainWindow
    from hebi_desktop.ui.screens.overview_page import UNVERIFIED_MONEY, OverviewPage

    records = book.records("housing")
    paid = records.create(housing(), operator="录入员").record.id
    records.create(
        housing(check_date=housing()["check_date"].replace(day=20), subsidy_amount=None),
        operator="录入员",
    )
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    overview = window.show_page("overview")
    assert isinstance(overview, OverviewPage)
    overview.refresh()
    qtbot.waitUntil(lambda: ("housing", UNVERIFIED_MONEY) in overview.counts)
    assert overview.counts[("housing", UNVERIFIED_MONEY)] == 1
    button = overview.problem_button("housing", UNVERIFIED_MONEY)
    assert button.text() == "有金额未复核的记录：1 条"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    page = window.stack.currentWidget()
    assert isinstance(page, LedgerPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.record_id(0) == paid
    assert "有金额未复核" in page.query_label.text()


def test_keyer_statistics_on_the_crosscheck_page(qtbot, book: Book) -> None:
    from hebi_desktop.services.verification import ENTERED, VerificationService
    from hebi_desktop.ui.main_window import MainWindow

    records = book.records("housing")
    first = records.create(housing(), operator="录入员").record.id
    VerificationService(book, records.ledger).verify(
        first, 1, {"id_number": HOUSEHOLD_HEAD_ID, "subsidy_amount": "1"},
        {"subsidy_amount": ENTERED},
    )  # fmt: skip
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("crosscheck")
    table = page.verify_stats.table
    assert table.rowCount() == 1
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row == ["录入员", "1", "2", "1", "50.0%"]
    assert "住房安全 0 条" in page.verify_stats.waiting_label.text()


def test_the_register_preview_warns_of_unverified_records_and_can_leave_them_out(
    qtbot, book: Book
) -> None:
    from hebi_desktop.domain.printing import Form
    from hebi_desktop.services.verification import VerificationService
    from hebi_desktop.ui.dialogs.print_preview import FormPreview, open_preview

    records = book.records("housing")
    checked = records.create(housing(), operator="录入员").record.id
    records.create(
        housing(check_date=housing()["check_date"].replace(day=20), head_name="王小明"),
        operator="录入员",
    )
    VerificationService(book, records.ledger).verify(
        checked, 1, {"id_number": HOUSEHOLD_HEAD_ID, "subsidy_amount": "15000"}
    )
    page = LedgerPage(book, get_ledger("housing"))
    qtbot.addWidget(page)
    open_preview(page, book, ("housing",), page.current_query())
    dialog = page.findChild(FormPreview)
    assert dialog is not None
    dialog.set_form(Form.REGISTER)
    dialog.preview.updatePreview()  # the records are read off the GUI thread first
    warning = "注意：其中 1 条尚未复核（复核录入）"
    qtbot.waitUntil(lambda: dialog.message_label.text() == warning, timeout=10_000)
    assert dialog.error is None
    assert len(dialog.document().rows) == 2
    dialog.verified_only.setChecked(True)
    dialog.preview.updatePreview()
    assert len(dialog.document().rows) == 1
    qtbot.waitUntil(lambda: dialog.message_label.text() == "", timeout=10_000)
    dialog.close()


def test_the_export_page_can_export_verified_records_only(
    qtbot, book: Book, tmp_path, monkeypatch
) -> None:
    from openpyxl import load_workbook

    from hebi_desktop.services.verification import VerificationService
    from tests.ui.test_exchange_page import make_page as exchange_page
    from tests.ui.test_exchange_page import only, save_as, wait_done

    records = book.records("housing")
    checked = records.create(housing(), operator="录入员").record.id
    records.create(
        housing(check_date=housing()["check_date"].replace(day=20), head_name="王小明"),
        operator="录入员",
    )
    VerificationService(book, records.ledger).verify(
        checked, 1, {"id_number": HOUSEHOLD_HEAD_ID, "subsidy_amount": "15000"}
    )
    page = exchange_page(qtbot, book)
    only(page, "housing")
    page.export_tab.verified_check.setChecked(True)
    save_as(monkeypatch, tmp_path / "已复核.xlsx")
    wait_done(qtbot, page.start_export())
    cells = [
        c
        for row in load_workbook(tmp_path / "已复核.xlsx").worksheets[0].iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert "张秀英" in cells and "王小明" not in cells


def test_a_verified_row_says_who_verified_it(qtbot, book: Book) -> None:
    page, _record_id = page_with_record(qtbot, book)
    index = page.model.index(0, 0)
    assert page.model.data(index, Qt.ItemDataRole.ToolTipRole) is None
    open_verify(qtbot, page)
    type_and_enter(qtbot, HOUSEHOLD_HEAD_ID)
    type_and_enter(qtbot, "15000")
    qtbot.waitUntil(lambda: page.model.record(0) is not None and page.model.record(0).verified)
    tip = page.model.data(page.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("已复核：测试员 ")
