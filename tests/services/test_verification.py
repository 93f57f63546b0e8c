"""Second keying: blind re-entry marks a record 已复核 with who and when; a mismatch is
resolved by the verifier either way (audited); editing a verified field returns it to
已录入; states filter the table; keyer statistics count what verification found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hebi_desktop.errors import UserError, ValidationFailed
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.verification import (
    ENTERED,
    REKEYED,
    SAME_PERSON_SETTING,
    MismatchNeedsChoice,
    VerificationService,
    keyer_stats,
)
from tests.cli_helpers import call
from tests.samples import HOUSEHOLD_HEAD_ID, housing

RIGHT = {"id_number": HOUSEHOLD_HEAD_ID, "subsidy_amount": "15000"}


def entered(book: Book, **changes: object) -> int:
    """A housing record keyed by 录入员 (the verifier is the book's operator, 测试员)."""
    return book.records("housing").create(housing(**changes), operator="录入员").record.id


def test_declared_fields_include_ids_and_amounts() -> None:
    from hebi_desktop.domain.registry import get_ledger

    assert get_ledger("housing").verify_fields == ("id_number", "subsidy_amount")
    assert get_ledger("education").verify_fields == ("id_number", "amount")
    assert get_ledger("water").verify_fields == ("investment",)


def test_matching_re_entry_marks_the_record_verified_with_who_and_when(book: Book) -> None:
    record_id = entered(book)
    service = VerificationService(book, book.ledgers[0])
    before = dt.datetime.now()
    record = service.verify(
        record_id, 1, {"id_number": HOUSEHOLD_HEAD_ID.lower(), "subsidy_amount": "15,000.00"}
    )
    assert record.verified and record.verified_by == "测试员"
    assert record.verified_at is not None and record.verified_at >= before
    assert record.version == 1  # nothing changed: an incremental export need not resend it
    (entry,) = [e for e in book.records("housing").history(record_id) if e.action == "verify"]
    assert entry.changes == {"复核状态": ["已录入", "已复核"]}
    with pytest.raises(UserError, match="无需再复核"):
        service.verify(record_id, 1, RIGHT)


def test_the_keyer_cannot_verify_their_own_record_unless_the_desk_allows(book: Book) -> None:
    record_id = entered(book)
    service = VerificationService(book, book.ledgers[0])
    with pytest.raises(UserError, match="另一人"):
        service.verify(record_id, 1, RIGHT, operator="录入员")
    book.settings.set(SAME_PERSON_SETTING, "1")
    assert service.verify(record_id, 1, RIGHT, operator="录入员").verified


def test_a_mismatch_needs_a_choice_and_keeping_the_entered_value(book: Book) -> None:
    record_id = entered(book)
    service = VerificationService(book, book.ledgers[0])
    rekeyed = {**RIGHT, "subsidy_amount": "1500"}
    with pytest.raises(MismatchNeedsChoice) as raised:
        service.verify(record_id, 1, rekeyed)
    (mismatch,) = raised.value.mismatches
    assert (mismatch.header, mismatch.entered, mismatch.rekeyed) == (
        "补助金额（元）",
        Decimal("15000.00"),
        Decimal("1500.00"),
    )
    assert not book.records("housing").get(record_id).verified  # nothing written
    record = service.verify(record_id, 1, rekeyed, {"subsidy_amount": ENTERED})
    assert record.verified and record.values["subsidy_amount"] == Decimal("15000.00")
    (entry,) = [e for e in book.records("housing").history(record_id) if e.action == "verify"]
    assert entry.changes["复核不一致：补助金额（元）"] == [
        "原录入 15000.00",
        "复核录入 1500.00，采用原录入",
    ]
    (stats,) = keyer_stats(book)
    assert (stats.keyer, stats.records, stats.fields, stats.mismatched) == ("录入员", 1, 2, 1)
    assert stats.rate == 0.5


def test_a_mismatch_resolved_with_the_re_keyed_value_corrects_the_record(book: Book) -> None:
    record_id = entered(book, subsidy_amount="1500")
    service = VerificationService(book, book.ledgers[0])
    record = service.verify(record_id, 1, RIGHT, {"subsidy_amount": REKEYED})
    assert record.verified and record.values["subsidy_amount"] == Decimal("15000.00")
    assert record.version == 2
    (entry,) = [e for e in book.records("housing").history(record_id) if e.action == "verify"]
    assert entry.changes["subsidy_amount"] == ["1500.00", "15000.00"]


def test_a_re_keyed_value_that_does_not_parse_is_named(book: Book) -> None:
    record_id = entered(book)
    service = VerificationService(book, book.ledgers[0])
    with pytest.raises(ValidationFailed, match="身份证号"):
        service.verify(record_id, 1, {**RIGHT, "id_number": "123"})


def test_editing_a_verified_field_returns_the_record_to_entered(book: Book) -> None:
    records = book.records("housing")
    record_id = entered(book)
    service = VerificationService(book, book.ledgers[0])
    service.verify(record_id, 1, RIGHT)
    record = records.update(record_id, housing(phone="13903921111"), 1).record
    assert record.verified  # not a verified field
    record = records.update(
        record_id, housing(phone="13903921111", subsidy_amount="16000"), 2
    ).record
    assert not record.verified and record.verified_by is None
    (last, *_) = reversed(records.history(record_id))
    assert last.changes["复核状态"] == ["已复核", "已录入"]


def test_states_filter_the_ledger(book: Book, tmp_path: Path) -> None:
    records = book.records("housing")
    first = entered(book)
    second = entered(book, check_date=dt.date(2024, 6, 1))
    third = entered(book, check_date=dt.date(2024, 7, 1), subsidy_amount=None)
    service = VerificationService(book, book.ledgers[0])
    service.verify(second, 1, RIGHT)
    service.verify(third, 1, {"id_number": HOUSEHOLD_HEAD_ID})
    export_workbook(
        book, ExportRequest(("housing",), RecordQuery(ids=[third])), tmp_path / "sent.xlsx"
    )
    ids = {
        state: records.ids(RecordQuery(state=state))
        for state in ("entered", "verified", "submitted")
    }
    assert ids == {"entered": [first], "verified": [second], "submitted": [third]}
    states = service.states(records.fetch([first, second, third]))
    assert list(states.values()) == ["已录入", "已复核", "已报送"]
    assert records.count(RecordQuery(verified=False, with_money=True)) == 1


def test_export_limited_to_verified_records(book: Book, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    entered(book)
    verified = entered(book, check_date=dt.date(2024, 6, 1))
    VerificationService(book, book.ledgers[0]).verify(verified, 1, RIGHT)
    result = export_workbook(
        book, ExportRequest(("housing",), RecordQuery(verified=True)), tmp_path / "v.xlsx"
    )
    assert result.rows == {"housing": 1}
    sheet = load_workbook(result.path).worksheets[0]
    dates = [
        c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, dt.datetime)
    ]
    assert dt.datetime(2024, 6, 1) in dates and dt.datetime(2024, 5, 9) not in dates


def test_cli_verify_stats(db_url: str, book: Book, capsys: pytest.CaptureFixture[str]) -> None:
    record_id = entered(book)
    VerificationService(book, book.ledgers[0]).verify(
        record_id, 1, {**RIGHT, "subsidy_amount": "1"}, {"subsidy_amount": ENTERED}
    )
    code, out, _ = call(capsys, "--db", db_url, "check", "--verify-stats")
    assert code == 0
    assert "录入员" in out and "50.0%" in out


def test_cli_settings_allows_self_verification(
    db_url: str, book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    record_id = entered(book)
    code, out, _ = call(capsys, "--db", db_url, "settings", "--self-verify", "yes")
    assert code == 0 and "允许本人复核：是" in out
    service = VerificationService(book, book.ledgers[0])
    assert service.verify(record_id, 1, RIGHT, operator="录入员").verified


def test_an_import_that_changes_a_verified_field_returns_the_record_to_entered(
    book: Book, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from hebi_desktop.exchange.importer import import_workbook

    record_id = entered(book)
    VerificationService(book, book.ledgers[0]).verify(record_id, 1, RIGHT)
    exported = export_workbook(
        book, ExportRequest(("housing",), record_submission=False), tmp_path / "out.xlsx"
    ).path
    workbook = load_workbook(exported)
    sheet = workbook.worksheets[0]
    (header,) = [
        row for row in sheet.iter_rows(max_row=5) if any(c.value == "补助金额（元）" for c in row)
    ]
    column = next(c.column for c in header if c.value == "补助金额（元）")
    sheet.cell(header[0].row + 1, column).value = 16000
    workbook.save(exported)
    result = import_workbook(book, "housing", exported, on_duplicate="update")
    assert result.ok and result.updated == 1, result.errors
    record = book.records("housing").get(record_id)
    assert record.values["subsidy_amount"] == Decimal("16000.00") and not record.verified
