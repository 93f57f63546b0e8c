"""农村供水工程维修养护台账 — repairs and upkeep of rural water-supply works."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hebi_desktop.domain.attachments import AttachmentKind, AttachmentRules, Evidence
from hebi_desktop.domain.fields import Field, Kind, Ledger, Rule, Values
from hebi_desktop.domain.place import PLACE_FIELDS, PLACE_RULES
from hebi_desktop.domain.printing import Column, PrintForms
from hebi_desktop.domain.queries import Aggregate, Condition, Measure, Op, Watch
from hebi_desktop.domain.samples import EXAMPLE_PLACE, SampleMaker
from hebi_desktop.domain.villages import core

PROJECT_TYPES = (
    "城市管网延伸工程",
    "千吨万人供水工程",
    "千人供水工程",
    "百人以上集中供水工程",
    "其他集中式供水",
    "分散式供水",
)
REPAIR_ITEMS = (
    "水源工程",
    "水处理设施",
    "消毒设施",
    "机电设备",
    "自动控制及信息设备",
    "水质检测设施",
    "计量水表",
    "输配水管网",
    "其他",
)
REPAIR_TYPES = ("维修", "养护", "更新改造")
FUND_SOURCES = (
    "中央资金",
    "省级资金",
    "市级资金",
    "县级资金",
    "乡镇资金",
    "村集体",
    "社会资金",
    "其他",
)
PROGRESS = ("待维修", "维修中", "已完工", "已验收")
OPEN_PROGRESS = ("待维修", "维修中")
FINISHED = frozenset({"已完工", "已验收"})
OVERDUE_DAYS = 30

FIELDS = (
    *PLACE_FIELDS,
    Field(
        "project_name",
        "工程名称",
        Kind.TEXT,
        required=True,
        max_length=60,
        aliases=("项目名称", "供水工程名称", "工程名"),
        width=20,
        is_name=True,
    ),
    Field(
        "project_type",
        "工程类型",
        Kind.CHOICE,
        choices=PROJECT_TYPES,
        aliases=("供水工程类型", "工程类别"),
        width=16,
    ),
    Field(
        "repair_item",
        "维修项目",
        Kind.CHOICE,
        choices=REPAIR_ITEMS,
        aliases=("维修部位", "维修养护项目", "维修内容"),
        width=12,
    ),
    Field(
        "problem",
        "问题描述",
        Kind.TEXT,
        required=True,
        max_length=200,
        aliases=("存在问题", "问题", "故障描述", "主要问题"),
        width=24,
    ),
    Field(
        "report_date",
        "报修日期",
        Kind.DATE,
        required=True,
        not_future=True,
        aliases=("报修时间", "发现日期"),
        width=11,
    ),
    Field(
        "repair_type",
        "维修类型",
        Kind.CHOICE,
        choices=REPAIR_TYPES,
        aliases=("维修养护类型",),
        width=8,
    ),
    Field(
        "beneficiaries",
        "受益人口",
        Kind.INTEGER,
        minimum=0,
        aliases=("受益人口（人）", "受益人数", "受益群众"),
        width=8,
    ),
    Field(
        "investment",
        "投入资金（元）",
        Kind.MONEY,
        minimum=0,
        aliases=("投入资金", "投资", "维修资金", "投资金额", "投入资金（万元）"),
        width=12,
    ),
    Field(
        "fund_source",
        "资金来源",
        Kind.CHOICE,
        choices=FUND_SOURCES,
        aliases=("资金渠道",),
        width=10,
    ),
    Field("contractor", "施工单位", Kind.TEXT, max_length=60, aliases=("维修单位",), width=16),
    Field("start_date", "开工日期", Kind.DATE, aliases=("开工时间",), width=11),
    Field("finish_date", "完工日期", Kind.DATE, not_future=True, aliases=("完工时间",), width=11),
    Field(
        "progress",
        "进度",
        Kind.CHOICE,
        required=True,
        choices=PROGRESS,
        aliases=("维修进度", "状态", "进展情况"),
        width=8,
    ),
    Field(
        "acceptance_date", "验收日期", Kind.DATE, not_future=True, aliases=("验收时间",), width=11
    ),
    Field(
        "acceptor",
        "验收人",
        Kind.TEXT,
        max_length=20,
        aliases=("验收人员",),
        width=8,
        is_name=True,
    ),
    Field(
        "caretaker", "管护责任人", Kind.TEXT, max_length=20, aliases=("管护人", "责任人"), width=8
    ),
    Field(
        "caretaker_phone",
        "联系电话",
        Kind.PHONE,
        aliases=("联系方式", "管护责任人电话", "电话"),
        width=13,
    ),
    Field("remarks", "备注", Kind.TEXT, max_length=200, width=16),
)


def _not_before(later: str, earlier: str):
    def check(v: Values) -> str | None:
        a, b = v.get(later), v.get(earlier)
        if a and b and a < b:
            header_a = LEDGER_HEADERS[later]
            header_b = LEDGER_HEADERS[earlier]
            return f"{header_a}：不能早于{header_b}（{a:%Y-%m-%d} 早于 {b:%Y-%m-%d}）"
        return None

    return check


def _finish_required(v: Values) -> str | None:
    if v.get("progress") in FINISHED and v.get("finish_date") is None:
        return f"完工日期：进度为“{v['progress']}”时必须填写完工日期"
    return None


def _acceptance_required(field_name: str):
    def check(v: Values) -> str | None:
        if v.get("progress") == "已验收" and v.get(field_name) is None:
            return f"{LEDGER_HEADERS[field_name]}：进度为“已验收”时必须填写"
        return None

    return check


LEDGER_HEADERS = {f.name: f.header for f in FIELDS}

RULES = (
    *PLACE_RULES,
    Rule(
        "start_after_report",
        ("start_date", "report_date"),
        _not_before("start_date", "report_date"),
    ),
    Rule(
        "finish_after_start",
        ("finish_date", "start_date"),
        _not_before("finish_date", "start_date"),
    ),
    Rule(
        "finish_after_report",
        ("finish_date", "report_date"),
        _not_before("finish_date", "report_date"),
    ),
    Rule("finish_required", ("finish_date", "progress"), _finish_required),
    Rule(
        "acceptance_after_finish",
        ("acceptance_date", "finish_date"),
        _not_before("acceptance_date", "finish_date"),
    ),
    Rule(
        "acceptance_date_required",
        ("acceptance_date", "progress"),
        _acceptance_required("acceptance_date"),
    ),
    Rule("acceptor_required", ("acceptor", "progress"), _acceptance_required("acceptor")),
)


def example() -> dict[str, Any]:
    """A burst main repaired and accepted, as a clerk enters it."""
    return {
        **EXAMPLE_PLACE,
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


SAMPLE_PROBLEMS = (
    "管道破裂漏水",
    "水泵电机烧毁",
    "消毒设备故障",
    "水表损坏",
    "蓄水池渗漏",
    "控制柜进水",
)


def sample(make: SampleMaker, index: int) -> dict[str, Any]:
    """One repair at one of a village's works, its dates in order of its progress."""
    r = make.random
    place = make.place()
    report = make.date_within(700)
    progress = r.choices(PROGRESS, weights=(10, 15, 35, 40))[0]
    values: dict[str, Any] = {
        **place,
        "project_name": f"{core(place['village'])}第{index % 7 + 1}供水站",
        "project_type": r.choice(PROJECT_TYPES),
        "repair_item": r.choice(REPAIR_ITEMS),
        "problem": r.choice(SAMPLE_PROBLEMS),
        "report_date": report,
        "repair_type": r.choice(REPAIR_TYPES),
        "beneficiaries": r.randrange(50, 5000),
        "investment": make.money(500, 50000),
        "fund_source": r.choice(FUND_SOURCES),
        "contractor": "鹤壁市水利工程有限公司",
        "progress": progress,
        "caretaker": make.name(),
        "caretaker_phone": make.phone(),
    }
    if progress != "待维修":
        values["start_date"] = min(report + dt.timedelta(days=r.randrange(0, 10)), make.today)
    if progress in FINISHED:
        values["finish_date"] = min(
            values["start_date"] + dt.timedelta(days=r.randrange(0, 30)), make.today
        )
    if progress == "已验收":
        values["acceptance_date"] = values["finish_date"]
        values["acceptor"] = make.name()
    return values


