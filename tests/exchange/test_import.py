"""Importing clerks' spreadsheets: messy real-world sheets come in, bad ones come in not
at all and yield a report that names every bad cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.fields import Level
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.exchange.report import COPY_SHEET, ERROR_FILL, ISSUES_SHEET
from hebi_desktop.services.book import Book
from tests.exchange.helpers import write_sheet
from tests.samples import HOUSEHOLD_HEAD_ID, STUDENT_ID, education, housing

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def id_with_x() -> str:
    for sequence in range(1000):
        number = resident_id.make("410622", dt.date(1960, 7, 1), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError


SECOND_ID = resident_id.make("410622", dt.date(1949, 2, 3), 12)
THIRD_ID = resident_id.make("410621", dt.date(1971, 11, 30), 88)

HOUSING_HEADERS = [
    "序号",
    "县区",
    "乡镇",
    "行政村",
    "户主姓名",
    "身份证号",
    "联系电话",
    "家庭人口",
    "户类别",
    "房屋结构",
    "排查日期",
    "排查人",
    "安全等级",
    "是否纳入改造",
    "改造方式",
    "改造进度",
    "补助金额（元）",
    "竣工日期",
    "是否销号",
    "销号日期",
    "备注",
]


def housing_row(number: int, **changes: Any) -> list[Any]:
    """A plain, valid row under HOUSING_HEADERS (an A级 house, not renovated)."""
    values: dict[str, Any] = {
        "序号": number,
        "县区": "淇县",
        "乡镇": "北阳镇",
        "行政村": "王庄村",
        "户主姓名": "张秀英",
        "身份证号": HOUSEHOLD_HEAD_ID,
        "联系电话": "13803921234",
        "家庭人口": 3,
        "户类别": "脱贫户",
        "房屋结构": "砖木",
        "排查日期": dt.date(2024, 5, 9),
        "排查人": "李建国",
        "安全等级": "A级",
        "是否纳入改造": "否",
        "是否销号": "否",
    }
    values.update(changes)
    return [values.get(h) for h in HOUSING_HEADERS]


def plain_sheet(path: Path, *rows: list[Any]) -> Path:
    return write_sheet(path, [HOUSING_HEADERS, *rows])


def stored(book: Book, ledger: str = "housing") -> dict[str, dict[str, Any]]:
    """Stored records by ID number (or name for water)."""
    records = book.records(ledger).list()
    key = "id_number" if ledger != "water" else "project_name"
    return {r.values[key]: r.values for r in records}


# --- a messy real-world sheet ---------------------------------------------------------------


def messy_workbook(path: Path) -> Path:
    x_id = id_with_x()
    header = [
        None,
        "序号",
        "县(区)",
        "乡镇（街道）",
        "行政村\n（社区）",
        "户主\n姓名",
        "身份证号码",
        "联系方式",
        "家庭人口（人）",
        "户类别",
        "房屋地址",
        "房屋结构",
        "建成年份",
        "层数",
        "建筑面积(平方米)",
        "排查方式",
        "排查时间",
        "排查人",
        "安全等级：",
        "是否纳入改造",
        "改造方式",
        "改造 进度",
        "补助资金（元）",
        "竣工日期",
        "是否销号",
        "销号日期",
        "备 注",
        "备用列",
    ]
    rows: list[list[Any]] = [
        [],
        [None, "北阳镇住房安全动态监测台账（2024年）"],
        [None, "填报单位：北阳镇人民政府", None, None, None, None, None, "填报日期：2024年6月1日"],
        header,
        [
            None,
            1,
            "淇县",
            "北阳",
            "王庄村",
            " 张秀英 ",
            f" {x_id.translate(FULL_WIDTH)} ",
            "138 0392 1234",
            3.0,
            "脱贫户",
            "王庄村１２号",
            "砖木",
            1985,
            1,
            86.5,
            "镇村定期排查",
            dt.datetime(2024, 5, 9),
            "李建国",
            "Ｃ",
            "是",
            "修缮加固",
            "已竣工",
            15000,
            "2024/9/1",
            "否",
            None,
            "  屋顶漏雨 ",
            "不导入",
        ],
        [
            None,
            2,
            "淇县",
            "北阳镇",
            None,  # merged with the 行政村 above
            "王建国",
            SECOND_ID,
            "0392-7221234",
            "2",
            "农村低保户",
            None,
            "土木",
            "1978",
            "1",
            "60",
            "农户日常自查",
            "2024.5.9",
            "李建国",
            "A级",
            "否",
            None,
            None,
            None,
            None,
            "是",
            "2024年5月10日",
            None,
            None,
        ],
        [],
        [
            None,
            3,
            "淇县",
            "北阳镇",
            "李庄村",
            "赵桂兰",
            THIRD_ID,
            None,
            1,
            "其他",
            None,
            "砖混",
            2001,
            2,
            "95.25",
            "部门数据共享",
            "2024-05-09",
            "王海",
            "B",
            "否",
            None,
            None,
            None,
            None,
            "否",
            None,
            None,
            None,
        ],
        [None, "合计", None, None, None, "共3户"],
        [None, "填表人：李四", None, None, None, "审核人：王五"],
    ]
    return write_sheet(path, rows, title="住房排查", merge=["B2:Z2", "E5:E6"])


def test_a_messy_real_world_sheet_imports(book: Book, tmp_path: Path) -> None:
    result = import_workbook(book, "housing", messy_workbook(tmp_path / "手工台账.xlsx"))
    assert result.errors == []
    assert (result.rows_read, result.inserted, result.sheet) == (3, 3, "住房排查")
    assert result.ignored_columns == ["备用列"]

    records = stored(book)
    first = records[id_with_x()]
    assert first["head_name"] == "张秀英"
    assert first["township_code"] == "410622102"
    assert first["phone"] == "13803921234"
    assert first["household_size"] == 3
    assert first["address"] == "王庄村12号"
    assert first["floor_area"] == Decimal("86.50")
    assert first["check_date"] == dt.date(2024, 5, 9)
    assert first["safety_grade"] == "C级"
    assert first["subsidy_amount"] == Decimal("15000.00")
    assert first["completion_date"] == dt.date(2024, 9, 1)
    assert first["remarks"] == "屋顶漏雨"

    second = records[SECOND_ID]
    assert second["village"] == "王庄村"  # from the merged cell
    assert second["phone"] == "0392-7221234"
    assert (second["household_size"], second["built_year"], second["floors"]) == (2, 1978, 1)
    assert second["check_date"] == dt.date(2024, 5, 9)
    assert second["closed"] is True
    assert second["closed_date"] == dt.date(2024, 5, 10)
    assert second["renovation_method"] is None

    third = records[THIRD_ID]
    assert (third["village"], third["safety_grade"], third["phone"]) == ("李庄村", "B级", None)
    assert third["check_date"] == dt.date(2024, 5, 9)
    assert third["floor_area"] == Decimal("95.25")


@pytest.mark.parametrize(
    ("written", "field", "expected"),
    [
        ("姓名", "head_name", "张秀英"),
        ("户主姓名", "head_name", "张秀英"),
        ("公民身份号码", "id_number", HOUSEHOLD_HEAD_ID),
        ("身份证号码", "id_number", HOUSEHOLD_HEAD_ID),
        ("联系方式", "phone", "13803921234"),
        ("联系电话", "phone", "13803921234"),
        ("排查\n日期", "check_date", dt.date(2024, 5, 9)),
        ("补助金额(元)", "subsidy_amount", None),
    ],
)
def test_common_header_variants_are_recognised(
    book: Book, tmp_path: Path, written: str, field: str, expected: Any
) -> None:
    canonical = {
        "head_name": "户主姓名",
        "id_number": "身份证号",
        "phone": "联系电话",
        "check_date": "排查日期",
        "subsidy_amount": "补助金额（元）",
    }[field]
    headers = [written if h == canonical else h for h in HOUSING_HEADERS]
    path = write_sheet(tmp_path / "v.xlsx", [headers, housing_row(1)])
    result = import_workbook(book, "housing", path)
    assert result.ok and result.inserted == 1
    assert stored(book)[HOUSEHOLD_HEAD_ID][field] == expected


def test_derived_and_number_columns_are_not_imported_nor_reported(
    book: Book, tmp_path: Path
) -> None:
    values = education()
    headers = ["序号", "县区", "乡镇", "行政村", "学生姓名", "身份证号", "性别", "出生日期"]
    headers += ["就读学校", "学段", "资助项目", "学年", "学期", "资助金额（元）", "发放日期"]
    row = [1, "淇县", "北阳镇", "王庄村", values["student_name"], STUDENT_ID, "女", "1900-01-01"]
    row += [values["school"], "初中", values["aid_project"], "2024-2025", "秋季学期", 625, None]
    result = import_workbook(book, "education", write_sheet(tmp_path / "e.xlsx", [headers, row]))
    assert result.ok and result.inserted == 1 and result.ignored_columns == []
    record = stored(book, "education")[STUDENT_ID]
    assert record["birth_date"] == resident_id.birth_date(STUDENT_ID)  # derived, not the sheet's


def test_a_header_split_over_two_rows_is_understood(book: Book, tmp_path: Path) -> None:
    top = ["县区", "乡镇", "行政村", "户主姓名", "身份证号", "排查情况", None, None, None]
    top += ["是否纳入改造"]
    sub = [None, None, None, None, None, "排查日期", "排查人", "安全等级", "房屋结构", None]
    row = ["淇县", "北阳镇", "王庄村", "张秀英", HOUSEHOLD_HEAD_ID, "2024-05-09", "李建国"]
    row += ["A级", "砖木", "否"]
    path = write_sheet(
        tmp_path / "two.xlsx",
        [top, sub, row],
        merge=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:I1", "J1:J2"],
    )
    result = import_workbook(book, "housing", path)
    assert result.errors == [] and result.inserted == 1
    assert result.ignored_columns == []
    assert stored(book)[HOUSEHOLD_HEAD_ID]["structure"] == "砖木"


def test_money_given_in_wan_yuan_is_converted(book: Book, tmp_path: Path) -> None:
    headers = ["县区", "乡镇", "行政村", "工程名称", "问题描述", "报修日期", "进度"]
    headers += ["投入资金（万元）"]
    row = ["淇县", "北阳镇", "王庄村", "王庄村供水站", "漏水", "2024-03-02", "待维修", 2.35]
    result = import_workbook(book, "water", write_sheet(tmp_path / "w.xlsx", [headers, row]))
    assert result.ok
    assert stored(book, "water")["王庄村供水站"]["investment"] == Decimal("23500.00")


# --- bad sheets -------------------------------------------------------------------------------


def bad_workbook(path: Path) -> Path:
    return plain_sheet(
        path,
        housing_row(1),
        housing_row(2, 身份证号=float(SECOND_ID[:17] + "0"), 户主姓名="王建国"),
        housing_row(3, 身份证号=THIRD_ID, 排查日期="2024-13-45"),
        housing_row(4, 身份证号=id_with_x(), 安全等级="E级"),
        housing_row(5, 身份证号=resident_id.make("410611", dt.date(1980, 1, 1), 3), 户主姓名=None),
        housing_row(6, 备注='=HYPERLINK("http://x","点我")'),
    )


def test_a_sheet_with_bad_rows_imports_nothing_and_names_every_bad_cell(
    book: Book, tmp_path: Path
) -> None:
    result = import_workbook(book, "housing", bad_workbook(tmp_path / "bad.xlsx"))
    assert book.records("housing").count() == 0
    assert not result.ok and result.inserted == 0
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "身份证号"), (4, "排查日期"), (5, "安全等级"), (6, "户主姓名"), (7, "")}
    by_place = {(e.row, e.column): e for e in result.errors}
    assert "文本" in by_place[3, "身份证号"].message
    assert by_place[4, "排查日期"].value == "2024-13-45"
    assert "E级" in by_place[5, "安全等级"].message
    assert "必填" in by_place[6, "户主姓名"].message
    assert "第2行" in by_place[7, ""].message
    assert all(e.level is Level.ERROR for e in result.errors)


def test_the_report_lists_the_issues_and_marks_the_cells(book: Book, tmp_path: Path) -> None:
    result = import_workbook(book, "housing", bad_workbook(tmp_path / "bad.xlsx"))
    report = result.write_report(tmp_path / "报告.xlsx")
    workbook = load_workbook(report)
    assert workbook.sheetnames == [ISSUES_SHEET, COPY_SHEET]

    issues = workbook[ISSUES_SHEET]
    listed = [
        (row[0].value, row[1].value or "", row[4].value)
        for row in issues.iter_rows(min_row=5)
        if row[0].value is not None
    ]
    assert [(r, c) for r, c, _level in listed] == [
        (3, "身份证号"),
        (4, "排查日期"),
        (5, "安全等级"),
        (6, "户主姓名"),
        (7, ""),
    ]
    assert {level for _r, _c, level in listed} == {"错误"}

    copy = workbook[COPY_SHEET]
    id_column = HOUSING_HEADERS.index("身份证号") + 1
    date_column = HOUSING_HEADERS.index("排查日期") + 1
    assert copy.cell(1, id_column).value == "身份证号"  # same row numbers as the clerk's sheet
    assert copy.cell(2, id_column).value == resident_id.mask(HOUSEHOLD_HEAD_ID)  # 脱敏
    assert copy.cell(2, id_column).data_type == "s"
    assert copy.cell(3, id_column).fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert copy.cell(4, date_column).fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert copy.cell(2, id_column).fill.fgColor.rgb != copy.cell(3, id_column).fill.fgColor.rgb
    assert copy.cell(4, date_column).comment is not None
    remarks = copy.cell(7, HOUSING_HEADERS.index("备注") + 1)
    assert remarks.value == '=HYPERLINK("http://x","点我")' and remarks.data_type == "s"
    problems = copy.cell(1, len(HOUSING_HEADERS) + 1)
    assert problems.value == "问题说明"
    assert "安全等级" in copy.cell(5, len(HOUSING_HEADERS) + 1).value


def test_the_report_masks_ids_and_phones_except_the_cells_to_correct(
    book: Book, tmp_path: Path
) -> None:
    result = import_workbook(book, "housing", bad_workbook(tmp_path / "bad.xlsx"))
    column = {h: i + 1 for i, h in enumerate(HOUSING_HEADERS)}
    masked = load_workbook(result.write_report(tmp_path / "报告.xlsx"))[COPY_SHEET]
    ids = [masked.cell(row, column["身份证号"]).value for row in range(2, 8)]
    phones = {masked.cell(row, column["联系电话"]).value for row in range(2, 8)}
    assert HOUSEHOLD_HEAD_ID not in ids and THIRD_ID not in ids
    assert resident_id.mask(THIRD_ID) in ids
    assert "*" not in str(ids[1])  # the cell to correct stays as it was
    assert phones == {"138****1234"}
    full = load_workbook(result.write_report(tmp_path / "完整.xlsx", full_ids=True))[COPY_SHEET]
    assert full.cell(2, column["身份证号"]).value == HOUSEHOLD_HEAD_ID
    assert full.cell(2, column["联系电话"]).value == "13803921234"


def test_the_corrected_report_copy_imports(book: Book, tmp_path: Path) -> None:
    result = import_workbook(book, "housing", bad_workbook(tmp_path / "bad.xlsx"))
    report = result.write_report(tmp_path / "报告.xlsx", full_ids=True)
    workbook = load_workbook(report)
    copy = workbook[COPY_SHEET]
    column = {h: i + 1 for i, h in enumerate(HOUSING_HEADERS)}
    copy.cell(3, column["身份证号"]).value = SECOND_ID
    copy.cell(4, column["排查日期"]).value = "2024-03-15"
    copy.cell(5, column["安全等级"]).value = "B级"
    copy.cell(6, column["户主姓名"]).value = "孙丽"
    copy.delete_rows(7)
    workbook.save(tmp_path / "改好.xlsx")
    again = import_workbook(book, "housing", tmp_path / "改好.xlsx", sheet=COPY_SHEET)
    assert again.errors == []
    assert again.inserted == 5
    assert again.ignored_columns == ["问题说明"]


def test_dry_run_writes_nothing_and_reports(book: Book, tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "ok.xlsx", housing_row(1), housing_row(2, 身份证号=SECOND_ID))
    result = import_workbook(book, "housing", path, dry_run=True)
    assert result.ok and result.dry_run and result.inserted == 2
    assert book.records("housing").count() == 0
    assert (tmp_path / "r.xlsx").exists() is False
    result.write_report(tmp_path / "r.xlsx")
    assert "试导入" in str(load_workbook(tmp_path / "r.xlsx")[ISSUES_SHEET]["A2"].value)


def test_warnings_are_imported_and_flagged(book: Book, tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "w.xlsx", housing_row(1, 安全等级="D级", 是否纳入改造="否"))
    result = import_workbook(book, "housing", path)
    assert result.ok and result.inserted == 1
    assert [(w.row, w.column, w.level) for w in result.warnings] == [
        (2, "是否纳入改造", Level.WARNING)
    ]
    (record,) = book.records("housing").list()
    assert record.flagged and "待核实" in record.warnings[0]


def test_unlisted_villages_are_hints_and_every_row_is_imported(book: Book, tmp_path: Path) -> None:
    ids = [resident_id.make("410622", dt.date(1950, 1, 1), n) for n in range(1, 5)]
    path = plain_sheet(
        tmp_path / "v.xlsx",
        housing_row(1, 行政村="黄推村", 身份证号=ids[0]),  # 北阳镇 has 黄堆村
        housing_row(2, 行政村="黄堆村", 身份证号=ids[1]),
        housing_row(3, 行政村="黄推村", 身份证号=ids[2]),
        housing_row(4, 行政村="新建村", 身份证号=ids[3]),  # nothing near it
    )
    result = import_workbook(book, "housing", path)
    assert result.ok and result.inserted == 4 and result.warnings == []
    assert (result.village_hint_rows, result.village_hint_names) == (3, 2)
    assert [issue.text() for issue in result.village_hints] == [
        "第2行 行政村“黄推村”：不在本乡镇的村名单中，是否为“黄堆村”？",
        "第5行 行政村“新建村”：不在本乡镇的村名单中",
    ]
    assert "3 行的行政村不在所属乡镇的村名单中" in result.village_hint_text()
    records = stored(book)
    assert [records[i]["village"] for i in ids] == ["黄推村", "黄堆村", "黄推村", "新建村"]
    assert not any(r.flagged for r in book.records("housing").list())  # a hint, not a flag


def test_village_hints_list_only_a_few_examples(book: Book, tmp_path: Path) -> None:
    rows = [
        housing_row(
            n, 行政村=f"新村{n}号", 身份证号=resident_id.make("410622", dt.date(1950, 1, 1), n)
        )
        for n in range(1, 9)
    ]
    result = import_workbook(book, "housing", plain_sheet(tmp_path / "v.xlsx", *rows), dry_run=True)
    assert result.ok and result.inserted == 8
    assert (result.village_hint_rows, result.village_hint_names) == (8, 8)
    assert len(result.village_hints) == 5 and result.village_hints[0].row == 2


# --- duplicates -----------------------------------------------------------------------------


def test_a_duplicate_inside_the_file_is_an_error(book: Book, tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "d.xlsx", housing_row(1), housing_row(2, 户主姓名="张秀"))
    result = import_workbook(book, "housing", path, on_duplicate="skip")
    assert [(e.row, e.column) for e in result.errors] == [(3, "")]
    assert book.records("housing").count() == 0


@pytest.mark.parametrize("mode", ["error", "skip", "update"])
def test_a_duplicate_of_a_stored_record_follows_on_duplicate(
    book: Book, tmp_path: Path, mode: str
) -> None:
    original = book.records("housing").create(housing()).record
    path = plain_sheet(
        tmp_path / "d.xlsx",
        housing_row(1, 户主姓名="张秀英（改）"),
        housing_row(2, 身份证号=SECOND_ID),
    )
    result = import_workbook(book, "housing", path, on_duplicate=mode)
    records = stored(book)
    if mode == "error":
        assert [(e.row, e.column) for e in result.errors] == [(2, "")]
        assert "记录编号" in result.errors[0].message
        assert set(records) == {HOUSEHOLD_HEAD_ID}
    elif mode == "skip":
        assert result.ok and (result.inserted, result.skipped, result.updated) == (1, 1, 0)
        assert records[HOUSEHOLD_HEAD_ID]["head_name"] == "张秀英"
    else:
        assert result.ok and (result.inserted, result.skipped, result.updated) == (1, 0, 1)
        updated = book.records("housing").get(original.id)
        assert updated.values["head_name"] == "张秀英（改）"
        assert updated.values["safety_grade"] == "A级"
        assert updated.version == original.version + 1
        assert [h.action for h in book.records("housing").history(original.id)][-1] == "import"
    assert len(records) == (1 if mode == "error" else 2)


# --- refusals -------------------------------------------------------------------------------


def test_missing_required_columns_are_named(book: Book, tmp_path: Path) -> None:
    headers = [h for h in HOUSING_HEADERS if h not in ("排查日期", "户主姓名")]
    path = write_sheet(tmp_path / "m.xlsx", [headers, housing_row(1)[: len(headers)]])
    with pytest.raises(UserError) as refused:
        import_workbook(book, "housing", path)
    assert "户主姓名" in str(refused.value) and "排查日期" in str(refused.value)


def test_unreadable_files_and_wrong_sheets_are_explained(book: Book, tmp_path: Path) -> None:
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook at all")
    with pytest.raises(UserError, match="不是有效的 Excel 工作簿"):
        import_workbook(book, "housing", broken)
    with pytest.raises(UserError, match="找不到文件"):
        import_workbook(book, "housing", tmp_path / "没有.xlsx")
    path = plain_sheet(tmp_path / "ok.xlsx", housing_row(1))
    with pytest.raises(UserError, match="没有名为“别的”的工作表"):
        import_workbook(book, "housing", path, sheet="别的")
    with pytest.raises(UserError, match="缺少必需的列：工程名称、问题描述、报修日期、进度"):
        import_workbook(book, "water", path)
    empty = write_sheet(tmp_path / "空.xlsx", [["说明"], ["无内容"]])
    with pytest.raises(UserError, match="找不到"):
        import_workbook(book, "water", empty)


def test_a_cancelled_import_writes_nothing(book: Book, tmp_path: Path) -> None:
    rows = [
        housing_row(i, 身份证号=resident_id.make("410622", dt.date(1950, 1, 1), i))
        for i in range(1, 1201)
    ]
    path = plain_sheet(tmp_path / "big.xlsx", *rows)
    with pytest.raises(Cancelled):
        import_workbook(book, "housing", path, cancelled=lambda: True)
    assert book.records("housing").count() == 0


def test_progress_reaches_the_end(book: Book, tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "ok.xlsx", housing_row(1), housing_row(2, 身份证号=SECOND_ID))
    seen: list[tuple[int, int]] = []
    import_workbook(book, "housing", path, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
