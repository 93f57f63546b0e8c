"""住房安全动态监测台账 — housing-safety checks of rural low-income households."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.attachments import AttachmentKind, AttachmentRules, Evidence
from hebi_desktop.domain.fields import Field, Kind, Ledger, Level, Rule, Values
from hebi_desktop.domain.place import PLACE_FIELDS, PLACE_RULES
from hebi_desktop.domain.printing import Column, IdPolicy, PrintForms, Register
from hebi_desktop.domain.queries import Aggregate, Condition, Measure, Op, Watch
from hebi_desktop.domain.samples import EXAMPLE_PLACE, SampleMaker

HOUSEHOLD_CATEGORIES = (
    "农村低保户",
    "农村分散供养特困人员",
    "低保边缘家庭",
    "防止返贫监测对象",
    "脱贫户",
    "刚性支出困难家庭",
    "低收入残疾人家庭",
    "其他",
)
STRUCTURES = ("砖混", "砖木", "土木", "石木", "框架", "窑洞", "其他")
CHECK_METHODS = ("农户日常自查", "镇村定期排查", "区及市随机巡查", "应急预警排查", "部门数据共享")
GRADES = ("A级", "B级", "C级", "D级")
DANGEROUS_GRADES = frozenset({"C级", "D级"})
RENOVATION_METHODS = ("修缮加固", "拆除重建", "异地新建", "置换或租赁", "其他")
PROGRESS = ("未开工", "施工中", "已竣工", "已验收")
FINISHED = frozenset({"已竣工", "已验收"})


def _in_renovation(values: Values) -> bool:
    return values.get("in_renovation") is True


def _closed(values: Values) -> bool:
    return values.get("closed") is True


FIELDS = (
    *PLACE_FIELDS,
    Field(
        "head_name",
        "户主姓名",
        Kind.TEXT,
        required=True,
        max_length=20,
        aliases=("姓名", "户主", "户主名字"),
        width=8,
        is_name=True,
    ),
    Field(
        "id_number",
        "身份证号",
        Kind.ID_NUMBER,
        required=True,
        aliases=("身份证号码", "公民身份号码", "户主身份证号", "户主身份证号码", "身份证"),
        width=20,
    ),
    Field(
        "phone",
        "联系电话",
        Kind.PHONE,
        aliases=("联系方式", "电话", "手机号", "手机号码"),
        width=13,
    ),
    Field(
        "household_size",
        "家庭人口",
        Kind.INTEGER,
        minimum=1,
        maximum=30,
        aliases=("家庭人口数", "人口", "家庭人数", "人口数"),
        width=6,
    ),
    Field(
        "household_category",
        "户类别",
        Kind.CHOICE,
        choices=HOUSEHOLD_CATEGORIES,
        aliases=("户属性", "农户类别", "户类型", "身份类别"),
        width=14,
    ),
    Field(
        "address",
        "房屋地址",
        Kind.TEXT,
        max_length=100,
        aliases=("地址", "住址", "房屋坐落"),
        width=18,
    ),
    Field(
        "structure",
        "房屋结构",
        Kind.CHOICE,
        choices=STRUCTURES,
        aliases=("结构", "结构类型", "房屋结构类型"),
        width=8,
    ),
    Field(
        "built_year",
        "建成年份",
        Kind.INTEGER,
        minimum=1900,
        max_this_year=True,
        aliases=("建造年份", "建房年份", "建成年代", "建造年代"),
        width=8,
    ),
    Field("floors", "层数", Kind.INTEGER, minimum=1, maximum=10, aliases=("房屋层数",), width=5),
    Field(
        "floor_area",
        "建筑面积（㎡）",
        Kind.DECIMAL,
        minimum=0,
        min_exclusive=True,
        aliases=("建筑面积", "面积", "建筑面积（平方米）", "建筑面积(m2)", "建筑面积（m²）"),
        width=10,
    ),
    Field(
        "check_method",
        "排查方式",
        Kind.CHOICE,
        choices=CHECK_METHODS,
        aliases=("排查途径",),
        width=12,
    ),
    Field(
        "check_date",
        "排查日期",
        Kind.DATE,
        required=True,
        not_future=True,
        aliases=("排查时间",),
        width=11,
    ),
    Field(
        "checker",
        "排查人",
        Kind.TEXT,
        required=True,
        max_length=20,
        aliases=("排查人员", "排查责任人"),
        width=8,
        is_name=True,
    ),
    Field(
        "safety_grade",
        "安全等级",
        Kind.CHOICE,
        required=True,
        choices=GRADES,
        aliases=("房屋安全等级", "鉴定等级", "危险等级", "等级", "安全性等级"),
        width=8,
    ),
    Field(
        "in_renovation",
        "是否纳入改造",
        Kind.YES_NO,
        required=True,
        aliases=("纳入改造", "是否纳入危房改造"),
        width=8,
    ),
    Field(
        "renovation_method",
        "改造方式",
        Kind.CHOICE,
        required=True,
        choices=RENOVATION_METHODS,
        applies_when=_in_renovation,
        applies_text="是否纳入改造为“是”",
        width=10,
    ),
    Field(
        "renovation_progress",
        "改造进度",
        Kind.CHOICE,
        required=True,
        choices=PROGRESS,
        applies_when=_in_renovation,
        applies_text="是否纳入改造为“是”",
        aliases=("进度",),
        width=8,
    ),
    Field(
        "subsidy_amount",
        "补助金额（元）",
        Kind.MONEY,
        minimum=0,
        aliases=("补助金额", "补助资金", "补助资金（元）"),
        width=12,
    ),
    Field(
        "completion_date",
        "竣工日期",
        Kind.DATE,
        not_future=True,
        applies_when=_in_renovation,
        applies_text="是否纳入改造为“是”",
        aliases=("竣工时间",),
        width=11,
    ),
    Field("closed", "是否销号", Kind.YES_NO, aliases=("销号",), width=8),
    Field(
        "closed_date",
        "销号日期",
        Kind.DATE,
        required=True,
        not_future=True,
        applies_when=_closed,
        applies_text="是否销号为“是”",
        aliases=("销号时间",),
        width=11,
    ),
    Field("remarks", "备注", Kind.TEXT, max_length=200, width=16),
)


def _dangerous_not_renovated(v: Values) -> str | None:
    if v.get("safety_grade") in DANGEROUS_GRADES and v.get("in_renovation") is False:
        return f"是否纳入改造：{v['safety_grade']}房屋未纳入改造，已标记待核实"
    return None


def _completion_required(v: Values) -> str | None:
    if v.get("renovation_progress") in FINISHED and v.get("completion_date") is None:
        return f"竣工日期：改造进度为“{v['renovation_progress']}”时必须填写竣工日期"
    return None


def _completion_after_check(v: Values) -> str | None:
    done, checked = v.get("completion_date"), v.get("check_date")
    if done and checked and done < checked:
        return f"竣工日期：不能早于排查日期（{done:%Y-%m-%d} 早于 {checked:%Y-%m-%d}）"
    return None


def _closing_allowed(v: Values) -> str | None:
    if v.get("closed") is not True:
        return None
    grade, progress = v.get("safety_grade"), v.get("renovation_progress")
    if grade in ("A级", "B级") or progress == "已验收":
        return None
    return (
        f"是否销号：只有A级、B级房屋或改造进度为“已验收”的才能销号"
        f"（现为{grade or '未定级'}，改造进度{progress or '未填'}）"
    )


def _closed_after_check(v: Values) -> str | None:
    closed_on, checked = v.get("closed_date"), v.get("check_date")
    if closed_on and checked and closed_on < checked:
        return f"销号日期：不能早于排查日期（{closed_on:%Y-%m-%d} 早于 {checked:%Y-%m-%d}）"
    return None


RULES = (
    *PLACE_RULES,
    Rule(
        "dangerous_not_renovated",
        ("in_renovation", "safety_grade"),
        _dangerous_not_renovated,
        Level.WARNING,
    ),
    Rule("completion_required", ("completion_date", "renovation_progress"), _completion_required),
    Rule("completion_after_check", ("completion_date", "check_date"), _completion_after_check),
    Rule("closing_allowed", ("closed", "safety_grade", "renovation_progress"), _closing_allowed),
    Rule("closed_after_check", ("closed_date", "check_date"), _closed_after_check),
)


def example() -> dict[str, Any]:
    """A renovated C-grade house of a poverty-alleviated household, as a clerk enters it."""
    return {
        **EXAMPLE_PLACE,
        "head_name": "张秀英",
        "id_number": resident_id.make("410622", dt.date(1956, 3, 8), 31),
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


def sample(make: SampleMaker, index: int) -> dict[str, Any]:
    """One check with the grade mix of a real township; a few C/D houses stay flagged."""
    r = make.random
    born = dt.date(r.randrange(1935, 1990), r.randrange(1, 13), r.randrange(1, 29))
    check_date = make.date_within(700)
    grade = r.choices(GRADES, weights=(55, 30, 10, 5))[0]
    dangerous = grade in DANGEROUS_GRADES
    renovating = dangerous and r.random() > 0.03  # a few are flagged
    values: dict[str, Any] = {
        **make.place(),
        "head_name": make.name(),
        "id_number": make.id_number(born),
        "phone": make.phone(),
        "household_size": r.randrange(1, 7),
        "household_category": r.choice(HOUSEHOLD_CATEGORIES),
        "address": None,
        "structure": r.choice(STRUCTURES),
        "built_year": r.randrange(1960, 2015),
        "floors": r.choice((1, 1, 1, 2)),
        "floor_area": Decimal(r.randrange(4000, 20000)) / 100,
        "check_method": r.choice(CHECK_METHODS),
        "check_date": check_date,
        "checker": make.name(),
        "safety_grade": grade,
        "in_renovation": renovating,
        "closed": False,
    }
    values["address"] = f"{values['village']}{r.randrange(1, 300)}号"
    if renovating:
        progress = r.choice(PROGRESS)
        values.update(
            renovation_method=r.choice(RENOVATION_METHODS),
            renovation_progress=progress,
            subsidy_amount=make.money(5000, 40000),
        )
        if progress in FINISHED:
            done = min(check_date + dt.timedelta(days=r.randrange(30, 200)), make.today)
            values["completion_date"] = done
            if progress == "已验收" and r.random() < 0.6:
                values.update(closed=True, closed_date=done)
    elif not dangerous and r.random() < 0.3:
        values.update(closed=True, closed_date=check_date)
    return values


PRINT_FORMS = PrintForms(
    roster=(
        "village",
        "head_name",
        "id_number",
        Column("household_size", 5),
        Column("household_category", 18),
        Column("structure", 6),
        Column("safety_grade", 6),
        "check_date",
        Column("in_renovation", 6, "纳入改造"),
        Column("renovation_method", 10),
        Column("renovation_progress", 8),
        "subsidy_amount",
        Column("closed", 6, "销号"),
        Column("remarks", 12),
    ),
    notice=(
        "village",
        "head_name",
        Column("household_size", 5),
        Column("household_category", 18),
        Column("safety_grade", 6),
        Column("renovation_method", 10),
        Column("renovation_progress", 8),
        "subsidy_amount",
    ),
    notice_ids=IdPolicy.MASKED,
    notice_title="住房安全保障（危房改造）",
    register=Register(
        amount="subsidy_amount",
        item="renovation_method",
        item_header="补助项目",
        title="住房安全补助资金发放登记表",
    ),
)

# 一户一档: what a renovated household's archive holds (the county template's kinds).
ATTACHMENTS = AttachmentRules(
    kinds=(
        AttachmentKind("改造前", ("改造前照片", "施工前"), photo=True),
        AttachmentKind("改造中", ("改造中照片", "施工中"), photo=True),
        AttachmentKind("改造后", ("改造后照片", "竣工照片", "竣工后"), photo=True),
        AttachmentKind("鉴定表", ("鉴定报告", "房屋安全鉴定", "鉴定")),
        AttachmentKind("验收表", ("验收单", "竣工验收")),
        AttachmentKind("申请书", ("申请",)),
        AttachmentKind("住房情况调查登记表", ("调查登记表", "调查表")),
        AttachmentKind("审批意见表", ("审批表", "审批")),
        AttachmentKind("证明材料", ("户口簿", "低保证", "特困证", "残疾证")),
        AttachmentKind("资金发放凭证", ("发放凭证", "银行回单", "一卡通")),
        AttachmentKind("其他"),
    ),
    evidence=(
        Evidence(
            "finished_after_photo",
            "改造后",
            "已竣工缺改造后照片",
            (Condition("renovation_progress", Op.IN, tuple(sorted(FINISHED))),),
        ),
        Evidence(
            "dangerous_appraisal",
            "鉴定表",
            "C/D级缺鉴定表",
            (Condition("safety_grade", Op.IN, tuple(sorted(DANGEROUS_GRADES))),),
        ),
        Evidence(
            "accepted_form",
            "验收表",
            "已验收缺验收表",
            (Condition("renovation_progress", Op.IN, ("已验收",)),),
        ),
    ),
)

LEDGER = Ledger(
    key="housing",
    title="住房安全动态监测台账",
    nav_title="住房安全",
    table_name="housing_checks",
    fields=FIELDS,
    rules=RULES,
    natural_key=("id_number", "check_date"),
    main_date="check_date",
    name_field="head_name",
    key_columns=("head_name", "id_number"),
    print_forms=PRINT_FORMS,
    attachments=ATTACHMENTS,
    search_fields=("head_name", "id_number"),
    status_fields=("safety_grade", "renovation_progress"),
    measures=(
        Measure("households", "排查户数", Aggregate.COUNT_DISTINCT, "id_number"),
        Measure("checks", "排查次数", Aggregate.COUNT),
        *(
            Measure(
                f"grade_{g[0]}",
                f"{g}户数",
                Aggregate.COUNT,
                conditions=(Condition("safety_grade", Op.IN, (g,)),),
            )
            for g in GRADES
        ),
        Measure(
            "renovating",
            "纳入改造",
            Aggregate.COUNT,
            conditions=(Condition("in_renovation", Op.IS, True),),
        ),
        Measure(
            "renovated",
            "改造竣工",
            Aggregate.COUNT,
            conditions=(Condition("renovation_progress", Op.IN, tuple(FINISHED)),),
        ),
        Measure(
            "subsidy",
            "补助资金（万元）",
            Aggregate.SUM,
            "subsidy_amount",
            divisor=10000,
            decimals=2,
        ),
    ),
    watches=(
        Watch(
            "dangerous_not_renovated",
            "C/D级未纳入改造",
            (
                Condition("safety_grade", Op.IN, tuple(sorted(DANGEROUS_GRADES))),
                Condition("in_renovation", Op.IS, False),
            ),
        ),
        Watch(
            "finished_not_closed",
            "已竣工未销号",
            (
                Condition("renovation_progress", Op.IN, tuple(sorted(FINISHED))),
                Condition("closed", Op.NOT_TRUE),
            ),
        ),
    ),
    verify_fields=("id_number", "subsidy_amount"),
    order=1,
    example=example,
    sample=sample,
)
