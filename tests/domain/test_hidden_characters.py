"""Invisible control characters never reach the database, and an error line repeats at
most ~50 characters of the value it is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.values import SHOWN_LIMIT, ValueProblem, make_parser, shown
from hebi_desktop.errors import ValidationFailed
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from tests.exchange.helpers import write_sheet
from tests.samples import housing

HOUSING = get_ledger("housing")


@pytest.mark.parametrize("hidden", ["\x00", "\u202e", "\u2066", "\x1b"])
def test_names_with_control_characters_are_refused(hidden: str) -> None:
    parse = make_parser(HOUSING.field("head_name"))
    with pytest.raises(ValueProblem, match=f"控制字符（U\\+{ord(hidden):04X}）"):
        parse(f"张{hidden}秀英")


def test_a_record_with_a_right_to_left_override_is_not_saved(book: Book) -> None:
    with pytest.raises(ValidationFailed, match="控制字符"):
        book.records("housing").create(housing(head_name="张秀英\u202e"))
    assert book.records("housing").count() == 0
    remarks = "第一行\n第二行\t备注"  # line breaks and tabs in remarks stay allowed
    assert book.records("housing").create(housing(remarks=remarks)).record.values["remarks"]


def test_an_error_repeats_at_most_fifty_characters_of_the_value() -> None:
    parse = make_parser(HOUSING.field("household_size"))
    with pytest.raises(ValueProblem) as raised:
        parse("9" * 30 + "人" * 100_000)
    assert len(str(raised.value)) < SHOWN_LIMIT + 30
    assert "共100030字" in str(raised.value)
    assert shown("a\u202eb") == "a<U+202E>b"


def test_import_error_lines_are_short(book: Book, tmp_path: Path) -> None:
    headers = [f.header for f in HOUSING.stored_fields]
    row = [None] * len(headers)
    row[headers.index(HOUSING.field("household_size").header)] = "多" * 100_000
    source = write_sheet(tmp_path / "huge.xlsx", [headers, row])
    result = import_workbook(book, "housing", source, dry_run=True)
    assert result.errors
    assert max(len(issue.text()) for issue in result.errors) < 200
