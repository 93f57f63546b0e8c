"""核查 across townships: the double payment and the two-township household are found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hebi_desktop.county.collect import collect_files
from hebi_desktop.county.crosscheck import Kind, cross_check
from hebi_desktop.domain import resident_id
from hebi_desktop.services.book import Book
from tests import samples
from tests.cli_helpers import call
from tests.county_helpers import (
    BEIYANG,
    GAOCUN,
    SHARED_HOUSEHOLD,
    TWICE_PAID_STUDENT,
    XIGANG,
    county_desk,
    education_rows,
    export_all,
    fill,
    housing_rows,
    place,
    township_desk,
)


def _collect_with_duplicates(folder: Path) -> list[Path]:
    files = []
    for index, township in enumerate((BEIYANG, GAOCUN, XIGANG)):
        with township_desk(folder, township) as desk:
            fill(desk, "housing", housing_rows(township, 3, 100 * (index + 1)))
            fill(desk, "education", education_rows(township, 2, 100 * (index + 1) + 50))
            files.append(export_all(desk, folder / f"{township}.xlsx"))
    with township_desk(folder, BEIYANG) as desk:
        desk.records("housing").create(
            samples.housing(**place(BEIYANG), id_number=SHARED_HOUSEHOLD, head_name="赵大山")
        )
        desk.records("education").create(
            samples.education(**place(BEIYANG), id_number=TWICE_PAID_STUDENT)
        )
        files[0] = export_all(desk, folder / "beiyang-2.xlsx")
    with township_desk(folder, GAOCUN) as desk:
        desk.records("housing").create(
            samples.housing(
                **place(GAOCUN),
                id_number=SHARED_HOUSEHOLD,
                head_name="赵大善",  # the same ID written with another name
                check_date=dt.date(2024, 6, 1),
            )
        )
        desk.records("education").create(
            samples.education(**place(GAOCUN), id_number=TWICE_PAID_STUDENT)
        )
        desk.records("housing").create(
            samples.housing(
                **{**place(GAOCUN), "village": "雨路社区"},  # 雨露社区 mistyped
                id_number=resident_id.make("410622", dt.date(1961, 1, 1), 990),
            )
        )
        files[1] = export_all(desk, folder / "gaocun-2.xlsx")
    return files


@pytest.fixture
def county(tmp_path: Path) -> Book:
    files = _collect_with_duplicates(tmp_path)
    with county_desk(tmp_path) as book:
        assert all(r.ok for r in collect_files(book, files))
        yield book


def test_double_payment_and_two_township_household_are_reported(county: Book) -> None:
    findings = cross_check(county)
    kinds = {f.kind: f for f in findings}
    household = kinds[Kind.HOUSEHOLD_IN_TWO_TOWNSHIPS]
    assert {r.township_code for r in household.records} == {BEIYANG, GAOCUN}
    assert "北阳镇" in household.message and "高村镇" in household.message
    assert SHARED_HOUSEHOLD not in household.message  # masked in words
    payment = kinds[Kind.PAID_TWICE]
    assert {r.township_code for r in payment.records} == {BEIYANG, GAOCUN}
    assert "发放了2次" in payment.message
    names = kinds[Kind.NAME_MISMATCH]
    assert "赵大山" in names.message and "赵大善" in names.message
    village = kinds[Kind.UNKNOWN_VILLAGE]
    assert "雨路社区" in village.message and "雨露社区" in village.message and village.hint
    assert sum(f.kind is Kind.PAID_TWICE for f in findings) == 1
    assert sum(f.kind is Kind.HOUSEHOLD_IN_TWO_TOWNSHIPS for f in findings) == 1


def test_check_cross_prints_findings_exits_1_and_writes_the_workbook(
    county: Book, tmp_path: Path, capsys
) -> None:
    db = str(county.sqlite_file)
    report = tmp_path / "核查.xlsx"
    code, out, _err = call(capsys, "--db", db, "check", "--cross", "--report", str(report))
    assert code == 1
    assert "同一学生同一资助项目同一学期重复发放" in out and "两个乡镇" in out
    rows = list(load_workbook(report).active.iter_rows(min_row=3, values_only=True))
    assert SHARED_HOUSEHOLD in {row[8] for row in rows}  # full ID in the workbook
    assert {row[1] for row in rows} >= {"同一户出现在两个乡镇的住房安全台账"}


def test_clean_data_passes_the_cross_check(book: Book, db_url: str, capsys) -> None:
    book.records("housing").create(samples.housing(village="黄堆村"))
    code, out, _err = call(capsys, "--db", db_url, "check", "--cross")
    assert code == 0 and "通过" in out


def test_the_report_masks_ids_beside_village_hints_unless_full_ids_are_asked_for(
    county: Book, tmp_path: Path, capsys
) -> None:
    db = str(county.sqlite_file)
    hinted = resident_id.make("410622", dt.date(1961, 1, 1), 990)
    for options, shown in (((), resident_id.mask(hinted)), (("--full-ids",), hinted)):
        report = tmp_path / f"核查{len(options)}.xlsx"
        code, _out, _err = call(
            capsys, "--db", db, "check", "--cross", "--report", str(report), *options
        )
        assert code == 1
        rows = list(load_workbook(report).active.iter_rows(min_row=3, values_only=True))
        village_rows = [row for row in rows if row[1] == "行政村名称不在本乡镇村名单中"]
        assert shown in {row[8] for row in village_rows}
        assert hinted not in {row[8] for row in village_rows} or options
        household = [row for row in rows if row[1] == "同一户出现在两个乡镇的住房安全台账"]
        assert {row[8] for row in household} == {SHARED_HOUSEHOLD}  # acted on: full
