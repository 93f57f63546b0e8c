"""A big sheet is read by a helper process: the import finds exactly what it finds when
the sheet is read here, refusals arrive as the same Chinese message, and the helper never
outlives the import."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.errors import UserError
from hebi_desktop.exchange import sheet_process
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.exchange.reader import choose_sheet, open_source
from hebi_desktop.exchange.sheet_stream import StreamedSheet
from hebi_desktop.services.book import Book
from tests.exchange.test_import import HOUSING_HEADERS, housing_row, plain_sheet, stored

STREAMED = Limits(stream_cells=10)  # every sheet is streamed
ROWS = 60


@pytest.fixture
def helper_used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every sheet is worth a helper; the list says whether each read got one."""
    monkeypatch.setattr(sheet_process, "READ_ELSEWHERE_FROM", 1)
    used: list[bool] = []
    real = sheet_process.rows_elsewhere

    def spied(*args: Any, **kwargs: Any) -> Any:
        rows = real(*args, **kwargs)
        used.append(rows is not None)
        return rows

    monkeypatch.setattr(sheet_process, "rows_elsewhere", spied)
    return used


def _rows(count: int) -> list[list[Any]]:
    made = []
    for number in range(1, count + 1):
        id_number = resident_id.make("410622", dt.date(1950, 1, 1) + dt.timedelta(days=number), 7)
        made.append(housing_row(number, 身份证号=id_number, 户主姓名=f"张{number}号"))
    return made


def test_an_import_read_by_a_helper_stores_what_one_read_here_stores(
    book: Book, tmp_path: Path, helper_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(ROWS)
    rows[7][HOUSING_HEADERS.index("安全等级")] = "Ｃ级"  # cleaned alike either way
    source = plain_sheet(tmp_path / "大表.xlsx", *rows)

    result = import_workbook(book, "housing", source, limits=STREAMED)

    assert helper_used == [True]
    assert (result.rows_read, result.inserted, result.errors) == (ROWS, ROWS, [])
    elsewhere = stored(book)
    monkeypatch.setenv(sheet_process.OFF, "1")
    other = Book.open(tmp_path / "here.db")
    try:
        other.settings.set("operator", "测试员")
        import_workbook(other, "housing", source, limits=STREAMED)
        here = stored(other)
    finally:
        other.close()
    assert helper_used == [True]  # the second import read the sheet itself
    assert elsewhere == here
    assert len(elsewhere) == ROWS


def test_bad_rows_read_by_a_helper_are_named_as_when_read_here(
    book: Book, tmp_path: Path, helper_used: list[bool]
) -> None:
    rows = _rows(ROWS)
    rows[40][HOUSING_HEADERS.index("排查日期")] = "下个月"
    source = plain_sheet(tmp_path / "大表.xlsx", *rows)

    result = import_workbook(book, "housing", source, limits=STREAMED)

    assert helper_used == [True]
    assert [(i.row, i.column) for i in result.errors] == [(42, "排查日期")]
    assert book.records("housing").list() == []


def test_a_refusal_in_the_helper_arrives_as_the_same_message(
    book: Book, tmp_path: Path, helper_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = plain_sheet(tmp_path / "大表.xlsx", *_rows(ROWS))
    limits = Limits(stream_cells=10, max_rows=30)

    with pytest.raises(UserError) as elsewhere:
        import_workbook(book, "housing", source, limits=limits)
    monkeypatch.setenv(sheet_process.OFF, "1")
    with pytest.raises(UserError) as here:
        import_workbook(book, "housing", source, limits=limits)

    assert helper_used == [True]
    assert str(elsewhere.value) == str(here.value)
    assert "30" in str(elsewhere.value)
    assert book.records("housing").list() == []


def test_the_helper_ends_when_the_reading_stops_early(
    tmp_path: Path, helper_used: list[bool]
) -> None:
    source = plain_sheet(tmp_path / "大表.xlsx", *_rows(ROWS))
    sheet = choose_sheet(open_source(source, STREAMED), _housing(), None)
    assert isinstance(sheet, StreamedSheet)
    rows = sheet.rows()
    first = [next(rows) for _ in range(3)]
    assert [number for number, _cells in first] == [1, 2, 3]
    assert multiprocessing.active_children()
    rows.close()  # what a cancelled import does to its rows

    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def _housing() -> Any:
    from hebi_desktop.domain.registry import get_ledger

    return get_ledger("housing")
