"""Moving an office between engines keeps everything: SQLite → server → SQLite.

The move is what an office does when it outgrows one desk (``restore`` a desk's file into
the server) and what the portable backup of a server is (``backup`` writes a SQLite
file). Every row of every table, ``stats``, ``check`` and the exported workbooks must be
the same at the end as at the start.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from hebi_desktop.domain import resident_id
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.drafts import DraftService
from hebi_desktop.services.transfer import copied_tables, copy_book
from tests.cli_helpers import call
from tests.raw_db import raw_connect
from tests.samples import housing


def filled_office(path: Path, rows: int, tmp_path: Path) -> None:
    """A desk's database with records, edits, a deletion, a submission and settings."""
    with Book.open(path, backups=tmp_path / "backups") as book:
        book.settings.set("operator", "张会计")
        book.settings.set("township_code", "410622102")
        fill_demo(book, rows, seed=5, city_wide=True)
        service = book.records("housing")
        first = service.create(housing(head_name="赵秀兰")).record
        service.update(first.id, {**first.values, "remarks": "已复核"}, first.version)
        other_id = resident_id.make("410622", dt.date(1961, 2, 3), 45)
        service.delete(service.create(housing(head_name="钱国庆", id_number=other_id)).record.id)
        export_workbook(book, ExportRequest(("water",)), tmp_path / "submitted.xlsx")
        DraftService(book).save("housing", None, {"head_name": "孙"})


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the program, in primary-key order, as SQLite holds it."""
    with raw_connect(path) as connection:
        return {
            table.name: connection.execute(
                f'SELECT * FROM "{table.name}" ORDER BY '
                + ", ".join(column.name for column in table.primary_key.columns)
            ).fetchall()
            for table in copied_tables()
        }


def workbook_cells(path: Path) -> dict[str, list[list[Any]]]:
    """All sheets' cells below the title rows (the title names the export time)."""
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python()[2:] for name in workbook.sheet_names}


def test_an_office_moves_to_the_server_and_back_losing_nothing(
    db_url: str, engine_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = 10_000 if engine_name == "postgresql" else 1_000
    start, end = tmp_path / "desk.sqlite", tmp_path / "back.sqlite"
    filled_office(start, rows, tmp_path)
    before = table_rows(start)
    assert len(before["housing_checks"]) == rows + 2

    code, out, err = call(capsys, "restore", str(start), "--db", db_url)
    assert code == 0, err
    assert f"housing {rows + 1} 条" in out
    code, out, err = call(capsys, "backup", "-o", str(end), "--db", db_url)
    assert code == 0, err

    assert table_rows(end) == before
    for command in (["stats", "--by-township"], ["check", "--limit", "5"]):
        results = [call(capsys, *command, "--db", str(db)) for db in (start, end)]
        assert results[0] == results[1]
    exported = []
    for db in (start, end):
        with Book.open(db) as book:
            target = tmp_path / f"{db.stem}.xlsx"
            keys = tuple(ledger.key for ledger in book.ledgers)
            request = ExportRequest(keys, record_submission=False, all_places=True)
            export_workbook(book, request, target)
            exported.append(workbook_cells(target))
    assert exported[0] == exported[1]
    assert sum(len(cells) for cells in exported[0].values()) > 3 * rows


def test_copying_replaces_the_target_in_one_transaction(book: Book, tmp_path: Path) -> None:
    """What was in the target is gone; new records continue after the copied ids."""
    book.records("housing").create(housing(head_name="旧记录"))
    source_file = tmp_path / "source.sqlite"
    filled_office(source_file, 20, tmp_path)
    with Book.open(source_file) as source:
        copied = copy_book(source, book)
        assert copied["housing_checks"] == 22
    service = book.records("housing")
    assert service.count() == 21  # 20 demo rows and the edited one; the deleted stays deleted
    later = service.create(housing(id_number=resident_id.make("410622", dt.date(1970, 1, 1), 7)))
    assert later.record.id == 23
    assert "旧记录" not in [record.values["head_name"] for record in service.list()]
