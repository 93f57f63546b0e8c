"""Export then import reproduces every stored field of every record, for all three ledgers;
and townships' workbooks consolidate into one county database, each record in its place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from tests.exchange.helpers import calamine_rows, export
from tests.samples import education, housing, water

TODAY = dt.date.today()
LEDGERS = ("housing", "water", "education")


def person(area: str, born: dt.date, sequence: int) -> str:
    return resident_id.make(area, born, sequence)


def id_with_x() -> str:
    return next(
        number
        for sequence in range(1000)
        if (number := person("410611", dt.date(1990, 2, 28), sequence)).endswith("X")
    )


def variety() -> dict[str, list[dict[str, Any]]]:
    """Records with Chinese text, empty optionals, boundary values and tricky texts."""
    return {
        "housing": [
            housing(),
            housing(
                id_number=id_with_x(),
                head_name="欧阳·娜仁花",
                phone="0392-7221234-123",
                household_size=30,
                household_category="低收入残疾人家庭",
                address=None,
                structure="窑洞",
                built_year=TODAY.year,
                floors=10,
                floor_area="0.01",
                check_method="部门数据共享",
                check_date=TODAY,
                safety_grade="B级",
                in_renovation=False,
                renovation_method=None,
                renovation_progress=None,
                subsidy_amount="0",
                completion_date=None,
                closed=True,
                closed_date=TODAY,
                remarks="=SUM(A1:A9)\n第二行：（备注）",
            ),
            housing(
                id_number=person("410622", dt.date(1930, 1, 1), 1),
                phone=None,
                household_size=1,
                household_category=None,
                structure=None,
                built_year=1900,
                floors=None,
                floor_area=None,
                check_method=None,
                check_date=dt.date(1990, 12, 31),
                safety_grade="D级",
                in_renovation=True,
                renovation_method="拆除重建",
                renovation_progress="已验收",
                subsidy_amount="99999999.99",
                completion_date=dt.date(1991, 1, 1),
                closed=None,
                remarks="-欠款待核实",
            ),
        ],
        "water": [
            water(),
            water(
                project_name="@东庄村水厂（二期）",
                project_type=None,
                repair_item=None,
                report_date=TODAY,
                repair_type=None,
                beneficiaries=0,
                investment="0.00",
                fund_source=None,
                contractor=None,
                start_date=None,
                finish_date=None,
                progress="待维修",
                acceptance_date=None,
                acceptor=None,
                caretaker=None,
                caretaker_phone=None,
                remarks="+86 紧急",
            ),
            water(
                project_name="西岗供水站",
                village="西岗村",
                beneficiaries=999999,
                investment="12345678.91",
                caretaker_phone="13912345678",
                remarks="#N/A",
            ),
        ],
        "education": [
            education(),
            education(
                id_number=person("410602", dt.date(2019, 6, 1), 7),
                student_name="买买提·艾力",
                school="镇中心幼儿园",
                stage="学前教育",
                grade=None,
                family_category=None,
                guardian_name=None,
                guardian_phone=None,
                aid_project="学前教育资助",
                semester="春季学期",
                amount="0.01",
                paid_date=None,
                remarks=None,
            ),
            education(
                id_number=person("410621", dt.date(1990, 3, 3), 9),
                stage="小学",
                school_year="2000-2001",
                semester="全学年",
                amount="99999.99",
                remarks="'单引号开头",
            ),
        ],
    }


def fill(book: Book) -> None:
    for key, rows in variety().items():
        for values in rows:
            book.records(key).create(values)


def snapshot(book: Book, key: str) -> dict[tuple[Any, ...], tuple[dict[str, Any], bool, list[str]]]:
    ledger = get_ledger(key)
    stored = [f.name for f in ledger.stored_fields]
    return {
        tuple(r.values[n] for n in ledger.natural_key): (
            {n: r.values[n] for n in stored},
            r.flagged,
            r.warnings,
        )
        for r in book.records(key).list()
    }


def test_export_then_import_reproduces_every_stored_field(book: Book, tmp_path: Path) -> None:
    fill(book)
    workbook = tmp_path / "全部.xlsx"
    export(book, workbook, *LEDGERS)
    other = Book.open(tmp_path / "empty.sqlite")
    try:
        for key in LEDGERS:
            result = import_workbook(other, key, workbook)
            assert result.errors == [], key
            assert result.inserted == len(variety()[key])
            assert snapshot(other, key) == snapshot(book, key)
    finally:
        other.close()


def test_flagged_records_stay_flagged(book: Book, tmp_path: Path) -> None:
    book.records("housing").create(
        housing(
            safety_grade="C级",
            in_renovation=False,
            renovation_method=None,
            renovation_progress=None,
            completion_date=None,
            subsidy_amount=None,
        )
    )
    export(book, tmp_path / "h.xlsx", "housing")
    other = Book.open(tmp_path / "other.sqlite")
    try:
        result = import_workbook(other, "housing", tmp_path / "h.xlsx")
        assert len(result.warnings) == 1
        assert snapshot(other, "housing") == snapshot(book, "housing")
        assert next(iter(snapshot(other, "housing").values()))[1] is True
    finally:
        other.close()


@pytest.mark.parametrize("key", LEDGERS)
def test_a_masked_export_does_not_import_as_valid(book: Book, tmp_path: Path, key: str) -> None:
    fill(book)
    export(book, tmp_path / "m.xlsx", key, mask_ids=True)
    other = Book.open(tmp_path / "other.sqlite")
    try:
        result = import_workbook(other, key, tmp_path / "m.xlsx")
        if key == "water":  # no ID numbers; only the phone is masked
            assert not result.ok and {e.column for e in result.errors} == {"联系电话"}
        else:
            assert not result.ok and "身份证号" in {e.column for e in result.errors}
        assert other.records(key).count() == 0
    finally:
        other.close()


def test_township_workbooks_consolidate_into_one_county_database(tmp_path: Path) -> None:
    townships = ("410622102", "410622101", "410611101")  # 北阳镇, 高村镇 (淇县), 钜桥镇 (淇滨区)
    files = []
    for index, code in enumerate(townships):
        township_book = Book.open(tmp_path / f"t{index}.sqlite")
        try:
            township_book.settings.set("operator", f"乡镇{index}")
            township_book.settings.set("township_code", code)
            county = code[:6]
            for sequence in range(index + 1):
                township_book.records("housing").create(
                    housing(
                        county_code=county,
                        township_code=code,
                        id_number=person(county, dt.date(1950 + index, 1, 1), sequence),
                    )
                )
            files.append(tmp_path / f"t{index}.xlsx")
            export(township_book, files[-1], "housing")
        finally:
            township_book.close()

    county_book = Book.open(tmp_path / "county.sqlite")
    try:
        county_book.settings.set("county_code", "410622")
        for path in files:
            assert import_workbook(county_book, "housing", path).inserted >= 1
        ledger = get_ledger("housing")
        rows = county_book.stats.by_township(ledger)
        assert [(r.code, int(r.value("checks"))) for r in rows] == [
            ("410611101", 3),
            ("410622101", 2),
            ("410622102", 1),
        ]
        summary = tmp_path / "county-all.xlsx"
        export(county_book, summary, *LEDGERS, all_places=True)  # two counties' records
        cells = calamine_rows(summary, "汇总")
        start = next(i for i, row in enumerate(cells) if row[0] == ledger.title) + 2
        names = [row[0] for row in cells[start : start + 4]]
        assert names == [r.label for r in rows] + ["合计"]
        by_place = county_book.records("housing").count(RecordQuery(township_code="410622101"))
        assert by_place == 2
    finally:
        county_book.close()
