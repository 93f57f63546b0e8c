"""Incremental submissions are exact: nothing committed after an export's snapshot is ever
skipped, a filtered export moves only its own scope's watermark, and a workbook of several
ledgers reads its sheets and its 汇总 from one snapshot.

The import runs in a real second process (another desk) that holds its transaction open
on request; on a shared server the same guarantees hold, so these run on both engines.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from hebi_desktop.domain import resident_id
from hebi_desktop.exchange import export as export_module
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.submissions import last_submission, list_submissions
from hebi_desktop.storage.models import Submission
from tests.cli_helpers import ROOT, call, run
from tests.exchange import helpers
from tests.exchange.helpers import calamine_rows
from tests.samples import housing

IMPORTER = textwrap.dedent(
    """
    import contextlib, sys
    from hebi_desktop.exchange.importer import import_workbook
    from hebi_desktop.services.book import Book

    book = Book.open(sys.argv[1])
    plain = Book.writing

    @contextlib.contextmanager
    def held(self):
        with plain(self) as connection:
            yield connection
            print("holding", flush=True)  # rows written, not yet committed
            sys.stdin.readline()

    Book.writing = held
    result = import_workbook(book, "housing", sys.argv[2])
    Book.writing = plain
    book.close()
    print("inserted", result.inserted, flush=True)
    """
)


def export(*args: Any, **options: Any) -> Any:
    """These tests are about whole-ledger watermarks: the records of every place."""
    options.setdefault("all_places", True)
    return helpers.export(*args, **options)


def person(n: int) -> str:
    return resident_id.make("410622", dt.date(1950, 1, 1) + dt.timedelta(days=n), n % 900)


@pytest.fixture
def incoming(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A workbook of 40 housing records from another township office."""
    other = tmp_path / "other.sqlite"
    with Book.open(other) as book:
        service = book.records("housing")
        for n in range(40):
            service.create(housing(id_number=person(1000 + n), township_code="410622101"))
        export(book, tmp_path / "incoming.xlsx", "housing", record_submission=False)
    return tmp_path / "incoming.xlsx"


def start_importer(db_url: str, workbook: Path) -> subprocess.Popen[str]:
    """An import in another process (another desk), stopped just before it commits."""
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, db_url, str(workbook)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "holding"
    return process


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def finish(process: subprocess.Popen[str]) -> int:
    """Let the import commit; returns how many records it inserted."""
    out, _ = process.communicate("\n", timeout=120)
    assert process.returncode == 0
    return int(out.split()[-1])


def test_records_committed_after_an_incremental_export_are_in_the_next_one(
    book: Book, db_url: str, tmp_path: Path, incoming: Path
) -> None:
    service = book.records("housing")
    for n in range(3):
        service.create(housing(id_number=person(n)))
    assert export(book, tmp_path / "1.xlsx", "housing", since_last_submission=True).rows == {
        "housing": 3
    }
    process = start_importer(db_url, incoming)
    try:
        # The monthly export runs while the import is still writing: a real process too.
        second = tmp_path / "2.xlsx"
        exporting = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hebi_desktop",
                "export",
                "housing",
                "-o",
                str(second),
                "--since-last-submission",
                "--all-places",
                "--db",
                db_url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        deadline = time.monotonic() + 60
        while not second.exists() and exporting.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        inserted = finish(process)  # the import commits while the export records itself
        out, err = exporting.communicate(timeout=120)
        assert exporting.returncode == 0, err
    finally:
        stop(process)
    assert inserted == 40
    assert "0 条" in out  # its snapshot came before the import's commit

    third = export(book, tmp_path / "3.xlsx", "housing", since_last_submission=True)

    assert third.rows == {"housing": 40}  # every imported record is reported, once
    assert [s.row_count for s in list_submissions(book, "housing")] == [40, 0, 3]
    assert export(book, tmp_path / "4.xlsx", "housing", since_last_submission=True).rows == {
        "housing": 0
    }


def test_an_export_of_several_ledgers_reads_one_snapshot(
    book: Book, db_url: str, tmp_path: Path, incoming: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = book.records("housing")
    for n in range(5):
        service.create(housing(id_number=person(n)))
    importer = start_importer(db_url, incoming)
    write_ledgers = export_module._write_ledgers

    def import_commits_meanwhile(*args: object, **kwargs: object) -> dict[str, int]:
        finish(importer)  # after the 汇总 was read, before the sheets are
        return write_ledgers(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_module, "_write_ledgers", import_commits_meanwhile)
    target = tmp_path / "all.xlsx"

    try:
        result = export(book, target, "housing", "water", "education")
    finally:
        stop(importer)

    assert book.records("housing").count() == 45  # the import did commit
    assert result.rows["housing"] == 5
    assert last_submission(book, "housing").row_count == 5  # type: ignore[union-attr]
    summary = calamine_rows(target, next(n for n in _sheet_names(target) if "汇总" in n))
    totals = [row for row in summary if row and row[0] == "合计"]
    assert totals and all(45 not in row and 45.0 not in row for row in totals)
    assert any(5 in row or 5.0 in row for row in totals)


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).sheet_names


