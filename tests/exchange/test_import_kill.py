"""A process killed while a big import is writing leaves the database as it was: none of
the sheet's rows, none of their audit entries, everything stored before still there."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path

import pytest

from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.checking import check_book
from hebi_desktop.services.spool import BATCH
from tests.exchange.test_bounded_reading import _rows
from tests.exchange.test_import import plain_sheet
from tests.killed_child import child_python, wal_size
from tests.samples import housing

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROWS = BATCH + 2_000  # two batches: the process dies between them

# The child imports the sheet; after the first batch is inserted (inside the import's one
# transaction) it says READY and waits to be killed. A tiny page cache makes SQLite spill
# the uncommitted pages into the WAL file, so the half-done write really is on disk. The
# import counts as big, so the table's secondary indexes have been dropped meanwhile, to
# be built after the rows (storage/bulk_load.py): the kill must bring them back too.
CHILD = """
import sys, time
from pathlib import Path
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.row_writer import NewRows
from hebi_desktop.storage import bulk_load

bulk_load.REBUILD_FROM_ROWS = 1

real = NewRows.insert

def insert_then_wait(self, connection, rows):
    connection.exec_driver_sql("PRAGMA cache_size=20")
    ids = real(self, connection, rows)
    if ids:
        print("READY", len(ids), flush=True)
        time.sleep(600)
    return ids

NewRows.insert = insert_then_wait
book = Book.open(sys.argv[1])
import_workbook(book, "housing", Path(sys.argv[2]))
print("NOT KILLED", flush=True)
"""


def test_kill_while_a_big_import_writes_leaves_the_database_as_it_was(
    tmp_path: Path, db_path: Path
) -> None:
    sheet = plain_sheet(tmp_path / "大表.xlsx", *_rows(ROWS))
    with Book.open(db_path) as book:
        for day in range(1, 4):
            book.records("housing").create(housing(check_date=dt.date(2024, 5, day)))
    before = wal_size(db_path)
    indexes = _indexes(db_path)

    with child_python(CHILD, str(db_path), str(sheet)) as child:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line.startswith("READY"), (line, child.stderr.read() if child.stderr else "")
        assert int(line.split()[1]) >= 1_000  # a real part of the sheet was inserted
        spilled = wal_size(db_path)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    assert spilled > before, "the uncommitted write never reached the disk"

    with Book.open(db_path) as book:
        service = book.records("housing")
        assert service.count() == 3
        with book.reading() as connection:
            actions = connection.exec_driver_sql(
                "SELECT action, count(*) FROM audit_log GROUP BY action"
            ).all()
        assert [tuple(row) for row in actions] == [("create", 3)]
        result = check_book(book)
        assert result.ok, (result.integrity, result.ledgers[0].errors[:3])
    assert _indexes(db_path) == indexes and len(indexes) > 5
    with Book.open(db_path) as book:
        service = book.records("housing")

        # the same sheet imports whole afterwards: the lock died with the process
        assert import_workbook(book, "housing", sheet).inserted == ROWS
        assert service.count() == 3 + ROWS


def _indexes(db_path: Path) -> list[tuple[str, str]]:
    with Book.open(db_path) as book, book.reading() as connection:
        return [
            (str(name), str(sql))
            for name, sql in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'housing_checks' AND sql IS NOT NULL ORDER BY name"
            )
        ]
