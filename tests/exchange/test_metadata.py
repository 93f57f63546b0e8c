"""Every exported workbook says who sent it and what it holds, readable by a county desk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook

from hebi_desktop import __version__
from hebi_desktop.exchange.metadata import FULL, INCREMENTAL, PARTIAL, read_metadata
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import UNIT_NAME
from tests import samples
from tests.exchange.helpers import export


def test_export_carries_the_submission_identity(book: Book, tmp_path: Path) -> None:
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    book.records("housing").create(samples.housing())
    book.records("education").create(samples.education())
    result = export(book, tmp_path / "all.xlsx", "housing", "education")
    meta = read_metadata(result.path)
    assert meta is not None
    assert meta.ledgers == ("housing", "education")
    assert (meta.county_code, meta.township_code) == ("410622", "410622102")
    assert meta.unit == "淇县北阳镇人民政府" and meta.operator == "测试员"
    assert meta.mode == FULL and meta.rows == {"housing": 1, "education": 1}
    assert meta.program_version == __version__ and meta.exported_at is not None
    assert len(meta.content_sha256) == 64 and meta.content_sha256 != result.sha256


def test_same_records_exported_twice_have_the_same_content_hash(book: Book, tmp_path: Path) -> None:
    book.records("housing").create(samples.housing())
    first = read_metadata(export(book, tmp_path / "a.xlsx", "housing").path)
    second = read_metadata(export(book, tmp_path / "b.xlsx", "housing").path)
    assert first and second and first.content_sha256 == second.content_sha256
    book.records("housing").create(samples.housing(check_date=dt.date(2024, 6, 1)))
    third = read_metadata(export(book, tmp_path / "c.xlsx", "housing").path)
    assert third and third.content_sha256 != first.content_sha256


def test_incremental_and_filtered_exports_say_so(book: Book, tmp_path: Path) -> None:
    book.records("housing").create(samples.housing())
    since = export(book, tmp_path / "inc.xlsx", "housing", since_last_submission=True)
    assert (meta := read_metadata(since.path)) and meta.mode == INCREMENTAL
    village = export(book, tmp_path / "v.xlsx", "housing", query=RecordQuery(village="王庄村"))
    assert (meta := read_metadata(village.path)) and meta.mode == PARTIAL
    assert meta.filters["village"] == "王庄村"
    masked = export(book, tmp_path / "m.xlsx", "housing", mask_ids=True)
    assert (meta := read_metadata(masked.path)) and meta.masked


def test_metadata_survives_resaving_and_hand_made_books_have_none(
    book: Book, tmp_path: Path
) -> None:
    book.records("housing").create(samples.housing())
    path = export(book, tmp_path / "h.xlsx", "housing").path
    workbook = load_workbook(path)
    workbook.save(tmp_path / "resaved.xlsx")  # a clerk opened and saved it
    assert (meta := read_metadata(tmp_path / "resaved.xlsx")) and meta.township_code
    Workbook().save(tmp_path / "plain.xlsx")
    assert read_metadata(tmp_path / "plain.xlsx") is None
    (tmp_path / "not.xlsx").write_text("not a workbook")
    assert read_metadata(tmp_path / "not.xlsx") is None