def test_a_filtered_submission_does_not_move_the_whole_ledger_watermark(
    book: Book, tmp_path: Path
) -> None:
    service = book.records("housing")
    service.create(housing(id_number=person(1)))  # 北阳镇 (410622102)
    service.create(housing(id_number=person(2), township_code="410622101"))
    beiyang = RecordQuery(township_code="410622102")

    first = export(book, tmp_path / "a.xlsx", "housing", query=beiyang, since_last_submission=True)
    assert first.rows == {"housing": 1}
    again = export(book, tmp_path / "b.xlsx", "housing", query=beiyang, since_last_submission=True)
    assert again.rows == {"housing": 0}  # 北阳镇's own watermark moved

    whole = export(book, tmp_path / "c.xlsx", "housing", since_last_submission=True)
    assert whole.rows == {"housing": 2}  # nothing was in a whole-ledger submission yet
    assert whole.since == {"housing": None}
    assert export(book, tmp_path / "d.xlsx", "housing", since_last_submission=True).rows == {
        "housing": 0
    }
    # An edit after both makes the record due in both scopes.
    record = service.list(RecordQuery(township_code="410622102"))[0]
    service.update(record.id, {**record.values, "remarks": "复查"}, record.version)
    assert export(book, tmp_path / "e.xlsx", "housing", since_last_submission=True).rows == {
        "housing": 1
    }
    assert export(
        book, tmp_path / "f.xlsx", "housing", query=beiyang, since_last_submission=True
    ).rows == {"housing": 1}


def test_submissions_from_before_the_upgrade_still_count_by_time(
    book: Book, tmp_path: Path
) -> None:
    service = book.records("housing")
    service.create(housing(id_number=person(1)))
    with book.writing() as connection:  # as recorded by the previous version of the program
        connection.execute(
            insert(Submission.__table__),
            [
                {
                    "at": dt.datetime.now(),
                    "operator": "测试员",
                    "ledger": "housing",
                    "filters": json.dumps({}),
                    "row_count": 1,
                    "file_name": "old.xlsx",
                    "sha256": "0" * 64,
                    "scope": None,
                }
            ],
        )
    time.sleep(0.01)
    service.create(housing(id_number=person(2)))

    result = export(book, tmp_path / "a.xlsx", "housing", since_last_submission=True)

    assert result.rows == {"housing": 1}
    assert result.since["housing"] is not None


def test_reversed_date_range_is_refused(
    book: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book.records("housing").create(housing())
    code, _out, err = call(
        capsys,
        "export",
        "housing",
        "-o",
        str(tmp_path / "x.xlsx"),
        "--from",
        "2024-12-31",
        "--to",
        "2024-01-01",
        "--db",
        db_url,
    )
    assert code == 1 and "晚于" in err
    assert list_submissions(book) == []
    assert not (tmp_path / "x.xlsx").exists()


def test_export_cli_still_runs_as_a_process(book: Book, db_url: str, tmp_path: Path) -> None:
    book.records("housing").create(housing())
    done = run("export", "all", "-o", str(tmp_path / "all.xlsx"), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "住房安全" in done.stdout and (tmp_path / "all.xlsx").is_file()


def test_recording_a_big_submission_is_one_statement_per_ledger(book: Book) -> None:
    """Recording what 5,000 records sent costs one set-based statement, not one per row,
    and a later submission's newer versions replace the older ones."""
    from sqlalchemy import event, func, select

    from hebi_desktop.services.submissions import Sent, record_submissions
    from hebi_desktop.storage.models import SubmittedRecord

    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    def submit(day: int, records: list[tuple[int, int]]) -> None:
        with book.writing() as connection:
            record_submissions(
                connection,
                at=dt.datetime(2026, 12, day),
                operator="测试员",
                entries=[Sent("housing", {}, records)],
                file_name=f"{day}.xlsx",
                sha256=str(day) * 64,
            )

    sent = [(record_id, 1 + record_id % 3) for record_id in range(1, 5001)]
    event.listen(book.engine, "before_cursor_execute", seen)
    try:
        submit(1, sent)
    finally:
        event.remove(book.engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "submitted_records" in s]) == 1
    submit(2, [(record_id, version + 1) for record_id, version in sent[:10]])
    table = SubmittedRecord.__table__
    with book.reading() as connection:
        stored = dict(connection.execute(select(table.c.record_id, table.c.version)).all())
        assert connection.scalar(select(func.count()).select_from(table)) == 5000
    assert stored[1] == sent[0][1] + 1 and stored[11] == sent[10][1]
    assert stored[5000] == sent[-1][1]
