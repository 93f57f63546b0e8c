"""住房安全动态监测台账: every rule of LEDGERS.md, valid and invalid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hebi_desktop.domain.fields import Level
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.validation import Checked, check_record
from tests.domain import issue_on
from tests.samples import HOUSEHOLD_HEAD_ID, housing

LEDGER = get_ledger("housing")
NOT_RENOVATED = {
    "in_renovation": False,
    "renovation_method": None,
    "renovation_progress": None,
    "completion_date": None,
    "subsidy_amount": None,
}


def check(**changes: Any) -> Checked:
    return check_record(LEDGER, housing(**changes))


def test_sample_is_valid_and_typed() -> None:
    checked = check()
    assert checked.ok and not checked.issues
    values = checked.values
    assert values["id_number"] == HOUSEHOLD_HEAD_ID
    assert values["in_renovation"] is True
    assert str(values["floor_area"]) == "86.50"
    assert values["township_code"] == "410622102"


def test_raw_text_as_typed_in_a_form_is_accepted() -> None:
    checked = check(
        county_code="淇县",
        township_code="北阳镇",
        id_number=f"  {HOUSEHOLD_HEAD_ID.lower()} ",
        household_size="3",
        check_date="2024年5月9日",
        in_renovation="是",
        safety_grade="C",
        completion_date="2024/9/1",
        closed="否",
    )
    assert checked.ok, checked.issues
    assert checked.values["county_code"] == "410622"
    assert checked.values["check_date"] == dt.date(2024, 5, 9)


@pytest.mark.parametrize("name", ["county_code", "township_code", "village", "head_name",
                                  "id_number", "check_date", "checker", "safety_grade",
                                  "in_renovation"])  # fmt: skip
def test_required_fields(name: str) -> None:
    for blank in (None, "", "   "):
        checked = check(**{name: blank})
        assert not checked.ok
        issue = issue_on(LEDGER, checked, name)
        assert issue.message.endswith("必填，不能为空")


def test_wrong_check_digit_is_refused_naming_the_field() -> None:
    wrong = HOUSEHOLD_HEAD_ID[:17] + ("0" if HOUSEHOLD_HEAD_ID[17] != "0" else "1")
    issue = issue_on(LEDGER, check(id_number=wrong), "id_number")
    assert (
        issue.message == f"身份证号：校验位错误（按前17位计算，第18位应为{HOUSEHOLD_HEAD_ID[17]}）"
    )


def test_check_date_in_the_future_is_refused() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    issue = issue_on(LEDGER, check(check_date=tomorrow), "check_date")
    assert issue.message == f"排查日期：不能晚于今天（现为{tomorrow.isoformat()}）"


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("household_category", "五保户"),
        ("structure", "钢结构"),
        ("check_method", "电话排查"),
        ("safety_grade", "E级"),
        ("renovation_method", "翻新"),
        ("renovation_progress", "未完成"),
    ],
)
def test_choice_outside_its_list_is_refused(name: str, bad: str) -> None:
    issue = issue_on(LEDGER, check(**{name: bad}), name)
    assert f"“{bad}”不在可选值中" in issue.message
    assert "、".join(LEDGER.field(name).choices) in issue.message


@pytest.mark.parametrize(
    ("name", "good", "bad", "reason"),
    [
        ("household_size", 30, 31, "应不大于30"),
        ("household_size", 1, 0, "应不小于1"),
        ("built_year", 1900, 1899, "应不小于1900"),
        ("floors", 10, 11, "应不大于10"),
        ("floors", 1, 0, "应不小于1"),
        ("floor_area", "0.01", "0", "应大于0"),
        ("subsidy_amount", "0", "-0.01", "应不小于0"),
        ("subsidy_amount", "15000.50", "15000.505", "最多两位小数"),
        ("phone", "0392-7221234", "7221234", "不是有效的电话号码"),
    ],
)
def test_ranges_and_formats(name: str, good: Any, bad: Any, reason: str) -> None:
    assert check(**{name: good}).ok
    assert reason in issue_on(LEDGER, check(**{name: bad}), name).message


def test_optional_fields_may_be_empty() -> None:
    checked = check(
        phone=None,
        household_size=None,
        household_category="",
        address=None,
        structure=None,
        built_year=None,
        floors=None,
        floor_area=None,
        check_method=None,
        subsidy_amount=None,
        remarks=None,
    )
    assert checked.ok, checked.issues


# --- renovation ---------------------------------------------------------------------------


@pytest.mark.parametrize("grade", ["C级", "D级"])
def test_dangerous_house_not_renovated_is_a_warning_not_an_error(grade: str) -> None:
    checked = check(safety_grade=grade, **NOT_RENOVATED)
    assert checked.ok  # saved ...
    issue = issue_on(LEDGER, checked, "in_renovation", Level.WARNING)  # ... but flagged
    assert issue.message == f"是否纳入改造：{grade}房屋未纳入改造，已标记待核实"
    assert checked.warnings == [issue]


@pytest.mark.parametrize("grade", ["A级", "B级"])
def test_safe_house_not_renovated_is_fine(grade: str) -> None:
    checked = check(safety_grade=grade, **NOT_RENOVATED)
    assert checked.ok and not checked.issues


def test_renovation_method_and_progress_required_when_renovating() -> None:
    for name in ("renovation_method", "renovation_progress"):
        checked = check(**{name: None})
        assert issue_on(LEDGER, checked, name).message.endswith("必填，不能为空")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("renovation_method", "修缮加固"),
        ("renovation_progress", "施工中"),
        ("completion_date", dt.date(2024, 9, 1)),
    ],
)
def test_renovation_fields_refused_when_not_renovating(name: str, value: Any) -> None:
    changes = {**NOT_RENOVATED, "safety_grade": "B级", name: value}
    issue = issue_on(LEDGER, check(**changes), name)
    assert issue.message == f"{LEDGER.field(name).header}：仅在是否纳入改造为“是”时填写，现在应为空"


@pytest.mark.parametrize("progress", ["已竣工", "已验收"])
def test_completion_date_required_once_finished(progress: str) -> None:
    issue = issue_on(
        LEDGER, check(renovation_progress=progress, completion_date=None), "completion_date"
    )
    assert issue.message == f"竣工日期：改造进度为“{progress}”时必须填写竣工日期"


@pytest.mark.parametrize("progress", ["未开工", "施工中"])
def test_completion_date_not_required_before_finishing(progress: str) -> None:
    assert check(renovation_progress=progress, completion_date=None).ok


def test_completion_not_before_check_date() -> None:
    assert check(completion_date=dt.date(2024, 5, 9)).ok  # same day
    issue = issue_on(LEDGER, check(completion_date=dt.date(2024, 5, 8)), "completion_date")
    assert issue.message == "竣工日期：不能早于排查日期（2024-05-08 早于 2024-05-09）"


def test_completion_date_not_in_the_future() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert (
        "不能晚于今天"
        in issue_on(LEDGER, check(completion_date=tomorrow), "completion_date").message
    )


# --- closing (销号) -----------------------------------------------------------------------


@pytest.mark.parametrize("grade", ["A级", "B级"])
def test_safe_houses_may_be_closed(grade: str) -> None:
    checked = check(
        safety_grade=grade, closed=True, closed_date=dt.date(2024, 5, 9), **NOT_RENOVATED
    )
    assert checked.ok, checked.issues


def test_dangerous_house_closed_only_after_acceptance() -> None:
    accepted = check(renovation_progress="已验收", closed=True, closed_date=dt.date(2024, 9, 2))
    assert accepted.ok, accepted.issues
    finished = check(renovation_progress="已竣工", closed=True, closed_date=dt.date(2024, 9, 2))
    issue = issue_on(LEDGER, finished, "closed")
    assert issue.message == (
        "是否销号：只有A级、B级房屋或改造进度为“已验收”的才能销号（现为C级，改造进度已竣工）"
    )
    not_renovated = check(
        safety_grade="D级", closed=True, closed_date=dt.date(2024, 9, 2), **NOT_RENOVATED
    )
    assert "（现为D级，改造进度未填）" in issue_on(LEDGER, not_renovated, "closed").message


def test_closed_date_required_when_closed_and_refused_otherwise() -> None:
    missing = check(renovation_progress="已验收", closed=True, closed_date=None)
    assert issue_on(LEDGER, missing, "closed_date").message == "销号日期：必填，不能为空"
    stray = check(closed=False, closed_date=dt.date(2024, 9, 2))
    assert issue_on(LEDGER, stray, "closed_date").message == (
        "销号日期：仅在是否销号为“是”时填写，现在应为空"
    )


def test_closed_date_not_before_check_date() -> None:
    checked = check(renovation_progress="已验收", closed=True, closed_date=dt.date(2024, 5, 1))
    assert issue_on(LEDGER, checked, "closed_date").message == (
        "销号日期：不能早于排查日期（2024-05-01 早于 2024-05-09）"
    )


# --- place --------------------------------------------------------------------------------


def test_township_must_belong_to_the_county() -> None:
    checked = check(county_code="410621")  # 浚县; 北阳镇 is in 淇县
    issue = issue_on(LEDGER, checked, "township_code")
    assert issue.message == "乡镇：“北阳镇”不属于“浚县”，属于“淇县”"


def test_cross_field_rules_wait_for_their_fields_to_parse() -> None:
    # A bad check date gives one message, not a second one from the completion rule.
    checked = check(check_date="某天", completion_date=dt.date(2024, 1, 1))
    assert [i.field for i in checked.issues] == ["check_date"]
