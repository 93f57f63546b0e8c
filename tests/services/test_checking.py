"""``check`` reads typed values back and trusts only what their type guarantees.

Each record below is saved through the service, then broken behind its back with an UPDATE
(as another program on a shared server, or an older version, might leave it). ``check``
must report every broken rule, exactly as a full validation of the same values does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.values import _is_hidden, hidden_character
from hebi_desktop.services.book import Book
from hebi_desktop.services.checking import check_book
from hebi_desktop.services.querying import RecordQuery
from tests.samples import education, housing

TODAY = dt.date.today()
_ID = housing()["id_number"]
WRONG_CHECK_DIGIT = _ID[:-1] + ("0" if _ID[-1] != "0" else "1")

# (ledger, column, stored value, words the error must contain)
BROKEN: list[tuple[str, str, Any, str]] = [
    ("housing", "head_name", None, "户主姓名：必填"),
    ("housing", "checker", "   ", "排查人：必填"),
    ("housing", "head_name", "张" * 21, "不能超过20个字"),
    ("housing", "address", "王庄村\u202e12号", "控制字符"),
    ("housing", "remarks", "备注\x00", "控制字符"),
    ("housing", "id_number", WRONG_CHECK_DIGIT, "身份证号："),
    ("housing", "phone", "12345", "不是有效的电话号码"),
    ("housing", "household_size", 31, "应不大于30"),
    ("housing", "household_size", "三口", "不是整数"),
    ("housing", "built_year", TODAY.year + 1, f"应不大于{TODAY.year}"),
    ("housing", "floor_area", 0, "应大于0"),
    ("housing", "subsidy_amount", -100, "应不小于0"),
    ("housing", "check_date", TODAY + dt.timedelta(days=1), "不能晚于今天"),
    ("housing", "check_date", dt.date(1899, 12, 31), "早于1900年"),
    ("housing", "safety_grade", "Z级", "不在可选值中"),
    ("housing", "in_renovation", False, "现在应为空"),
    ("housing", "completion_date", None, "必须填写竣工日期"),
    ("housing", "completion_date", dt.date(2020, 1, 1), "竣工日期："),
    ("education", "school_year", "2024-2026", "后一年应为前一年加1"),
]


def full_validation(book: Book, key: str) -> list[tuple[int, str]]:
    """What ``check`` reported before: every value through the form's parsers."""
    service = book.records(key)
    return [
        (record_id, issue.message)
        for record_id, values in service.iter_items(RecordQuery(sort="id"))
        for issue in service.check(values).errors
    ]


@pytest.mark.sqlite_only  # SQLite keeps text in an INTEGER column, as a foreign program may
def test_check_reports_every_hard_rule_broken_in_the_database(book: Book) -> None:
    samples = {"housing": housing, "education": education}
    broken_ids: list[tuple[int, str]] = []
    for key, column, value, words in BROKEN:
        ledger = get_ledger(key)
        unique_id = resident_id.make("410622", dt.date(1960, 7, 1), len(broken_ids))
        record_id = book.records(key).create(samples[key](id_number=unique_id)).record.id
        with book.writing() as connection:
            connection.execute(
                text(f"UPDATE {ledger.table_name} SET {column} = :value WHERE id = :id"),
                {"value": value, "id": record_id},
            )
        broken_ids.append((record_id, words))

    result = check_book(book)

    assert not result.ok
    by_key = {c.ledger.key: c for c in result.ledgers}
    for key in ("housing", "education"):
        assert by_key[key].errors == full_validation(book, key)
    for (key, _column, _value, words), (record_id, _) in zip(BROKEN, broken_ids, strict=True):
        messages = [m for i, m in by_key[key].errors if i == record_id]
        assert any(words in m for m in messages), (key, _column, messages)


def test_hidden_character_finds_exactly_the_controls_and_bidi_overrides() -> None:
    for code in range(0x3000):
        ch = chr(code)
        assert (hidden_character(f"a{ch}b") == ch) is _is_hidden(ch), hex(code)
