"""Exported workbooks as the county bureau opens them: layout, cell types, formats, the
合计 row, print set-up, masking, filters, the 汇总 sheet and safe writing."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from tests.exchange.helpers import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    calamine_rows,
    export,
    headers,
    record_cell,
    sheet,
    sheet_xml,
)
from tests.samples import HOUSEHOLD_HEAD_ID, STUDENT_ID, education, housing, water

TODAY = dt.date.today()
OTHER_HEAD_ID = resident_id.make("410621", dt.date(1948, 12, 1), 77)


@pytest.fixture
def two_households(book: Book) -> Book:
    service = book.records("housing")
    service.create(housing())
    service.create(
        housing(
            id_number=OTHER_HEAD_ID,
            head_name="王建国",
            phone=None,
            subsidy_amount="2500.50",
            floor_area="120.25",
            village="李庄村",
        )
    )
    return book


def test_housing_sheet_has_the_contract_layout(two_households: Book, tmp_path: Path) -> None:
    target = tmp_path / "住房.xlsx"
    result = export(two_households, target, "housing")
    assert result.rows == {"housing": 2}
    ws = sheet(target, "housing")
    ledger = get_ledger("housing")

    assert ws["A1"].value == "北阳镇住房安全动态监测台账"
    last_column = ws.cell(HEADER_ROW, len(ledger.fields) + 1).column_letter
    assert f"A1:{last_column}1" in {str(r) for r in ws.merged_cells.ranges}
    filler = [c.value for c in ws[2] if c.value]
    assert filler[0] == "填报单位：北阳镇"
    assert "填报人：测试员" in filler
    assert f"填报日期：{TODAY.year}年{TODAY.month}月{TODAY.day}日" in filler
    assert filler[-1] == "单位：元"
    assert headers(ws) == ["序号", *(f.header for f in ledger.fields)]
    assert [ws.cell(row, 1).value for row in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1)] == [1, 2]

    names = {record_cell(ws, "户主姓名", i).value for i in range(2)}
    assert names == {"张秀英", "王建国"}
    assert {record_cell(ws, "县区", i).value for i in range(2)} == {"淇县"}
    assert {record_cell(ws, "乡镇", i).value for i in range(2)} == {"北阳镇"}


def test_id_numbers_and_phones_are_text_and_dates_and_money_typed(
    two_households: Book, tmp_path: Path
) -> None:
    target = tmp_path / "out.xlsx"
    export(two_households, target, "housing")
    ws = sheet(target, "housing")
    row = next(i for i in range(2) if record_cell(ws, "户主姓名", i).value == "张秀英")

    id_cell = record_cell(ws, "身份证号", row)
    assert (id_cell.value, id_cell.data_type, id_cell.number_format) == (
        HOUSEHOLD_HEAD_ID,
        "s",
        "@",
    )
    phone = record_cell(ws, "联系电话", row)
    assert (phone.value, phone.data_type, phone.number_format) == ("13803921234", "s", "@")

    checked = record_cell(ws, "排查日期", row)
    assert checked.is_date and checked.value.date() == dt.date(2024, 5, 9)
    assert checked.number_format == "yyyy-mm-dd"
    money = record_cell(ws, "补助金额（元）", row)
    assert money.data_type == "n" and money.value == 15000
    assert money.number_format.endswith("0.00")
    area = record_cell(ws, "建筑面积（㎡）", row)
    assert area.value == 86.5 and area.number_format == "0.00"
    assert record_cell(ws, "是否纳入改造", row).value == "是"
    assert record_cell(ws, "是否销号", row).value == "否"
    assert record_cell(ws, "销号日期", row).value is None

    # calamine (what the county's tools and our importer read) sees the same
    rows = calamine_rows(target, get_ledger("housing").title)
    assert HOUSEHOLD_HEAD_ID in rows[FIRST_DATA_ROW - 1 + row]
    assert dt.date(2024, 5, 9) in rows[FIRST_DATA_ROW - 1 + row]


def test_total_row_counts_and_sums_money(two_households: Book, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    export(two_households, target, "housing")
    ws = sheet(target, "housing")
    total_row = FIRST_DATA_ROW + 2
    assert ws.cell(total_row, 1).value == "合计"
    assert ws.cell(total_row, 2).value == "共2条"
    money = record_cell(ws, "补助金额（元）", 2)
    assert money.row == total_row
    assert Decimal(str(money.value)) == Decimal("17500.50")
    assert money.font.b
    assert ws.max_row == total_row


def test_sheet_is_frozen_filtered_and_prints_a4_landscape_with_headers(
    two_households: Book, tmp_path: Path
) -> None:
    target = tmp_path / "out.xlsx"
    export(two_households, target, "housing")
    ws = sheet(target, "housing")
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    assert ws.auto_filter.ref.endswith(str(FIRST_DATA_ROW + 1))
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    id_width = ws.column_dimensions[record_cell(ws, "身份证号").column_letter].width
    floors_width = ws.column_dimensions[record_cell(ws, "层数").column_letter].width
    assert id_width >= 19 > floors_width
    properties = load_workbook(target).properties
    assert properties.title == "北阳镇住房安全动态监测台账"
    assert properties.creator == "测试员"


USER_FORMULAS = [
    '=HYPERLINK("http://x","点我")',
    "=1+1",
    "+86 3921234",
    "-5",
    "@SUM(A1:A3)",
    "#N/A",
    "=",
]


@pytest.mark.parametrize("typed", USER_FORMULAS)
def test_no_typed_value_becomes_a_formula_or_an_error(
    book: Book, tmp_path: Path, typed: str
) -> None:
    book.records("housing").create(housing(remarks=typed, address=typed))
    target = tmp_path / "out.xlsx"
    export(book, target, "housing")
    ws = sheet(target, "housing")
    for header in ("房屋地址", "备注"):
        cell = record_cell(ws, header)
        assert cell.value == typed
        assert cell.data_type == "s"
    assert "<f>" not in sheet_xml(target) and "<f " not in sheet_xml(target)
    row = calamine_rows(target, get_ledger("housing").title)[FIRST_DATA_ROW - 1]
    assert row.count(typed) == 2


def test_names_with_formula_characters_survive(book: Book, tmp_path: Path) -> None:
    book.records("education").create(education(student_name="=HYPERLINK(1)", grade="-一年级"))
    target = tmp_path / "out.xlsx"
    export(book, target, "education")
    ws = sheet(target, "education")
    assert record_cell(ws, "学生姓名").value == "=HYPERLINK(1)"
    assert record_cell(ws, "年级").value == "-一年级"
    assert "<f>" not in sheet_xml(target)


def test_soft_deleted_records_never_leave(two_households: Book, tmp_path: Path) -> None:
    service = two_households.records("housing")
    gone = next(r for r in service.list() if r.values["head_name"] == "王建国")
    service.delete(gone.id)
    target = tmp_path / "out.xlsx"
    result = export(two_households, target, "housing")
    assert result.rows == {"housing": 1}
    cells = [c for row in calamine_rows(target, get_ledger("housing").title) for c in row]
    assert "王建国" not in cells and OTHER_HEAD_ID not in cells
    assert "共1条" in cells


def test_masked_export_hides_the_middle_digits(book: Book, tmp_path: Path) -> None:
    book.records("education").create(education())
    book.records("water").create(water())
    target = tmp_path / "masked.xlsx"
    export(book, target, "education", "water", mask_ids=True)
    ws = sheet(target, "education")
    masked = record_cell(ws, "身份证号").value
    assert masked == STUDENT_ID[:6] + "********" + STUDENT_ID[-4:]
    assert record_cell(ws, "联系电话").value == "159****1234"
    assert record_cell(ws, "出生日期").value is None  # would give the hidden digits away
    assert record_cell(ws, "性别").value == resident_id.gender(STUDENT_ID)
    assert record_cell(sheet(target, "water"), "联系电话").value == "0392-***1234"
    cells = {c for row in calamine_rows(target, get_ledger("education").title) for c in row}
    assert STUDENT_ID not in cells and "15937261234" not in cells


def test_filters_select_place_and_main_date(book: Book, tmp_path: Path) -> None:
    service = book.records("housing")
    service.create(housing())
    service.create(housing(id_number=OTHER_HEAD_ID, check_date=dt.date(2023, 1, 5)))
    service.create(
        housing(
            id_number=resident_id.make("410611", dt.date(1950, 1, 1), 5),
            county_code="410611",
            township_code="410611101",
        )
    )
    target = tmp_path / "out.xlsx"
    query = RecordQuery(
        county_code="410622",
        township_code="410622102",
        village="王庄村",
        date_from=dt.date(2024, 1, 1),
        date_to=dt.date(2024, 12, 31),
    )
    assert export(book, target, "housing", query=query).rows == {"housing": 1}
    ws = sheet(target, "housing")
    assert record_cell(ws, "身份证号").value == HOUSEHOLD_HEAD_ID
    assert ws["A1"].value == "北阳镇住房安全动态监测台账"
    county = RecordQuery(county_code="410622")
    assert export(book, tmp_path / "county.xlsx", "housing", query=county).rows == {"housing": 2}
    assert sheet(tmp_path / "county.xlsx", "housing")["A1"].value == "淇县住房安全动态监测台账"


def test_an_empty_ledger_still_has_headers_and_total(book: Book, tmp_path: Path) -> None:
    target = tmp_path / "empty.xlsx"
    assert export(book, target, "water").rows == {"water": 0}
    ws = sheet(target, "water")
    assert headers(ws)[:2] == ["序号", "县区"]
    assert ws.cell(FIRST_DATA_ROW, 1).value == "合计"
    assert ws.cell(FIRST_DATA_ROW, 2).value == "共0条"


def test_all_adds_a_summary_with_the_stats_numbers_and_a_bar_chart(
    book: Book, tmp_path: Path
) -> None:
    book.records("housing").create(housing())
    book.records("housing").create(
        housing(
            id_number=OTHER_HEAD_ID,
            county_code="410611",
            township_code="410611101",
            safety_grade="A级",
            in_renovation=False,
            renovation_method=None,
            renovation_progress=None,
            completion_date=None,
            subsidy_amount=None,
        )
    )
    book.records("water").create(water())
    book.records("education").create(education())
    target = tmp_path / "all.xlsx"
    result = export(book, target, "housing", "water", "education", all_places=True)
    assert result.rows == {"housing": 2, "water": 1, "education": 1}
    workbook = load_workbook(target)
    titles = [get_ledger(k).title for k in ("housing", "water", "education")]
    assert workbook.sheetnames == ["汇总", *titles]

    rows = calamine_rows(target, "汇总")
    housing_ledger = get_ledger("housing")
    start = next(i for i, row in enumerate(rows) if row[0] == housing_ledger.title) + 1
    assert rows[start][: 1 + len(housing_ledger.measures)] == [
        "乡镇",
        *(m.label for m in housing_ledger.measures),
    ]
    expected = book.stats.by_township(housing_ledger)
    assert len(expected) == 2
    for offset, figures in enumerate(expected, start=1):
        row = rows[start + offset]
        assert row[0] == figures.label
        assert [Decimal(str(v)) for v in row[1 : 1 + len(figures.figures)]] == [
            f.value for f in figures.figures
        ]
    total = rows[start + len(expected) + 1]
    headline = book.stats.headline(housing_ledger)
    assert total[0] == "合计"
    assert [Decimal(str(v)) for v in total[1 : 1 + len(headline.figures)]] == [
        f.value for f in headline.figures
    ]

    with zipfile.ZipFile(target) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        assert all(b"barChart>" in archive.read(n) for n in charts)


def test_progress_runs_to_the_total(two_households: Book, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    export_workbook(
        two_households,
        ExportRequest(("housing",)),
        tmp_path / "out.xlsx",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_cancelled_export_leaves_nothing_behind(two_households: Book, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        export_workbook(
            two_households, ExportRequest(("housing",)), folder / "x.xlsx", cancelled=lambda: True
        )
    assert _leftovers(folder) == []


def test_a_failed_move_keeps_the_old_file_and_says_why(
    two_households: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "上报.xlsx"
    Workbook().save(target)  # the workbook the county already has
    before = target.read_bytes()

    def locked(_source: object, _target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError) as raised:
        export(two_households, target, "housing")
    assert "Excel" in str(raised.value) and "关闭" in str(raised.value)
    assert target.read_bytes() == before
    assert _leftovers(folder) == ["上报.xlsx"]


def test_a_missing_folder_or_wrong_name_is_refused_in_chinese(
    two_households: Book, tmp_path: Path
) -> None:
    with pytest.raises(UserError, match="文件夹不存在"):
        export(two_households, tmp_path / "没有这个文件夹" / "x.xlsx", "housing")
    with pytest.raises(UserError, match=r"\.xlsx"):
        export(two_households, tmp_path / "x.xls", "housing")
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(UserError, match="文件夹"):
        export(two_households, tmp_path / "dir.xlsx", "housing")


@pytest.mark.parametrize(
    ("key", "make", "phone_header", "phone"),
    [
        ("housing", housing, "联系电话", "13803921234"),
        ("water", water, "联系电话", "0392-7221234"),
        ("education", education, "联系电话", "15937261234"),
    ],
)
def test_every_ledger_sheet_follows_the_contract(
    book: Book, tmp_path: Path, key: str, make, phone_header: str, phone: str
) -> None:
    book.records(key).create(make())
    target = tmp_path / f"{key}.xlsx"
    export(book, target, key)
    ledger = get_ledger(key)
    ws = sheet(target, key)
    assert ws["A1"].value == f"北阳镇{ledger.title}"
    assert headers(ws) == ["序号", *(f.header for f in ledger.fields)]
    code = record_cell(ws, phone_header)
    assert (code.value, code.data_type, code.number_format) == (phone, "s", "@")
    if "id_number" in ledger.by_name:
        number = record_cell(ws, "身份证号")
        assert number.data_type == "s" and number.number_format == "@"
    main_date = record_cell(ws, ledger.field(ledger.main_date).header)
    assert main_date.is_date and main_date.number_format == "yyyy-mm-dd"
    money_field = ledger.money_fields[0]
    money = record_cell(ws, money_field.header)
    total = record_cell(ws, money_field.header, 1)
    assert ws.cell(total.row, 1).value == "合计"
    assert money.value == total.value and money.number_format == "#,##0.00"
    assert "<f>" not in sheet_xml(target)
