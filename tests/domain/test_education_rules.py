"""教育资助台账: every rule of LEDGERS.md, valid and invalid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.fields import Level
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.validation import Checked, check_record
from tests.domain import issue_on
from tests.samples import STUDENT_ID, education

LEDGER = get_ledger("education")


def check(**changes: Any) -> Checked:
    return check_record(LEDGER, education(**changes))


def born(year: int, sequence: int = 42) -> str:
    return resident_id.make("410621", dt.date(year, 3, 1), sequence)


def test_sample_is_valid_and_derived_fields_are_not_stored() -> None:
    checked = check(gender="女", birth_date="1900-01-01")  # derived: ignored on input
    assert checked.ok and not checked.issues
    assert "gender" not in checked.values and "birth_date" not in checked.values
    assert checked.values["id_number"] == STUDENT_ID


@pytest.mark.parametrize(
    "name", ["county_code", "township_code", "village", "student_name", "id_number", "school",
             "stage", "aid_project", "school_year", "semester", "amount"],
)  # fmt: skip
def test_required_fields(name: str) -> None:
    assert issue_on(LEDGER, check(**{name: None}), name).message.endswith("必填，不能为空")


def test_optional_fields_may_be_empty() -> None:
    checked = check(
        grade=None,
        family_category=None,
        guardian_name=None,
        guardian_phone=None,
        paid_date=None,
        remarks=None,
    )
    assert checked.ok, checked.issues


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("stage", "大专"),
        ("family_category", "单亲家庭"),
        ("aid_project", "奖学金"),
        ("semester", "夏季学期"),
    ],
)
def test_choice_outside_its_list_is_refused(name: str, bad: str) -> None:
    assert f"“{bad}”不在可选值中" in issue_on(LEDGER, check(**{name: bad}), name).message


def test_amount_must_be_positive() -> None:
    assert check(amount="0.01").ok
    assert "应大于0" in issue_on(LEDGER, check(amount="0"), "amount").message


def test_paid_date_not_in_the_future() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert issue_on(LEDGER, check(paid_date=tomorrow), "paid_date").message == (
        f"发放日期：不能晚于今天（现为{tomorrow.isoformat()}）"
    )


def test_school_year_second_year_is_first_plus_one() -> None:
    assert check(school_year="2024-25").values["school_year"] == "2024-2025"
    assert issue_on(LEDGER, check(school_year="2024-2026"), "school_year").message == (
        "学年：“2024-2026”的后一年应为前一年加1（如2024-2025）"
    )


def test_invalid_id_number_is_refused() -> None:
    wrong = STUDENT_ID[:17] + ("0" if STUDENT_ID[17] != "0" else "1")
    assert "校验位错误" in issue_on(LEDGER, check(id_number=wrong), "id_number").message


def test_age_far_from_the_stage_is_a_warning() -> None:
    # 30 years old at the start of 2024-2025, in 小学
    checked = check(id_number=born(1994), stage="小学")
    assert checked.ok  # saved, but flagged
    issue = issue_on(LEDGER, checked, "stage", Level.WARNING)
    assert issue.message == (
        "学段：学生在2024-2025学年初为30岁，与“小学”（通常5–15岁）相差较大，请核实"
    )


@pytest.mark.parametrize(
    ("stage", "year", "project", "flagged"),
    [
        ("小学", 2017, "义务教育生活补助", False),  # 7
        ("小学", 2010, "义务教育生活补助", False),  # 14
        ("小学", 2008, "义务教育生活补助", True),  # 16
        ("学前教育", 2020, "学前教育资助", False),  # 4
        ("学前教育", 2016, "学前教育资助", True),  # 8
        ("本科", 2004, "高校国家助学金", False),  # 20
        ("研究生", 1990, "高校国家助学金", False),  # 34
    ],
)
def test_age_bounds(stage: str, year: int, project: str, flagged: bool) -> None:
    checked = check(id_number=born(year), stage=stage, aid_project=project)
    assert checked.ok
    assert bool(checked.warnings) is flagged, checked.warnings


def test_aid_project_not_meant_for_the_stage_is_a_warning() -> None:
    checked = check(aid_project="普通高中国家助学金")  # sample is 初中
    assert checked.ok
    issue = issue_on(LEDGER, checked, "aid_project", Level.WARNING)
    assert issue.message == "资助项目：“普通高中国家助学金”通常不发给“初中”学生，请核实"
    assert not check(aid_project="雨露计划").warnings  # open to any stage


def test_derived_gender_and_birth_date() -> None:
    values = check().values
    assert LEDGER.field("gender").derive(values) == "女"  # sequence 042: 17th digit even
    assert LEDGER.field("birth_date").derive(values) == dt.date(2012, 9, 15)
    assert LEDGER.field("gender").derive({"id_number": None}) is None