PRINT_FORMS = PrintForms(
    roster=(
        "village",
        Column("project_name", 18),
        Column("project_type", 14),
        Column("repair_item", 10),
        Column("problem", 20),
        "report_date",
        Column("repair_type", 6),
        Column("beneficiaries", 6),
        "investment",
        Column("fund_source", 8),
        "finish_date",
        Column("progress", 6),
        Column("caretaker", 8),
    ),
    notice=(
        "village",
        Column("project_name", 18),
        Column("repair_item", 10),
        Column("repair_type", 6),
        Column("beneficiaries", 6),
        "investment",
        Column("fund_source", 8),
        Column("contractor", 14),
        Column("progress", 6),
    ),
    notice_title="农村供水工程维修养护",
    count_unit="处",
)

ATTACHMENTS = AttachmentRules(
    kinds=(
        AttachmentKind("维修前", ("维修前照片", "修前"), photo=True),
        AttachmentKind("维修后", ("维修后照片", "修后", "完工照片"), photo=True),
        AttachmentKind("验收材料", ("验收表", "验收单", "验收")),
        AttachmentKind("资金发放凭证", ("发放凭证", "付款凭证")),
        AttachmentKind("其他"),
    ),
    evidence=(
        Evidence(
            "finished_after_photo",
            "维修后",
            "已完工缺维修后照片",
            (Condition("progress", Op.IN, tuple(sorted(FINISHED))),),
        ),
        Evidence(
            "accepted_record",
            "验收材料",
            "已验收缺验收材料",
            (Condition("progress", Op.IN, ("已验收",)),),
        ),
    ),
)

LEDGER = Ledger(
    key="water",
    title="农村供水工程维修养护台账",
    nav_title="供水维修",
    table_name="water_repairs",
    fields=FIELDS,
    rules=RULES,
    natural_key=("project_name", "village", "report_date"),
    main_date="report_date",
    name_field="project_name",
    key_columns=("project_name", "village"),
    print_forms=PRINT_FORMS,
    attachments=ATTACHMENTS,
    search_fields=("project_name", "caretaker"),
    status_fields=("progress", "project_type"),
    measures=(
        Measure("repairs", "维修工程（处）", Aggregate.COUNT),
        Measure(
            "finished",
            "已完工（处）",
            Aggregate.COUNT,
            conditions=(Condition("progress", Op.IN, tuple(sorted(FINISHED))),),
        ),
        Measure(
            "investment", "完成投资（万元）", Aggregate.SUM, "investment", divisor=10000, decimals=2
        ),
        Measure(
            "beneficiaries",
            "受益人口（万人）",
            Aggregate.SUM,
            "beneficiaries",
            divisor=10000,
            decimals=2,
        ),
    ),
    breakdown="repair_type",
    watches=(
        Watch(
            "overdue",
            f"报修超过{OVERDUE_DAYS}天未完工",
            (
                Condition("progress", Op.IN, OPEN_PROGRESS),
                Condition("report_date", Op.OLDER_THAN_DAYS, OVERDUE_DAYS),
            ),
        ),
    ),
    verify_fields=("investment",),
    order=2,
    example=example,
    sample=sample,
)
