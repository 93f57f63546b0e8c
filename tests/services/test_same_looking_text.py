"""Text that looks the same is the same: zero-width characters never reach the database,
from the form's service, an import or a collection; and a name that starts like a
formula is saved with a 提醒 so someone looks at it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hebi_desktop.county.collect import collect_files
from hebi_desktop.domain.fields import Level
from hebi_desktop.domain.validation import PASTED_JUNK, check_record
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from tests import samples
from tests.county_helpers import county_desk
from tests.exchange.test_import import HOUSEHOLD_HEAD_ID, SECOND_ID, housing_row, plain_sheet

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


def _hidden_in(text: str, mark: str) -> str:
    return text[:1] + mark + text[1:]


@pytest.mark.parametrize("mark", ZERO_WIDTH)
def test_the_record_form_stores_names_and_ids_without_zero_width_characters(
    book: Book, mark: str
) -> None:
    values = samples.housing()
    saved = (
        book.records("housing")
        .create(
            {
                **values,
                "head_name": _hidden_in("张秀英", mark),
                "id_number": _hidden_in(values["id_number"], mark) + mark,
                "village": mark + values["village"],
            }
        )
        .record.values
    )
    assert saved["head_name"] == "张秀英"
    assert saved["id_number"] == values["id_number"]
    assert saved["village"] == values["village"]
    assert book.records("housing").count(RecordQuery(text="张秀英")) == 1
    assert book.records("housing").count(RecordQuery(text=f"张{mark}秀")) == 1  # pasted search


def test_an_import_stores_clean_text_and_finds_the_duplicate(book: Book, tmp_path: Path) -> None:
    book.records("housing").create(
        samples.housing(
            head_name="张秀英", id_number=HOUSEHOLD_HEAD_ID, check_date=dt.date(2024, 5, 9)
        )
    )
    source = plain_sheet(
        tmp_path / "zw.xlsx",
        housing_row(
            1,
            户主姓名="张\u200b秀英",
            身份证号=HOUSEHOLD_HEAD_ID[:9] + "\u200d" + HOUSEHOLD_HEAD_ID[9:],
        ),
    )
    result = import_workbook(book, "housing", source, on_duplicate="error", dry_run=True)
    assert not result.ok
    assert any("已有相同的记录" in issue.message for issue in result.errors)
    again = import_workbook(
        book,
        "housing",
        plain_sheet(
            tmp_path / "zw2.xlsx", housing_row(1, 户主姓名="王\ufeff芳", 身份证号=SECOND_ID)
        ),
    )
    assert again.ok
    assert book.records("housing").count(RecordQuery(text="王芳")) == 1


def test_a_collected_sheet_is_stored_without_zero_width_characters(tmp_path: Path) -> None:
    source = plain_sheet(tmp_path / "北阳镇.xlsx", housing_row(1, 户主姓名="李\u2060四"))
    with county_desk(tmp_path) as county:
        [result] = collect_files(county, [source])
        assert result.ok, result.status_text()
        [record] = county.records("housing").list()
        assert record.values["head_name"] == "李四"


@pytest.mark.parametrize("start", ["@", "=", "+", "-"])
def test_a_name_starting_like_a_formula_gets_a_reminder_not_a_refusal(
    book: Book, start: str
) -> None:
    checked = check_record(
        book.records("housing").ledger, samples.housing(head_name=f"{start}张三", remarks="-")
    )
    assert checked.ok
    [hint] = [i for i in checked.issues if i.code == PASTED_JUNK]
    assert hint.level is Level.WARNING and hint.field == "head_name"
    assert "户主姓名" in hint.message and "核实" in hint.message
    saved = book.records("housing").create(samples.housing(head_name=f"{start}张三"))
    assert saved.record.values["head_name"] == f"{start}张三"


def test_amounts_and_remarks_get_no_formula_reminder(book: Book) -> None:
    ledger = book.records("education").ledger
    checked = check_record(ledger, samples.education(remarks="+补发", amount="+500"))
    assert not [i for i in checked.issues if i.code == PASTED_JUNK]
