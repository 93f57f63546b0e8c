"""``print housing --form archive``: per household its fields, then its photos two to four
to a page with kind, caption and date taken, with the signature lines; read back."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import REVIEWER, UNIT_HEAD
from tests.cli_helpers import call
from tests.photo_files import pdf_bytes, write_photo
from tests.printing.pdf_text import pages
from tests.samples import housing

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def archive_book(tmp_path: Path) -> Book:
    book = Book.open(tmp_path / "ledgers.sqlite")
    book.settings.set("operator", "王丽")
    book.settings.set("county_code", "410622")
    book.settings.set("township_code", "410622102")
    book.settings.set(REVIEWER, "李建国")
    book.settings.set(UNIT_HEAD, "赵志强")
    record_id = book.records("housing").create(housing()).record.id
    service = book.attachments("housing")
    taken = dt.datetime(2024, 9, 2, 9, 0)
    for index, kind in enumerate(("改造前", "改造前", "改造中", "改造后", "改造后")):
        photo = write_photo(tmp_path / f"{index}.jpg", color=(40 * index, 90, 160), taken=taken)
        service.attach(record_id, photo, kind, "正门" if index == 3 else "")
    scan = tmp_path / "鉴定.pdf"
    scan.write_bytes(pdf_bytes())
    service.attach(record_id, scan, "鉴定表")
    return book


def test_archive_pages_hold_fields_photos_and_signatures(
    archive_book: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "一户一档.pdf"
    db = str(archive_book.sqlite_file)
    archive_book.close()
    code, out, err = call(
        capsys, "--db", db, "print", "housing", "--form", "archive", "--portrait", "-o", str(target)
    )
    assert (code, err) == (0, ""), err
    assert "一户一档：1 条，共 3 页" in out
    texts = pages(target)
    assert len(texts) == 3  # the fields page, then five photos: four and one
    first = texts[0]
    assert "一户一档" in first and "张秀英" in first
    for header in ("户主姓名", "身份证号", "安全等级", "改造进度"):
        assert header in first
    assert "鉴定表" in first and "PDF" in first
    assert "审核人：李建国" in first and "单位负责人（签字）：赵志强" in first
    assert "改造后正门拍摄于2024-09-02" in texts[1].replace(" ", "")
    assert texts[1].count("拍摄于2024-09-02") == 4
    assert texts[2].count("拍摄于2024-09-02") == 1
    assert "审核人：李建国" in texts[2]
    # The photos are on the paper: poppler finds four images on the first photo page.
    listed = subprocess.run(
        ["pdfimages", "-f", "2", "-l", "2", "-list", str(target)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert len([line for line in listed.splitlines()[2:] if line.strip()]) >= 4
