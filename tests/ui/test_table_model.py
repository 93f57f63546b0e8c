"""The lazy ledger table model, on 2,000 sample rows per ledger, without any window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.widgets.table_model import LedgerTableModel

ROWS = 2000
Display = Qt.ItemDataRole.DisplayRole


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    """One database with sample rows, shared by this module's read-only tests."""
    folder: Path = tmp_path_factory.mktemp("demo")
    book = Book.open(folder / "demo.sqlite", backups=folder / "backups")
    book.settings.set("operator", "测试员")
    fill_demo(book, ROWS)
    yield book
    book.close()


def make_model(book: Book, key: str, **options: int) -> LedgerTableModel:
    ledger = get_ledger(key)
    return LedgerTableModel(book.records(ledger), ledger, **options)


def cell(model: LedgerTableModel, row: int, name: str, role: int = Display) -> object:
    return model.data(model.index(row, model.column_of(name)), role)


def test_rows_and_columns_come_from_the_service_and_the_declaration(demo_book: Book) -> None:
    model = make_model(demo_book, "education")
    ledger = get_ledger("education")
    assert model.rowCount() == ROWS == demo_book.records(ledger).count()
    assert model.columnCount() == len(ledger.fields) + 1  # the fields, then 附件
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:5] == ["县区", "乡镇", "行政村", "学生姓名", "身份证号"]
    assert "性别" in headers and "出生日期" in headers  # derived columns are shown too
    assert headers[-1] == "附件"
    assert model.headerData(41, Qt.Orientation.Vertical) == "42"  # 序号
    assert model.rowCount(model.index(0, 0)) == 0  # a table, not a tree


def test_a_far_row_is_fetched_alone_and_shown_as_the_clerk_reads_it(demo_book: Book) -> None:
    model = make_model(demo_book, "housing", block_size=100, max_blocks=5)
    assert model.fetch_count == 0  # opening the table reads ids only
    row = ROWS - 7
    record = demo_book.records("housing").get(model.record_id(row))
    ledger = get_ledger("housing")
    for name in ("township_code", "head_name", "id_number", "check_date", "in_renovation"):
        assert cell(model, row, name) == display_value(ledger.field(name), record.values[name])
    assert cell(model, row, "township_code") != record.values["township_code"]  # a name, not code
    assert model.fetch_count == 1 and model.cached_blocks == 1
    assert model.data(model.index(row, 0), Qt.ItemDataRole.UserRole) == record.id


def test_scrolling_everything_keeps_a_bounded_cache(demo_book: Book) -> None:
    model = make_model(demo_book, "water", block_size=100, max_blocks=4)
    names = [cell(model, row, "project_name") for row in range(0, ROWS, 50)]
    assert all(names)
    assert model.fetch_count == ROWS // 100
    assert model.cached_blocks == 4
    model.data(model.index(0, 0))  # the first block was dropped long ago: fetched again
    assert model.fetch_count == ROWS // 100 + 1


def test_default_order_is_newest_first(demo_book: Book) -> None:
    model = make_model(demo_book, "housing")
    ids = [model.record_id(row) for row in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)


def test_sort_by_a_column_requeries_in_that_order(demo_book: Book) -> None:
    model = make_model(demo_book, "housing")
    column = model.column_of("check_date")
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert resets and model.query.sort == "check_date" and not model.query.descending
    dates = [cell(model, row, "check_date") for row in range(0, ROWS, 97)]
    assert dates == sorted(dates)
    assert model.sort_column() == column

    model.sort(column, Qt.SortOrder.DescendingOrder)
    newest = cell(model, 0, "check_date")
    oldest = cell(model, ROWS - 1, "check_date")
    assert newest >= oldest and newest != oldest
    assert model.rowCount() == ROWS

    model.sort(model.column_of("household_size"), Qt.SortOrder.DescendingOrder)
    assert int(cell(model, 0, "household_size") or 0) >= int(
        cell(model, ROWS - 1, "household_size") or 0
    )

    model.sort(-1)  # no column: back to newest first
    assert model.query.sort is None


def test_query_change_narrows_the_rows(demo_book: Book) -> None:
    model = make_model(demo_book, "housing")
    service = demo_book.records("housing")
    name = cell(model, 1234, "head_name")
    assert isinstance(name, str)
    model.set_query(RecordQuery(text=name))
    assert 1 <= model.rowCount() == service.count(RecordQuery(text=name)) < ROWS
    assert all(name in str(cell(model, row, "head_name")) for row in range(model.rowCount()))

    township = service.get(model.record_id(0)).values["township_code"]
    model.set_query(RecordQuery(township_code=township, status={"safety_grade": "A级"}))
    assert 0 < model.rowCount() < ROWS
    assert {cell(model, row, "safety_grade") for row in range(model.rowCount())} == {"A级"}

    since = dt.date(2100, 1, 1)
    model.set_query(RecordQuery(date_from=since))
    assert model.rowCount() == 0
    assert model.data(model.index(0, 0)) is None


def test_flagged_rows_carry_an_icon_colour_and_their_warnings(
    qapp: object, demo_book: Book
) -> None:
    model = make_model(demo_book, "housing")
    model.set_query(RecordQuery(flagged=True))
    assert model.rowCount() > 0  # sample data contains C/D houses not taken into renovation
    first = model.index(0, 0)
    tooltip = model.data(first, Qt.ItemDataRole.ToolTipRole)
    assert "待核实" in tooltip and "未纳入改造" in tooltip
    assert not model.data(first, Qt.ItemDataRole.DecorationRole).isNull()
    assert model.data(first, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 1), Qt.ItemDataRole.DecorationRole) is None  # first column

    model.set_query(RecordQuery(flagged=False))
    plain = model.index(0, 0)
    assert model.data(plain, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(plain, Qt.ItemDataRole.ToolTipRole) is None


def test_amounts_are_right_aligned_with_two_decimals(demo_book: Book) -> None:
    model = make_model(demo_book, "water")
    model.set_query(RecordQuery(sort="investment", descending=True))
    amount = model.index(0, model.column_of("investment"))
    assert (
        str(model.data(amount)).count(".") == 1 and len(str(model.data(amount)).split(".")[1]) == 2
    )
    alignment = Qt.AlignmentFlag(model.data(amount, Qt.ItemDataRole.TextAlignmentRole))
    assert alignment & Qt.AlignmentFlag.AlignRight


def test_derived_columns_are_computed_from_the_id_number(demo_book: Book) -> None:
    model = make_model(demo_book, "education")
    for row in (0, 999, ROWS - 1):
        number = str(cell(model, row, "id_number"))
        gender = "男" if int(number[16]) % 2 else "女"
        assert cell(model, row, "gender") == gender
        assert cell(model, row, "birth_date") == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"


def test_row_of_finds_a_record_and_refresh_sees_new_writes(book: Book) -> None:
    from tests.samples import housing

    service = book.records("housing")
    model = LedgerTableModel(service, get_ledger("housing"))
    assert model.rowCount() == 0
    created = service.create(housing()).record
    assert model.rowCount() == 0  # the model shows what it was last asked
    model.refresh()
    assert model.rowCount() == 1 and model.row_of(created.id) == 0
    assert model.record(0).values["head_name"] == "张秀英"
    service.delete(created.id)
    model.refresh()
    assert model.rowCount() == 0 and model.row_of(created.id) is None
    model.set_query(RecordQuery(deleted=True))
    assert model.row_of(created.id) == 0
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert not model.index(5, 0).isValid() and model.data(QModelIndex()) is None
