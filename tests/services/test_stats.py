"""The reported figures equal what is computed independently from the same records,
and ``check`` agrees with them (same records counted, warnings = flagged records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from hebi_desktop.domain.ledgers import housing as housing_ledger
from hebi_desktop.domain.ledgers import water as water_ledger
from hebi_desktop.domain.registry import get_ledger, ledger_keys
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.services.book import Book
from hebi_desktop.services.checking import check_book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.querying import RecordQuery
from tests.raw_db import raw_connect
from tests.samples import housing

ROWS = 1500
SEED = 7


def wan(total: Decimal) -> Decimal:
    return (total / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(values: list[dict[str, Any]], name: str) -> Decimal:
    return sum((Decimal(v.get(name) or 0) for v in values), Decimal(0))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Book, dict[str, list]]]:
    """A demo database and, independently, the very values the demo generator produced."""
    folder = tmp_path_factory.mktemp("stats")
    book = Book.open(folder / "demo.sqlite", backups=folder / "backups")
    assert fill_demo(book, ROWS, seed=SEED) == {key: ROWS for key in ledger_keys()}
    maker = SampleMaker(SEED)
    expected = {key: list(maker.rows(get_ledger(key), ROWS)) for key in ledger_keys()}
    yield book, expected
    book.close()


def test_housing_headline_equals_the_generated_values(demo) -> None:
    book, expected = demo
    values = expected["housing"]
    figures = book.stats.headline(get_ledger("housing"))
    assert figures.label == "合计"
    assert figures.value("checks") == ROWS
    assert figures.value("households") == len({v["id_number"] for v in values})
    for grade in housing_ledger.GRADES:
        count = sum(v["safety_grade"] == grade for v in values)
        assert figures.value(f"grade_{grade[0]}") == count, grade
    assert figures.value("renovating") == sum(v["in_renovation"] for v in values)
    finished = sum(v.get("renovation_progress") in housing_ledger.FINISHED for v in values)
    assert figures.value("renovated") == finished
    assert figures.value("subsidy") == wan(money(values, "subsidy_amount"))
    labels = [f.measure.label for f in figures.figures]
    assert labels[:2] == ["排查户数", "排查次数"] and labels[-1] == "补助资金（万元）"


def test_water_headline_equals_the_generated_values(demo) -> None:
    book, expected = demo
    values = expected["water"]
    figures = book.stats.headline(get_ledger("water"))
    assert figures.value("repairs") == ROWS
    assert figures.value("finished") == sum(v["progress"] in water_ledger.FINISHED for v in values)
    assert figures.value("investment") == wan(money(values, "investment"))
    assert figures.value("beneficiaries") == wan(money(values, "beneficiaries"))
    assert [f.measure.label for f in figures.figures] == [
        "维修工程（处）", "已完工（处）", "完成投资（万元）", "受益人口（万人）"
    ]  # fmt: skip


def test_education_headline_equals_the_generated_values(demo) -> None:
    book, expected = demo
    values = expected["education"]
    figures = book.stats.headline(get_ledger("education"))
    assert figures.value("person_times") == ROWS
    assert figures.value("students") == len({v["id_number"] for v in values})
    assert figures.value("amount") == wan(money(values, "amount"))
    assert figures.figures[2].text() == str(wan(money(values, "amount")))


@pytest.mark.parametrize("key", ledger_keys())
def test_groups_add_up_to_the_headline_and_match_counts(demo, key: str) -> None:
    book, _expected = demo
    ledger = get_ledger(key)
    service = book.records(ledger)
    headline = book.stats.headline(ledger)
    count_key = ledger.measures[0].key if key != "housing" else "checks"
    townships = book.stats.by_township(ledger)
    assert [r.code for r in townships] == sorted(r.code for r in townships)
    for row in townships:
        assert row.value(count_key) == service.count(RecordQuery(township_code=row.code))
        assert row.label  # the township's name
    sum_measures = [m for m in ledger.measures if m.aggregate == "sum" or m.key == count_key]
    for measure in sum_measures:
        total = sum(r.value(measure.key) for r in townships)
        # each group is rounded on its own, so the groups may differ from the total by
        # half a unit of the last place per group
        assert abs(total - headline.value(measure.key)) <= Decimal("0.005") * len(townships)
    breakdown = book.stats.by_breakdown(ledger)
    if ledger.breakdown:
        choices = ledger.field(ledger.breakdown).choices
        assert [r.code for r in breakdown] == [
            c for c in choices if c in {r.code for r in breakdown}
        ]
        assert sum(r.value(count_key) for r in breakdown) == headline.value(count_key)
        for row in breakdown:
            query = RecordQuery(status={ledger.breakdown: row.code})
            assert row.value(count_key) == service.count(query)
    else:
        assert breakdown == []


def test_filtered_figures_match_the_filtered_count(demo) -> None:
    book, expected = demo
    ledger = get_ledger("housing")
    township = expected["housing"][0]["township_code"]
    query = RecordQuery(township_code=township)
    count = sum(v["township_code"] == township for v in expected["housing"])
    assert (
        book.stats.headline(ledger, query).value("checks")
        == count
        == book.records(ledger).count(query)
    )


@pytest.mark.parametrize("key", ledger_keys())
def test_check_agrees_with_the_figures(demo, key: str) -> None:
    book, _expected = demo
    result = check_book(book)
    assert result.ok and result.integrity == []
    ledger_check = next(c for c in result.ledgers if c.ledger.key == key)
    assert ledger_check.errors == []
    assert ledger_check.records == book.records(key).count() == ROWS
    flagged = book.records(key).ids(RecordQuery(flagged=True))
    assert sorted({record_id for record_id, _m in ledger_check.warnings}) == sorted(flagged)


def test_demo_has_some_flagged_records(demo) -> None:
    book, _expected = demo
    assert book.records("housing").count(RecordQuery(flagged=True)) > 0
    assert book.records("education").count(RecordQuery(flagged=True)) > 0


# --- small, exact cases -----------------------------------------------------------------


def test_money_figures_round_half_up(book: Book) -> None:
    service = book.records("housing")
    record = service.create(housing(subsidy_amount="15050")).record
    figures = book.stats.headline(get_ledger("housing"))
    assert figures.value("subsidy") == Decimal("1.51")
    assert figures.figures[-1].text() == "1.51"
    service.update(record.id, housing(subsidy_amount="15049.99"), record.version)
    assert book.stats.headline(get_ledger("housing")).figures[-1].text() == "1.50"


def test_deleted_records_are_not_counted(book: Book) -> None:
    service = book.records("housing")
    kept = service.create(housing(subsidy_amount="10000")).record
    gone = service.create(housing(check_date=dt.date(2024, 6, 1), subsidy_amount="90000")).record
    service.delete(gone.id)
    figures = book.stats.headline(get_ledger("housing"))
    assert figures.value("checks") == 1 and figures.value("subsidy") == Decimal("1.00")
    assert check_book(book).ledgers[0].records == 1
    assert kept.id != gone.id


def test_empty_ledger_figures_are_zero(book: Book) -> None:
    figures = book.stats.headline(get_ledger("water"))
    assert [f.text() for f in figures.figures] == ["0", "0", "0.00", "0.00"]
    assert book.stats.by_township(get_ledger("water")) == []


def test_check_finds_records_broken_behind_the_programs_back(book: Book) -> None:
    service = book.records("housing")
    good = service.create(housing()).record
    bad = service.create(housing(check_date=dt.date(2024, 6, 1))).record
    with book.writing() as connection:
        connection.execute(
            text("UPDATE housing_checks SET safety_grade = 'E级' WHERE id = :id"), {"id": bad.id}
        )
    result = check_book(book)
    assert not result.ok
    assert result.ledgers[0].errors == [
        (bad.id, "安全等级：“E级”不在可选值中（可选：A级、B级、C级、D级）")
    ]
    assert good.id not in {i for i, _m in result.ledgers[0].errors}


def test_check_reports_a_broken_reference(book: Book, db_path: Path) -> None:
    raw = raw_connect(db_path)  # foreign keys are off unless asked for
    with raw:
        raw.execute(
            "INSERT INTO villages (township_code, name, use_count, last_used) "
            "VALUES ('999999999', '无名村', 1, '2024-01-01 00:00:00')"
        )
    raw.close()
    result = check_book(book)
    assert not result.ok
    assert result.integrity == ["表villages第1行引用了不存在的divisions"]
