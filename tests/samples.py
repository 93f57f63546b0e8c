"""Valid sample records for tests, one per ledger; tests change one value to break a rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hebi_desktop.domain import resident_id

HOUSEHOLD_HEAD_ID = resident_id.make("410622", dt.date(1956, 3, 8), 31)
STUDENT_ID = resident_id.make("410621", dt.date(2012, 9, 15), 42)
PLACE = {"county_code": "410622", "township_code": "410622102", "village": "王庄村"}


def housing(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        **PLACE,
        "head_name": "张秀英",
        "id_number": HOUSEHOLD_HEAD_ID,
        "phone": "13803921234",
        "household_size": 3,
        "household_category": "脱贫户",
        "address": "王庄村12号",
        "structure": "砖木",
        "built_year": 1985,
        "floors": 1,
        "floor_area": "86.5",
        "check_method": "镇村定期排查",
        "check_date": dt.date(2024, 5, 9),
        "checker": "李建国",
        "safety_grade": "C级",
        "in_renovation": True,
        "renovation_method": "修缮加固",
        "renovation_progress": "已竣工",
        "subsidy_amount": "15000",
        "completion_date": dt.date(2024, 9, 1),
        "closed": False,
        "closed_date": None,
        "remarks": "",
    }
    values.update(changes)
    return values


def water(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        **PLACE,
        "project_name": "王庄村供水站",
        "project_type": "千人供水工程",
        "repair_item": "输配水管网",
        "problem": "主管道破裂漏水",
        "report_date": dt.date(2024, 3, 2),
        "repair_type": "维修",
        "beneficiaries": 1200,
        "investment": "23500.00",
        "fund_source": "县级资金",
        "contractor": "淇县水利工程队",
        "start_date": dt.date(2024, 3, 5),
        "finish_date": dt.date(2024, 3, 20),
        "progress": "已验收",
        "acceptance_date": dt.date(2024, 3, 25),
        "acceptor": "赵志强",
        "caretaker": "王海燕",
        "caretaker_phone": "0392-7221234",
        "remarks": None,
    }
    values.update(changes)
    return values


def education(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        **PLACE,
        "student_name": "刘子涵",
        "id_number": STUDENT_ID,
        "school": "北阳镇第一初级中学",
        "stage": "初中",
        "grade": "七年级",
        "family_category": "脱贫户",
        "guardian_name": "刘建军",
        "guardian_phone": "15937261234",
        "aid_project": "义务教育生活补助",
        "school_year": "2024-2025",
        "semester": "秋季学期",
        "amount": "625",
        "paid_date": dt.date(2024, 11, 15),
        "remarks": None,
    }
    values.update(changes)
    return values


SAMPLES = {"housing": housing, "water": water, "education": education}
