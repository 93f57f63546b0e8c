"""农村供水工程维修养护台账: every rule of LEDGERS.md, valid and invalid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.validation import Checked, check_record
from tests.domain import issue_on
from tests.samples import water

LEDGER = get_ledger("water")
OPEN = {"finish_date": None, "acceptance_date": None, "acceptor": None}


def check(**changes: Any) -> Checked:
    return check_record(LEDGER, water(**changes))


def test_sample_is_valid() -> None:
    checked = check()
    assert checked.ok and not checked.issues
    assert str(checked.values["investment"]) == "23500.00"


@pytest.mark.parametrize(
    "name", ["county_code", "township_code", "village", "project_name", "problem", "report_date",
             "progress"],
)  # fmt: skip
def test_required_fields(name: str) -> None:
    assert issue_on(LEDGER, check(**{name: ""}), name).message.endswith("必填，不能为空")


def test_optional_fields_may_be_empty() -> None:
    checked = check(
        project_type=None,
        repair_item=None,
        repair_type=None,
        beneficiaries=None,
        investment=None,
        fund_source=None,
        contractor=None,
        start_date=None,
        caretaker=None,
        caretaker_phone=None,
        progress="待维修",
        **OPEN,
    )
    assert checked.ok, checked.issues


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("project_type", "大型水库"),
        ("repair_item", "屋顶"),
        ("repair_type", "大修"),
        ("fund_source", "个人捐款"),
        ("progress", "已结束"),
    ],
)
def test_choice_outside_its_list_is_refused(name: str, bad: str) -> None:
    assert f"“{bad}”不在可选值中" in issue_on(LEDGER, check(**{name: bad}), name).message


def test_report_date_not_in_the_future() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    issue = issue_on(LEDGER, check(report_date=tomorrow, **OPEN, progress="待维修",
                                   start_date=None), "report_date")  # fmt: skip
    assert issue.message == f"报修日期：不能晚于今天（现为{tomorrow.isoformat()}）"


@pytest.mark.parametrize(
    ("name", "good", "bad", "reason"),
    [
        ("beneficiaries", 0, -1, "应不小于0"),
        ("investment", "0", "-5", "应不小于0"),
        ("investment", "23500.5", "23500.555", "最多两位小数"),
        ("caretaker_phone", "13803921234", "1380392", "不是有效的电话号码"),
    ],
)
def test_ranges_and_formats(name: str, good: Any, bad: Any, reason: str) -> None:
    assert check(**{name: good}).ok
    assert reason in issue_on(LEDGER, check(**{name: bad}), name).message


def test_start_not_before_report() -> None:
    assert check(start_date=dt.date(2024, 3, 2)).ok
    issue = issue_on(LEDGER, check(start_date=dt.date(2024, 3, 1)), "start_date")
    assert issue.message == "开工日期：不能早于报修日期（2024-03-01 早于 2024-03-02）"


def test_finish_not_before_start() -> None:
    checked = check(finish_date=dt.date(2024, 3, 4), acceptance_date=dt.date(2024, 3, 25))
    assert issue_on(LEDGER, checked, "finish_date").message == (
        "完工日期：不能早于开工日期（2024-03-04 早于 2024-03-05）"
    )


def test_finish_not_before_report_even_without_start() -> None:
    checked = check(start_date=None, finish_date=dt.date(2024, 3, 1))
    assert issue_on(LEDGER, checked, "finish_date").message == (
        "完工日期：不能早于报修日期（2024-03-01 早于 2024-03-02）"
    )


@pytest.mark.parametrize("progress", ["已完工", "已验收"])
def test_finish_date_required_once_finished(progress: str) -> None:
    checked = check(progress=progress, finish_date=None, acceptance_date=None)
    assert issue_on(LEDGER, checked, "finish_date").message == (
        f"完工日期：进度为“{progress}”时必须填写完工日期"
    )


@pytest.mark.parametrize("progress", ["待维修", "维修中"])
def test_open_repairs_need_no_finish_date(progress: str) -> None:
    assert check(progress=progress, **OPEN).ok


def test_acceptance_date_and_acceptor_required_once_accepted() -> None:
    checked = check(acceptance_date=None, acceptor=None)
    assert issue_on(LEDGER, checked, "acceptance_date").message == (
        "验收日期：进度为“已验收”时必须填写"
    )
    assert issue_on(LEDGER, checked, "acceptor").message == "验收人：进度为“已验收”时必须填写"
    assert check(progress="已完工", acceptance_date=None, acceptor=None).ok


def test_acceptance_not_before_finish() -> None:
    checked = check(acceptance_date=dt.date(2024, 3, 19))
    assert issue_on(LEDGER, checked, "acceptance_date").message == (
        "验收日期：不能早于完工日期（2024-03-19 早于 2024-03-20）"
    )
