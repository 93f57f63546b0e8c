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
from tests.exchange.helpers import write_sheet
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


def _result_of(book: Book, source: Path) -> tuple[Any, ...]:
    result = import_workbook(book, "housing", source, limits=STREAMED)
    return (
        result.rows_read,
        result.inserted,
        result.last_row,
        [i.text() for i in result.errors],
        [i.text() for i in result.warnings],
        [i.text() for i in result.village_hints],
        result.village_hint_text(),
    )


def _both_ways(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[Any, ...], tuple[Any, ...], dict[str, Any], dict[str, Any]]:
    """The import's result and records, read by the helper and read here."""
    found = []
    for where in ("elsewhere", "here"):
        if where == "here":
            monkeypatch.setenv(sheet_process.OFF, "1")
        book = Book.open(tmp_path / f"{where}.db")
        try:
            book.settings.set("operator", "测试员")
            found.append((_result_of(book, source), stored(book)))
        finally:
            book.close()
    (elsewhere, elsewhere_records), (here, here_records) = found
    return elsewhere, here, elsewhere_records, here_records


def test_everything_an_import_finds_is_found_alike_by_the_helper(
    tmp_path: Path, helper_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cleaning (full-width letters, 万元, short township names), warnings, unlisted
    villages quoted as written, blank rows and the footer."""
    headers = [h if h != "补助金额（元）" else "补助金额（万元）" for h in HOUSING_HEADERS]
    rows = _rows(ROWS)
    column = {h: i for i, h in enumerate(headers)}
    rows[3][column["安全等级"]] = "Ｄ级"
    rows[3][column["是否纳入改造"]] = "是"
    rows[3][column["改造方式"]] = "修缮加固"
    rows[3][column["改造进度"]] = "已竣工"
    rows[3][column["竣工日期"]] = dt.date(2024, 8, 1)
    rows[3][column["补助金额（万元）"]] = "1.5"
    rows[5][column["乡镇"]] = "北阳"
    rows[9][column["行政村"]] = " 不在名单村 "
    rows[10][column["行政村"]] = "不在名单村"
    rows[12][column["户主姓名"]] = "=张三"  # a pasted formula: a warning
    rows[20][column["身份证号"]] = rows[20][column["身份证号"]].translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    table = [headers, *rows[:30], [None] * len(headers), ["   "], *rows[30:], ["合计", ROWS]]
    source = write_sheet(tmp_path / "大表.xlsx", table)

    elsewhere, here, elsewhere_records, here_records = _both_ways(tmp_path, source, monkeypatch)

    assert helper_used == [True]
    assert elsewhere == here
    assert elsewhere_records == here_records
    rows_read, inserted, last_row, errors, warnings, hints, hint_text = here
    assert (rows_read, inserted, errors) == (ROWS, ROWS, [])
    assert last_row == ROWS + 3  # the header, and the two blank rows skipped
    assert warnings and "“=" in warnings[0]
    assert hints and "“ 不在名单村 ”" in hints[0]
    assert "2 行" in hint_text


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


def test_duplicate_and_bad_rows_are_named_alike_by_the_helper(
    tmp_path: Path, helper_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(ROWS)
    rows[44] = list(rows[2])  # the same household on the same day twice
    rows[50][HOUSING_HEADERS.index("家庭人口")] = "三口"
    source = plain_sheet(tmp_path / "大表.xlsx", *rows)

    elsewhere, here, elsewhere_records, here_records = _both_ways(tmp_path, source, monkeypatch)

    assert helper_used == [True]
    assert elsewhere == here
    assert elsewhere_records == here_records == {}
    errors = here[3]
    assert len(errors) == 2
    assert "与第4行重复" in errors[0] and errors[1].startswith("第52行 家庭人口“三口”")


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


def test_the_helper_ends_when_the_reading_stops_early_or_never_starts(
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
    _no_helper_left()

    untouched = sheet.rows()  # an import that fails before its first row
    assert multiprocessing.active_children()
    untouched.close()
    _no_helper_left()


def _no_helper_left() -> None:
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def _housing() -> Any:
    from hebi_desktop.domain.registry import get_ledger

    return get_ledger("housing")


def test_a_helper_that_cannot_start_means_the_sheet_is_read_here(
    book: Book, tmp_path: Path, helper_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locked-down PC that forbids starting a process: the import still works."""
    context = multiprocessing.get_context("spawn")

    def refused(self: Any) -> None:
        raise OSError("process creation blocked")

    monkeypatch.setattr(context.Process, "start", refused)
    source = plain_sheet(tmp_path / "大表.xlsx", *_rows(ROWS))

    result = import_workbook(book, "housing", source, limits=STREAMED)

    assert helper_used == [False]  # asked, refused, read here
    assert (result.inserted, result.errors) == (ROWS, [])
    assert len(stored(book)) == ROWS
