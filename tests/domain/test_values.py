"""The per-kind parsers: what a clerk may type (or a sheet may hold), and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from hebi_desktop.domain.display import display_value, wan_yuan
from hebi_desktop.domain.fields import Field, Kind
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.values import ValueProblem, choice_lookup, make_parser, to_date
from tests.samples import HOUSEHOLD_HEAD_ID

HOUSING = get_ledger("housing")
WATER = get_ledger("water")
EDUCATION = get_ledger("education")


def parse(field: Field, raw: Any) -> Any:
    return make_parser(field)(raw)


def refused(field: Field, raw: Any) -> str:
    with pytest.raises(ValueProblem) as caught:
        parse(field, raw)
    return str(caught.value)


# --- text -------------------------------------------------------------------------------


def test_text_is_trimmed_and_numbers_from_cells_become_text() -> None:
    name = HOUSING.field("head_name")
    assert parse(name, "  张秀英 ") == "张秀英"
    address = HOUSING.field("address")
    assert parse(address, 12.0) == "12"
    assert parse(address, dt.date(2024, 5, 9)) == "2024-05-09"


def test_text_longer_than_allowed_is_refused_with_both_lengths() -> None:
    name = HOUSING.field("head_name")  # at most 20
    assert parse(name, "张" * 20) == "张" * 20
    assert refused(name, "张" * 21) == "不能超过20个字（现有21个）"


# --- ID numbers and phones --------------------------------------------------------------


def test_id_number_parser_normalises_and_explains_numbers_from_excel() -> None:
    field = HOUSING.field("id_number")
    assert parse(field, f" {HOUSEHOLD_HEAD_ID.lower()} ") == HOUSEHOLD_HEAD_ID
    assert "文本" in refused(field, 4.10622195603083e17)
    assert "校验位错误" in refused(field, HOUSEHOLD_HEAD_ID[:17] + "0")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13803921234", "13803921234"),
        (" 138 0392 1234 ", "13803921234"),
        ("0392-7221234", "0392-7221234"),
        ("03927221234", "03927221234"),
        ("(0392)7221234", "0392-7221234"),
        ("０３９２－７２２１２３４", "0392-7221234"),
        (13803921234, "13803921234"),
    ],
)
def test_phone_numbers_accepted(raw: Any, stored: str) -> None:
    assert parse(HOUSING.field("phone"), raw) == stored


@pytest.mark.parametrize("raw", ["12345", "23803921234", "1380392123", "电话", "0392-12"])
def test_phone_numbers_refused(raw: str) -> None:
    assert "不是有效的电话号码" in refused(HOUSING.field("phone"), raw)


def test_landline_that_lost_its_zero_in_excel_is_explained() -> None:
    assert "区号的0已丢失" in refused(HOUSING.field("phone"), 3927221234)


# --- numbers ------------------------------------------------------------------------------


def test_integer_parser_and_ranges() -> None:
    size = HOUSING.field("household_size")  # 1–30
    assert parse(size, "３") == 3
    assert parse(size, 4.0) == 4
    assert parse(size, 30) == 30
    assert refused(size, 0) == "应不小于1（现为0）"
    assert refused(size, 31) == "应不大于30（现为31）"
    assert refused(size, "3.5") == "“3.5”不是整数"
    assert refused(size, 2.5) == "“2.5”不是整数"
    assert refused(size, "三") == "“三”不是整数"


def test_built_year_may_not_be_after_this_year() -> None:
    year = HOUSING.field("built_year")
    this_year = dt.date.today().year
    assert parse(year, this_year) == this_year
    assert refused(year, this_year + 1) == f"应不大于{this_year}（现为{this_year + 1}）"
    assert refused(year, 1899) == "应不小于1900（现为1899）"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("15000", Decimal("15000.00")),
        ("1,234.5", Decimal("1234.50")),
        ("¥1234.56元", Decimal("1234.56")),
        ("１２３４．５", Decimal("1234.50")),
        (1234.5, Decimal("1234.50")),
        (0.1 + 0.2, Decimal("0.30")),
        (Decimal("7"), Decimal("7.00")),
        (0, Decimal("0.00")),
    ],
)
def test_money_is_exact_with_two_decimals(raw: Any, value: Decimal) -> None:
    parsed = parse(HOUSING.field("subsidy_amount"), raw)
    assert parsed == value
    assert parsed.as_tuple().exponent == -2


def test_money_with_more_than_two_decimals_or_negative_is_refused() -> None:
    subsidy = HOUSING.field("subsidy_amount")  # ≥ 0
    assert refused(subsidy, "15000.005") == "最多两位小数（现为15000.005）"
    assert refused(subsidy, "-1") == "应不小于0（现为-1.00）"
    assert refused(subsidy, "一万") == "“一万”不是数字"
    assert refused(subsidy, "NaN") == "“NaN”不是数字"


def test_strictly_positive_amounts() -> None:
    area = HOUSING.field("floor_area")  # > 0
    assert parse(area, "0.01") == Decimal("0.01")
    assert refused(area, "0") == "应大于0（现为0.00）"
    amount = EDUCATION.field("amount")  # > 0
    assert refused(amount, 0) == "应大于0（现为0.00）"


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2024-05-09",
        "2024-5-9",
        "2024/5/9",
        "2024.5.9",
        "2024年5月9日",
        "2024 年 5 月 9 日",
        "２０２４年５月９日",
        "20240509",
        "2024-05-09 00:00:00",
        dt.date(2024, 5, 9),
        dt.datetime(2024, 5, 9, 14, 30),
        45421,  # Excel serial day number
        45421.0,
    ],
)
def test_the_usual_ways_of_writing_a_date(raw: Any) -> None:
    assert to_date(raw) == dt.date(2024, 5, 9)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2024-02-30", "“2024-02-30”不是有效日期"),
        ("5月9日", "“5月9日”不是日期（应写作如2024-05-09）"),
        ("昨天", "“昨天”不是日期（应写作如2024-05-09）"),
    ],
)
def test_impossible_dates_are_refused(raw: str, reason: str) -> None:
    assert refused(HOUSING.field("check_date"), raw) == reason


def test_a_date_in_the_future_is_refused_where_the_field_says_so() -> None:
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    check_date = HOUSING.field("check_date")
    assert parse(check_date, today) == today
    assert refused(check_date, tomorrow) == f"不能晚于今天（现为{tomorrow.isoformat()}）"
    # a planned start of work may lie ahead
    assert parse(WATER.field("start_date"), tomorrow) == tomorrow
    assert refused(check_date, "1899-12-31") == "日期1899-12-31早于1900年"


# --- choices, yes/no, school years, places ------------------------------------------------


def test_choice_accepts_exact_half_width_and_unambiguous_prefixes() -> None:
    grade = HOUSING.field("safety_grade")
    assert parse(grade, "C级") == "C级"
    assert parse(grade, "Ｃ级") == "C级"
    assert parse(grade, "C") == "C级"
    assert parse(grade, " D级 ") == "D级"
    stage = EDUCATION.field("stage")
    assert parse(stage, "高职") == "高职（专科）"
    assert parse(stage, "高职(专科)") == "高职（专科）"


def test_choice_outside_its_list_is_refused_with_the_list() -> None:
    reason = refused(HOUSING.field("structure"), "钢结构")
    assert reason == "“钢结构”不在可选值中（可选：砖混、砖木、土木、石木、框架、窑洞、其他）"


def test_ambiguous_prefix_is_refused_but_exact_choice_wins() -> None:
    project = EDUCATION.field("aid_project")
    assert "不在可选值中" in refused(project, "中职")  # 中职国家助学金 or 中职免学费?
    lookup = choice_lookup(("维修", "维修中"))
    assert lookup["维修"] == "维修"
    assert lookup["维修中"] == "维修中"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("是", True), ("否", False), (" 是 ", True), ("Y", True), ("n", False), (1, True),
     (0, False), (True, True), (False, False), ("TRUE", True)],
)  # fmt: skip
def test_yes_no(raw: Any, value: bool) -> None:
    assert parse(HOUSING.field("in_renovation"), raw) is value


def test_yes_no_refuses_anything_else() -> None:
    assert refused(HOUSING.field("in_renovation"), "也许") == "“也许”应为“是”或“否”"


@pytest.mark.parametrize(
    "raw",
    ["2024-2025", "2024-25", "2024/2025", "2024～2025", "2024至2025学年", "２０２４－２０２５"],
)
def test_school_year_spellings(raw: str) -> None:
    assert parse(EDUCATION.field("school_year"), raw) == "2024-2025"


def test_school_year_must_be_consecutive_and_plausible() -> None:
    field = EDUCATION.field("school_year")
    assert refused(field, "2024-2026") == "“2024-2026”的后一年应为前一年加1（如2024-2025）"
    assert refused(field, "2024") == "“2024”应写作如2024-2025"
    assert refused(field, "1998-1999") == "学年1998-1999不在合理范围内"
    later = dt.date.today().year + 2
    assert "不在合理范围内" in refused(field, f"{later}-{later + 1}")


def test_county_and_township_by_code_or_name() -> None:
    county, township = HOUSING.field("county_code"), HOUSING.field("township_code")
    assert parse(county, "淇县") == "410622"
    assert parse(county, "410622") == "410622"
    assert parse(county, "淇滨") == "410611"  # unique prefix of 淇滨区
    assert parse(township, "北阳镇") == "410622102"
    assert parse(township, "410622102") == "410622102"
    assert "不是鹤壁市的县区" in refused(county, "郑州市")
    assert "不是鹤壁市的县区" in refused(county, "410622102")  # a township code
    assert refused(township, "不存在镇") == "“不存在镇”不是鹤壁市的乡镇（街道）"


def test_every_kind_has_a_parser() -> None:
    for kind in Kind:
        make_parser(Field("x", "某列", kind, choices=("甲", "乙")))


# --- display ------------------------------------------------------------------------------


def test_display_values() -> None:
    assert display_value(HOUSING.field("in_renovation"), True) == "是"
    assert display_value(HOUSING.field("closed"), False) == "否"
    assert display_value(HOUSING.field("township_code"), "410622102") == "北阳镇"
    assert display_value(HOUSING.field("subsidy_amount"), Decimal("15000")) == "15000.00"
    assert display_value(HOUSING.field("check_date"), dt.date(2024, 5, 9)) == "2024-05-09"
    assert display_value(HOUSING.field("remarks"), None) == ""


def test_wan_yuan_rounds_half_up() -> None:
    assert wan_yuan(Decimal("15050")) == "1.51"
    assert wan_yuan(Decimal("15049.99")) == "1.50"


def test_numbers_too_big_to_store_are_refused() -> None:
    people = WATER.field("beneficiaries")  # no maximum of its own
    assert parse(people, 2_147_483_647) == 2_147_483_647
    assert refused(people, "99999999999999999999") == (
        "应不大于2147483647（现为99999999999999999999）"
    )
    investment = WATER.field("investment")
    assert parse(investment, "999999999999.99") == Decimal("999999999999.99")
    assert "应不大于999999999999.99" in refused(investment, "1" + "0" * 20)
