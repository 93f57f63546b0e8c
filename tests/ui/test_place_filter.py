"""The place and date-range choosers shared by the export form and the filter bar."""

from __future__ import annotations

import datetime as dt

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.ui.screens.exchange_page import ExchangePage
from hebi_desktop.ui.widgets.filters import FilterBar
from hebi_desktop.ui.widgets.place_filter import REVERSED, DateRange, PlacePicker


def test_the_export_form_refuses_a_reversed_range_and_a_bad_date(qtbot, book: Book) -> None:
    page = ExchangePage(book)
    qtbot.addWidget(page)
    assert isinstance(page.dates, DateRange) and isinstance(page.place, PlacePicker)
    page.date_from_editor.set_value(dt.date(2024, 6, 1))
    page.date_to_editor.set_value(dt.date(2024, 5, 1))
    assert page.export_query() is None
    assert page.date_to_editor.message_label.text() == REVERSED

    page.date_to_editor.input.setText("2024-13-45")
    assert page.export_query() is None
    page.date_to_editor.set_value(dt.date(2024, 6, 30))
    query = page.export_query()
    assert query is not None and (query.date_from, query.date_to) == (
        dt.date(2024, 6, 1),
        dt.date(2024, 6, 30),
    )


def test_the_export_form_narrows_townships_by_county(qtbot, book: Book) -> None:
    page = ExchangePage(book)
    qtbot.addWidget(page)
    assert page.county_combo.currentData() == "410622"  # the desk's own, to start with
    page.county_combo.setCurrentIndex(0)
    everywhere = page.township_combo.count()
    page.county_combo.setCurrentIndex(page.county_combo.findData("410622"))
    assert 1 < page.township_combo.count() < everywhere
    page.township_combo.setCurrentIndex(page.township_combo.findData("410622102"))
    page.village_edit.setText(" 王庄村 ")
    query = page.export_query()
    assert query is not None
    assert (query.county_code, query.township_code, query.village) == (
        None,  # a township names its county: one scope for the same rows
        "410622102",
        "王庄村",
    )


def test_the_filter_bar_lists_its_own_county_first_and_ignores_a_bad_date(
    qtbot, book: Book
) -> None:
    bar = FilterBar(book, get_ledger("housing"))
    qtbot.addWidget(bar)
    assert bar.township_filter.itemData(1).startswith("410622")  # the desk's county first
    assert "（" not in bar.township_filter.itemText(1)
    bar.date_from_edit.setText("2024-02-30")
    fields = bar.query_fields()
    assert fields["date_from"] is None
    assert bar.date_from_editor.message_label.text()  # marked, not silently dropped
