"""教育资助台账 — education-subsidy recipients and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.attachments import AttachmentKind, AttachmentRules
from hebi_desktop.domain.fields import Field, Kind, Ledger, Level, Rule, Values
from hebi_desktop.domain.place import PLACE_FIELDS, PLACE_RULES
from hebi_desktop.domain.printing import Column, IdPolicy, PrintForms, Register
from hebi_desktop.domain.queries import Aggregate, Measure
from hebi_desktop.domain.samples import EXAMPLE_PLACE, SampleMaker

STAGES = ("学前教育", "小学", "初中", "普通高中", "中职", "高职（专科）", "本科", "研究生")
FAMILY_CATEGORIES = (
    "脱贫户",
    "防止返贫监测对象",
    "农村低保户",
    "农村特困供养",
    "孤儿",
    "事实无人抚养儿童",
    "残疾学生",
    "其他",
)
AID_PROJECTS = (
    "学前教育资助",
    "义务教育生活补助",
    "普通高中国家助学金",
    "普通高中免学杂费",
    "中职国家助学金",
    "中职免学费",
    "雨露计划",
    "生源地信用助学贷款",
    "高校国家助学金",
    "其他",
)
SEMESTERS = ("春季学期", "秋季学期", "全学年")

# Typical ages at the start of a school year; outside these a record is flagged, not refused
# (late starters, repeated years and adult learners exist).
STAGE_AGES: dict[str, tuple[int, int]] = {
    "学前教育": (2, 7),
    "小学": (5, 15),
    "初中": (10, 18),
    "普通高中": (13, 21),
    "中职": (13, 25),
    "高职（专科）": (15, 30),
    "本科": (15, 35),
    "研究生": (19, 50),
}

# Aid projects that belong to particular stages; any other pairing is flagged.
PROJECT_STAGES: dict[str, frozenset[str]] = {
    "学前教育资助": frozenset({"学前教育"}),
    "义务教育生活补助": frozenset({"小学", "初中"}),
    "普通高中国家助学金": frozenset({"普通高中"}),
    "普通高中免学杂费": frozenset({"普通高中"}),
    "中职国家助学金": frozenset({"中职"}),
    "中职免学费": frozenset({"中职"}),
    "高校国家助学金": frozenset({"高职（专科）", "本科", "研究生"}),
}


def _gender(values: Values) -> str | None:
    number = values.get("id_number")
    return resident_id.gender(number) if number else None


def _birth_date(values: Values) -> dt.date | None:
    number = values.get("id_number")
    return resident_id.birth_date(number) if number else None


FIELDS = (
    *PLACE_FIELDS,
    Field(
        "student_name",
        "学生姓名",
        Kind.TEXT,
        required=True,
        max_length=20,
        aliases=("姓名", "学生", "受助学生姓名", "受助学生"),
        width=8,
        is_name=True,
    ),
    Field(
        "id_number",
        "身份证号",
        Kind.ID_NUMBER,
        required=True,
        aliases=("身份证号码", "公民身份号码", "学生身份证号", "学生身份证号码", "身份证"),
        width=20,
    ),
    Field("gender", "性别", Kind.TEXT, derive=_gender, width=5),
    Field("birth_date", "出生日期", Kind.DATE, derive=_birth_date, width=11),
    Field(
        "school",
        "就读学校",
        Kind.TEXT,
        required=True,
        max_length=60,
        aliases=("学校", "学校名称", "就读学校名称", "所在学校"),
        width=18,
    ),
    Field(
        "stage",
        "学段",
        Kind.CHOICE,
        required=True,
        choices=STAGES,
        aliases=("就读学段", "学习阶段", "教育阶段"),
        width=10,
    ),
    Field("grade", "年级", Kind.TEXT, max_length=20, aliases=("就读年级", "班级"), width=8),
    Field(
        "family_category",
        "家庭类别",
        Kind.CHOICE,
        choices=FAMILY_CATEGORIES,
        aliases=("家庭困难类别", "资助对象类别", "困难类型", "学生类别"),
        width=14,
    ),
    Field(
        "guardian_name",
        "监护人姓名",
        Kind.TEXT,
        max_length=20,
        aliases=("监护人", "家长姓名"),
        width=8,
        is_name=True,
    ),
    Field(
        "guardian_phone",
        "联系电话",
        Kind.PHONE,
        aliases=("联系方式", "监护人电话", "家长电话", "电话"),
        width=13,
    ),
    Field(
        "aid_project",
        "资助项目",
        Kind.CHOICE,
        required=True,
        choices=AID_PROJECTS,
        aliases=("资助类型", "资助项目名称", "资助类别"),
        width=16,
    ),
    Field(
        "school_year",
        "学年",
        Kind.SCHOOL_YEAR,
        required=True,
        aliases=("资助学年",),
        width=10,
        placeholder="2024-2025",
    ),
    Field(
        "semester",
        "学期",
        Kind.CHOICE,
        required=True,
        choices=SEMESTERS,
        aliases=("资助学期",),
        width=8,
    ),
    Field(
        "amount",
        "资助金额（元）",
        Kind.MONEY,
        required=True,
        minimum=0,
        min_exclusive=True,
        aliases=("资助金额", "金额", "发放金额", "资助金额(元)", "补助金额"),
        width=12,
    ),
    Field("paid_date", "发放日期", Kind.DATE, not_future=True, aliases=("发放时间",), width=11),
    Field("remarks", "备注", Kind.TEXT, max_length=200, width=16),
)


def _age_fits_stage(v: Values) -> str | None:
    number, stage, year = v.get("id_number"), v.get("stage"), v.get("school_year")
    if not (number and stage and year):
        return None
    start = dt.date(int(year[:4]), 9, 1)
    age = resident_id.age_on(number, start)
    low, high = STAGE_AGES[stage]
    if age is None or low <= age <= high:
        return None
    return f"学段：学生在{year}学年初为{age}岁，与“{stage}”（通常{low}–{high}岁）相差较大，请核实"


def _project_fits_stage(v: Values) -> str | None:
    project, stage = v.get("aid_project"), v.get("stage")
    allowed = PROJECT_STAGES.get(project or "")
    if allowed is None or stage is None or stage in allowed:
        return None
    return f"资助项目：“{project}”通常不发给“{stage}”学生，请核实"


RULES = (
    *PLACE_RULES,
    Rule("age_fits_stage", ("stage", "id_number", "school_year"), _age_fits_stage, Level.WARNING),
    Rule("project_fits_stage", ("aid_project", "stage"), _project_fits_stage, Level.WARNING),
)


def example() -> dict[str, Any]:
    """A middle-school pupil's living allowance for one term, as a clerk enters it."""
    return {
        **EXAMPLE_PLACE,
        "student_name": "刘子涵",
        "id_number": resident_id.make("410621", dt.date(2012, 9, 15), 42),
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


# For sample records: each stage's school, typical age at enrolment and usual aid project.
SAMPLE_STAGES: dict[str, tuple[str, int, str]] = {
    "学前教育": ("镇中心幼儿园", 4, "学前教育资助"),
    "小学": ("镇中心小学", 9, "义务教育生活补助"),
    "初中": ("第一初级中学", 13, "义务教育生活补助"),
    "普通高中": ("县第一高级中学", 16, "普通高中国家助学金"),
    "中职": ("县职业教育中心", 16, "中职国家助学金"),
    "高职（专科）": ("鹤壁职业技术学院", 19, "高校国家助学金"),
    "本科": ("河南理工大学", 20, "高校国家助学金"),
    "研究生": ("郑州大学", 24, "高校国家助学金"),
}


def sample(make: SampleMaker, index: int) -> dict[str, Any]:
    """One payment to a student of a drawn stage; about 1 in 100 is far older (flagged)."""
    r = make.random
    stage = r.choice(STAGES)
    school, age, project = SAMPLE_STAGES[stage]
    first_year = make.today.year - 1 - r.randrange(0, 2)
    age += r.randrange(0, 3)
    if r.random() < 0.01:
        age += 20  # flagged: far older than the stage
    born = dt.date(first_year - age, r.randrange(1, 13), r.randrange(1, 29))
    semester = r.choice(SEMESTERS)
    paid = dt.date(
        first_year + (1 if semester == "春季学期" else 0),
        4 if semester == "春季学期" else 11,
        r.randrange(1, 28),
    )
    return {
        **make.place(),
        "student_name": make.name(),
        "id_number": make.id_number(born),
        "school": school,
        "stage": stage,
        "grade": None,
        "family_category": r.choice(FAMILY_CATEGORIES),
        "guardian_name": make.name(),
        "guardian_phone": make.phone(),
        "aid_project": project,
        "school_year": f"{first_year}-{first_year + 1}",
        "semester": semester,
        "amount": Decimal(r.choice((500, 625, 750, 1000, 1250, 1500))),
        "paid_date": min(paid, make.today),
    }


# The Ministry of Education forbids ID numbers, addresses, phone numbers, birth dates and
# bank cards on posted subsidy lists; name, school and grade may be shown.
PRINT_FORMS = PrintForms(
    roster=(
        "village",
        "student_name",
        "id_number",
        Column("school", 16),
        Column("stage", 8),
        Column("grade", 6),
        Column("family_category", 12),
        Column("aid_project", 14),
        "school_year",
        Column("semester", 8),
        "amount",
        "paid_date",
        Column("remarks", 10),
    ),
    notice=(
        "village",
        "student_name",
        Column("school", 18),
        Column("stage", 8),
        Column("grade", 6),
        Column("aid_project", 16),
        "school_year",
        Column("semester", 8),
        "amount",
    ),
    notice_ids=IdPolicy.OMITTED,
    notice_title="教育资助",
    count_unit="人次",
    register=Register(
        amount="amount",
        item="aid_project",
        title="教育资助资金发放登记表",
        recipient_header="学生姓名",
        extra=(Column("school", 16), Column("semester", 8), Column("guardian_name", 8, "监护人")),
    ),
)

# The family's eligibility certificate and the signed payment register. No evidence rule:
# which certificate a subsidy needs is decided by the school, not visible in the record.
ATTACHMENTS = AttachmentRules(
    kinds=(
        AttachmentKind("证明材料", ("证明", "低保证", "特困证", "残疾证", "建档立卡")),
        AttachmentKind("签领表", ("发放签领表", "签领", "发放表")),
        AttachmentKind("其他"),
    ),
)

LEDGER = Ledger(
    key="education",
    title="教育资助台账",
    nav_title="教育资助",
    table_name="education_subsidies",
    fields=FIELDS,
    rules=RULES,
    natural_key=("id_number", "aid_project", "school_year", "semester"),
    main_date="paid_date",
    name_field="student_name",
    key_columns=("student_name", "id_number"),
    print_forms=PRINT_FORMS,
    attachments=ATTACHMENTS,
    search_fields=("student_name", "id_number"),
    status_fields=("stage", "aid_project"),
    measures=(
        Measure("person_times", "资助人次", Aggregate.COUNT),
        Measure("students", "资助学生（人）", Aggregate.COUNT_DISTINCT, "id_number"),
        Measure("amount", "资助金额（万元）", Aggregate.SUM, "amount", divisor=10000, decimals=2),
    ),
    breakdown="stage",
    verify_fields=("id_number", "amount"),
    order=3,
    example=example,
    sample=sample,
)
