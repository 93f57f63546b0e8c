"""A process killed in the middle of a large write leaves a healthy database without any of
that write, and with everything committed before it."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from hebi_desktop.services.checking import check_book
from tests.killed_child import child_python, wal_size
from tests.samples import housing

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

COMMITTED = 500
IN_FLIGHT = 12_000

# The child commits one batch, then starts one big transaction and says READY part-way.
# A tiny page cache makes SQLite spill the uncommitted pages into the WAL file, so the
# half-done write really is on disk when the process dies.
CHILD = f"""
import datetime as dt, sys, time
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.domain.samples import SampleMaker

book = Book.open(sys.argv[1])
ledger = get_ledger("housing")
service = book.records(ledger)
rows = [service.check(v) for v in SampleMaker(99).rows(ledger, {COMMITTED + IN_FLIGHT})]
now = dt.datetime.now()
with book.writing() as connection:
    service.insert_checked(connection, rows[:{COMMITTED}], "before", now, "create")
print("COMMITTED", flush=True)
with book.writing() as connection:
    connection.exec_driver_sql("PRAGMA cache_size=20")
    for start in range({COMMITTED}, len(rows), 1000):
        service.insert_checked(connection, rows[start:start + 1000], "killed", now, "create")
        if start == {COMMITTED} + 4000:
            print("READY", flush=True)
    print("ALL WRITTEN", flush=True)
    time.sleep(600)
"""


def test_kill_during_a_large_write_leaves_none_of_it(db_path: Path) -> None:
    with Book.open(db_path) as book:
        for day in range(1, 4):
            book.records("housing").create(housing(check_date=dt.date(2024, 5, day)))

    with child_python(CHILD, str(db_path)) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "COMMITTED"
        committed = wal_size(db_path)
        line = child.stdout.readline().strip()
        assert line == "READY", (line, child.stderr.read() if child.stderr else "")
        spilled = wal_size(db_path)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    assert spilled > committed, "the uncommitted write never reached the disk"

    with Book.open(db_path) as book:
        service = book.records("housing")
        assert service.count() == 3 + COMMITTED  # the committed batch, none of the killed one
        with book.reading() as connection:
            audit = connection.exec_driver_sql(
                "SELECT operator, count(*) FROM audit_log GROUP BY operator ORDER BY operator"
            ).all()
            creators = connection.exec_driver_sql(
                "SELECT count(*) FROM housing_checks WHERE created_by = 'killed'"
            ).scalar()
        assert [tuple(row) for row in audit] == [("before", COMMITTED), ("未署名", 3)]
        assert creators == 0
        result = check_book(book)
        assert result.ok, (result.integrity, result.ledgers[0].errors[:3])
        # the lock died with the process: writing works at once
        service.create(housing(check_date=dt.date(2024, 5, 20)))
        assert service.count() == 4 + COMMITTED

    done = subprocess.run(
        [sys.executable, "-m", "hebi_desktop", "check", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"【住房安全动态监测台账】{4 + COMMITTED} 条记录：错误 0 条" in done.stdout
    assert "检查通过" in done.stdout
