"""The payment register limited to verified records, and its warning when it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from hebi_desktop.services.verification import VerificationService
from tests.cli_helpers import call
from tests.printing.pdf_text import pages
from tests.samples import STUDENT_ID, education

pytestmark = pytest.mark.usefixtures("qapp")


def test_register_of_verified_records_only_and_the_warning(
    book: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = book.records("education")
    checked = records.create(education(), operator="录入员").record
    records.create(education(student_name="王小明", semester="春季学期"), operator="录入员")
    VerificationService(book, records.ledger).verify(
        checked.id, 1, {"id_number": STUDENT_ID, "amount": "625"}
    )
    db = str(book.sqlite_file)
    everything = tmp_path / "all.pdf"
    code, out, _ = call(
        capsys, "--db", db, "print", "education", "--form", "register", "-o", str(everything)
    )
    assert code == 0 and "其中 1 条尚未复核" in out
    assert "王小明" in "".join(pages(everything))
    verified = tmp_path / "verified.pdf"
    code, out, _ = call(
        capsys, "--db", db, "print", "education", "--form", "register", "--verified-only",
        "-o", str(verified),
    )  # fmt: skip
    assert code == 0 and "尚未复核" not in out
    text = "".join(pages(verified))
    assert "刘子涵" in text and "王小明" not in text
