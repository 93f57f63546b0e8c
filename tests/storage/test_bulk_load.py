"""A big import into a small table builds the secondary indexes after its rows: they come
back exactly as they were, the unique key is still enforced meanwhile, and a failure
half-way leaves table and indexes as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services import row_writer
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.storage import bulk_load
from tests.exchange.test_import import housing_row, plain_sheet


def _indexes(book: Book) -> list[tuple[str, str]]:
    with book.reading() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'housing_checks' AND sql IS NOT NULL ORDER BY name"
            )
        ]


def _source(tmp_path: Path, count: int) -> Path:
    rows = []
    for number in range(1, count + 1):
        id_number = resident_id.make("410622", dt.date(1960, 1, 1) + dt.timedelta(days=number), 3)
        rows.append(housing_row(number, 身份证号=id_number, 户主姓名=f"王{number}"))
    return plain_sheet(tmp_path / "表.xlsx", *rows)


@pytest.fixture(autouse=True)
def every_import_counts_as_big(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite only (a server builds its indexes its own way); any size is big enough."""
    if book.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setattr(bulk_load, "REBUILD_FROM_ROWS", 1)


def test_indexes_come_back_exactly_and_serve_searches(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _indexes(book)

    result = import_workbook(book, "housing", _source(tmp_path, 40))

    assert result.inserted == 40
    assert _indexes(book) == before
    service = book.records("housing")
    assert service.count(RecordQuery(text="王17")) == 1
    with book.reading() as connection:
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM housing_checks WHERE id_number = '1'"
            )
        )
    assert "ix_housing_checks_id_number" in plan


def test_a_failure_half_way_leaves_rows_and_indexes_as_they_were(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _indexes(book)
    real_insert = row_writer.NewRows.insert

    def failing(self: Any, connection: Any, rows: Any) -> Any:
        real_insert(self, connection, rows)  # the rows are written, then the disk fails
        raise OSError("simulated failure")

    monkeypatch.setattr(row_writer.NewRows, "insert", failing)

    with pytest.raises(Exception):  # noqa: B017 - whatever the failure, nothing stays
        import_workbook(book, "housing", _source(tmp_path, 40))

    assert book.records("housing").count(RecordQuery()) == 0
    assert _indexes(book) == before


def test_a_small_import_into_a_big_table_keeps_its_indexes_throughout(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_workbook(book, "housing", _source(tmp_path, 40))
    dropped: list[str] = []

    def spied(sql: str) -> bool:
        dropped.append(sql)
        return sql.upper().startswith("CREATE UNIQUE")

    monkeypatch.setattr(bulk_load, "_is_unique", spied)
    new_id = resident_id.make("410622", dt.date(1990, 5, 5), 8)
    small = plain_sheet(tmp_path / "小表.xlsx", housing_row(1, 身份证号=new_id, 户主姓名="李四"))

    result = import_workbook(book, "housing", small)

    assert result.inserted == 1
    assert dropped == []  # 1 new row into a table of 40: no index was looked at, none dropped
