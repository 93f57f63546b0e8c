"""Submissions: every export sent upward is recorded, and the monthly incremental export
starts where the ledger's last submission left off."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.exchange.submissions import last_submission, list_submissions
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from tests.exchange.helpers import export
from tests.raw_db import raw_connect
from tests.samples import education, housing, water


def test_an_export_is_recorded_per_ledger_with_its_hash(book: Book, tmp_path: Path) -> None:
    book.records("housing").create(housing())
    book.records("water").create(water())
    target = tmp_path / "上报.xlsx"
    query = RecordQuery(township_code="410622102", date_from=dt.date(2024, 1, 1))
    result = export(book, target, "housing", "water", query=query, mask_ids=True)
    assert result.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()

    entries = list_submissions(book)
    assert sorted(e.ledger for e in entries) == ["housing", "water"]
    for entry in entries:
        assert entry.sha256 == result.sha256
        assert entry.operator == "测试员"
        assert entry.row_count == 1
        assert Path(entry.file_name) == target.resolve()
        assert entry.filters == {
            "township_code": "410622102",
            "date_from": "2024-01-01",
            "mask_ids": True,
        }
    assert "北阳镇" in entries[0].filters_text() and "脱敏" in entries[0].filters_text()
    assert [e.ledger for e in list_submissions(book, "water")] == ["water"]


def test_an_export_for_own_use_is_not_recorded(book: Book, tmp_path: Path) -> None:
    export(book, tmp_path / "x.xlsx", "housing", record_submission=False)
    assert list_submissions(book) == []
    assert last_submission(book, "housing") is None


def test_incremental_export_holds_what_changed_since_the_last_submission(
    book: Book, tmp_path: Path
) -> None:
    service = book.records("education")
    first = service.create(education()).record
    service.create(education(id_number=resident_id.make("410622", dt.date(2013, 1, 1), 5)))
    book.records("housing").create(housing())

    initial = export(book, tmp_path / "1.xlsx", "education", since_last_submission=True)
    assert initial.rows == {"education": 2} and initial.since == {"education": None}
    nothing = export(book, tmp_path / "2.xlsx", "education", since_last_submission=True)
    assert nothing.rows == {"education": 0}

    service.update(first.id, {**first.values, "amount": "700"}, first.version)
    service.create(education(id_number=resident_id.make("410622", dt.date(2014, 2, 2), 6)))
    previous = last_submission(book, "education")
    assert previous is not None
    changed = export(book, tmp_path / "3.xlsx", "education", since_last_submission=True)
    assert changed.rows == {"education": 2}
    assert changed.since["education"] == previous.at
    latest = list_submissions(book, "education")
    assert [e.row_count for e in latest] == [2, 0, 2]  # newest first
    assert "以来" in latest[0].filters_text()

    # housing was never submitted: its incremental export holds everything
    assert export(book, tmp_path / "4.xlsx", "housing", since_last_submission=True).rows == {
        "housing": 1
    }


@pytest.mark.sqlite_only
def test_imported_records_are_in_the_next_incremental_report(book: Book, tmp_path: Path) -> None:
    from hebi_desktop.exchange.importer import import_workbook

    book.records("housing").create(housing())
    assert export(book, tmp_path / "1.xlsx", "housing", since_last_submission=True).rows == {
        "housing": 1
    }
    other = Book.open(tmp_path / "other.sqlite")
    try:
        other.records("housing").create(
            housing(id_number=resident_id.make("410622", dt.date(1966, 6, 6), 6))
        )
        export(other, tmp_path / "from-other.xlsx", "housing", record_submission=False)
    finally:
        other.close()
    assert import_workbook(book, "housing", tmp_path / "from-other.xlsx").inserted == 1
    later = export(book, tmp_path / "2.xlsx", "housing", since_last_submission=True)
    assert later.rows == {"housing": 1}

    # imported rows keep their timestamps exactly as the form's (compared as text by SQLite)
    with raw_connect(book.sqlite_file) as connection:
        stamps = [r[0] for r in connection.execute("SELECT updated_at FROM housing_checks")]
    assert len(stamps) == 2
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", s) for s in stamps)
