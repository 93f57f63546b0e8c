"""The export form and the print preview start from the desk's own scope, say it in words,
and name files after the rows they hold; a search box never narrows a print by itself;
a public notice with no 监督电话 asks first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from hebi_desktop.domain.printing import Form
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.metadata import read_metadata
from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import SUPERVISION_PHONE
from hebi_desktop.ui.dialogs.print_preview import FormPreview
from hebi_desktop.ui.screens.exchange_page import ExchangePage
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from tests.county_helpers import BEIYANG, GAOCUN, fill, housing_rows
from tests.exchange.test_desk_scope import ROWS, title_line, townships_in
from tests.printing.pdf_text import pages
from tests.ui.ledger_helpers import Messages, retype
from tests.ui.test_exchange_page import save_as, wait_done
from tests.ui.test_print_preview import saved

LEFT = Qt.MouseButton.LeftButton
HOUSING = get_ledger("housing")


@pytest.fixture
def mixed(book: Book) -> Book:
    for serial, (township, count) in enumerate(ROWS.items()):
        fill(book, "housing", housing_rows(township, count, 100 * (serial + 1)))
    book.settings.set(SUPERVISION_PHONE, "0392-7221234")
    return book


def export_page(qtbot, book: Book) -> ExchangePage:
    page = ExchangePage(book)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    for key, check in page.ledger_checks.items():
        check.setChecked(key == "housing")
    return page


def test_the_export_form_starts_at_the_desks_township_and_names_the_file_after_the_rows(
    qtbot, mixed: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    page = export_page(qtbot, mixed)
    tab = page.export_tab
    assert tab.township_combo.currentData() == BEIYANG
    assert tab.scope_label.text() == "将导出：北阳镇 · 全部行政村 · 全部日期"

    offered = save_as(monkeypatch, tmp_path / "a.xlsx")
    qtbot.mouseClick(page.export_button, LEFT)
    wait_done(qtbot, page.worker)
    assert Path(offered[0]).name.startswith("北阳镇住房安全")
    assert townships_in(tmp_path / "a.xlsx") == ["北阳镇"]
    assert messages.texts("question") == []  # the desk's own scope needs no question

    # Another township is a choice the form makes visible, and everything follows it.
    tab.township_combo.setCurrentIndex(tab.township_combo.findData(GAOCUN))
    assert "不是本单位的范围" in tab.scope_label.text()
    offered = save_as(monkeypatch, tmp_path / "b.xlsx")
    qtbot.mouseClick(page.export_button, LEFT)
    wait_done(qtbot, page.worker)
    assert "高村镇" in messages.texts("question")[-1]
    assert Path(offered[0]).name.startswith("高村镇住房安全")
    assert townships_in(tmp_path / "b.xlsx") == ["高村镇"]
    assert title_line(tmp_path / "b.xlsx").startswith("高村镇")
    stamp = read_metadata(tmp_path / "b.xlsx")
    assert stamp is not None and stamp.township_code == GAOCUN

    # The whole database: named as the whole city, never as 北阳镇.
    tab.county_combo.setCurrentIndex(0)
    offered = save_as(monkeypatch, tmp_path / "c.xlsx")
    qtbot.mouseClick(page.export_button, LEFT)
    wait_done(qtbot, page.worker)
    assert Path(offered[0]).name.startswith("鹤壁市住房安全")
    assert len(townships_in(tmp_path / "c.xlsx")) == 3
    stamp = read_metadata(tmp_path / "c.xlsx")
    assert stamp is not None and stamp.township_code is None


def test_the_preview_states_the_scope_and_month_in_words(qtbot, mixed: Book) -> None:
    page = export_page(qtbot, mixed)
    tab = page.export_tab
    tab.dates.show_range(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert "北阳镇 · 全部行政村 · 2026年11月" in tab.scope_label.text()
    qtbot.mouseClick(page.print_button, LEFT)
    dialog = page.findChild(FormPreview)
    assert dialog is not None
    assert dialog.scope_label.text() == "北阳镇 · 全部行政村 · 2026年11月"
    dialog.close()


def test_a_leftover_search_does_not_narrow_a_print_unless_chosen(
    qtbot, mixed: Book, messages: Messages
) -> None:
    page = LedgerPage(mixed, HOUSING)
    qtbot.addWidget(page)
    page.show()
    one = next(
        v for _id, v in mixed.records("housing").iter_items() if v["township_code"] == BEIYANG
    )
    retype(qtbot, page.search_edit, one["id_number"])
    page.filter_bar.flush()
    assert page.model.rowCount() == 1
    qtbot.mouseClick(page.print_button, LEFT)
    dialog = page.findChild(FormPreview)
    assert dialog is not None
    # The desk's township in full, not the one row the search left, nor the whole city.
    assert dialog.scope_label.text() == "北阳镇 · 全部行政村 · 全部日期"
    assert len(dialog.document().rows) == ROWS[BEIYANG]
    assert dialog.document().title.startswith("北阳镇")
    assert dialog.only_filtered.isVisible() and not dialog.only_filtered.isChecked()

    dialog.only_filtered.setChecked(True)
    assert len(dialog.document().rows) == 1
    assert f"姓名或身份证号含“{one['id_number']}”" in dialog.scope_label.text()
    dialog.close()


def test_a_notice_without_a_supervision_phone_asks_before_printing(
    qtbot, mixed: Book, messages: Messages, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mixed.settings.set(SUPERVISION_PHONE, None)
    page = LedgerPage(mixed, HOUSING)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.print_button, LEFT)
    dialog = page.findChild(FormPreview)
    assert dialog is not None
    assert dialog.phone_label.text() == ""  # a roster needs no phone
    dialog.set_form(Form.NOTICE)
    assert "监督电话" in dialog.phone_label.text()

    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a: (asked.append("file") or "", "")
    )
    messages.answer = messages.answer.No
    assert dialog.choose_pdf() is None
    assert "监督电话" in messages.texts("question")[-1] and asked == []  # stopped first

    assert dialog.print_action is not None
    dialog.print_action.trigger()  # Qt's 打印 button asks the same question (and stops)
    assert len(messages.texts("question")) == 2

    messages.answer = messages.answer.Yes
    target = tmp_path / "公示.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(target), ""))
    assert saved(qtbot, dialog, dialog.choose_pdf()) == target
    assert "公示名单" in "".join(pages(target))
    dialog.close()
