"""ZIP with attachments: export --with-files → collect round trip with checksums; a
tampered or added file refuses the whole ZIP; a masked export leaves the files out."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from hebi_desktop.county.collect_archive import collect_archive
from hebi_desktop.exchange.export import ExportRequest
from hebi_desktop.exchange.export_files import export_with_files
from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import COUNTY, SCOPE, SCOPE_COUNTY
from tests.county_helpers import BEIYANG, QIXIAN, housing_rows, township_desk
from tests.photo_files import pdf_bytes, write_photo

TAKEN = dt.datetime(2024, 9, 2, 8, 15)


def township_zip(folder: Path, **options: object) -> tuple[Path, list[str]]:
    """A township desk with two households, three attachments, exported with files."""
    with township_desk(folder, BEIYANG) as desk:
        rows = housing_rows(BEIYANG, 2, 100)
        ids = [desk.records("housing").create(row).record.id for row in rows]
        service = desk.attachments("housing")
        service.attach(ids[0], write_photo(folder / "a.jpg", taken=TAKEN), "改造前", "正门")
        service.attach(ids[0], write_photo(folder / "b.jpg", color=(0, 90, 0)), "改造前")
        scan = folder / "鉴定.pdf"
        scan.write_bytes(pdf_bytes())
        service.attach(ids[1], scan, "鉴定表")
        target = folder / "北阳镇报送.zip"
        request = ExportRequest(("housing",), **options)  # type: ignore[arg-type]
        export_with_files(desk, request, target)
        names = [str(r["head_name"]) for r in rows]
    return target, names


def as_county(book: Book) -> Book:
    book.settings.set(COUNTY, QIXIAN)
    book.settings.set(SCOPE, SCOPE_COUNTY)
    return book


def test_zip_layout_and_manifest(tmp_path: Path) -> None:
    target, names = township_zip(tmp_path)
    with zipfile.ZipFile(target) as archive:
        listed = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert "北阳镇报送.xlsx" in listed
        paths = [f["path"] for f in manifest["files"]]
        assert len(paths) == 3
        first = next(p for p in paths if names[0] in p)
        assert first.startswith("北阳镇/") and first.endswith("/改造前-1.jpg")
        assert any(p.endswith("/改造前-2.jpg") for p in paths)
        assert any(p.endswith("/鉴定表-1.pdf") for p in paths)
        for entry in manifest["files"]:
            import hashlib

            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]


def test_round_trip_into_the_county_keeps_kinds_captions_and_dates(
    tmp_path: Path, book: Book
) -> None:
    target, _names = township_zip(tmp_path)
    county = as_county(book)
    result = collect_archive(county, target)
    assert result.ok, result.refused
    assert (result.attached, result.files_listed) == (3, 3)
    found = county.attachments("housing").find()
    assert sorted(a.kind for a in found) == ["改造前", "改造前", "鉴定表"]
    front = next(a for a in found if a.caption == "正门")
    assert front.taken_at == TAKEN
    assert len({a.record_id for a in found}) == 2
    # The same ZIP again: nothing new, nothing doubled.
    again = collect_archive(county, target)
    assert again.ok and again.attached == 0 and again.already_there == 3
    assert len(county.attachments("housing").find()) == 3


def test_a_tampered_file_refuses_the_whole_zip(tmp_path: Path, book: Book) -> None:
    target, _names = township_zip(tmp_path)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(tampered, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("改造前-2.jpg"):
                data = data[:-10] + b"0123456789"
            copy.writestr(item, data)
    county = as_county(book)
    result = collect_archive(county, tampered)
    assert not result.ok
    assert "校验值不符" in (result.refused or "")
    assert "改造前-2.jpg" in (result.refused or "")
    assert county.records("housing").count() == 0  # the workbook was not taken in either
    assert county.attachments("housing").find() == []


def test_an_added_file_refuses_the_whole_zip(tmp_path: Path, book: Book) -> None:
    target, _names = township_zip(tmp_path)
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("../evil.jpg", b"x")
    result = collect_archive(as_county(book), target)
    assert not result.ok and "不在附件清单中" in (result.refused or "")
    assert not (tmp_path.parent / "evil.jpg").exists()


def test_masked_export_leaves_the_files_out_unless_asked(tmp_path: Path) -> None:
    target, _ = township_zip(tmp_path, mask_ids=True)
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["files_left_out"] is True
        assert manifest["files"] == []
        assert not [n for n in archive.namelist() if n.endswith(".jpg")]


@pytest.mark.sqlite_only
def test_export_with_files_needs_a_zip_name(tmp_path: Path, db_path: Path) -> None:
    from hebi_desktop.errors import UserError

    with Book.open(db_path) as book, pytest.raises(UserError, match=r"\.zip"):
        export_with_files(book, ExportRequest(("housing",)), tmp_path / "out.xlsx")
