"""Realistic sample data for trying the program and for measuring it.

Values are drawn like a township's real ledgers: valid ID numbers of Hebi's
counties, real townships, plausible dates and amounts, and a small share of
records that trip a soft check (a C/D house not taken into renovation, a
student far older than the stage). Every row still passes through the
validator, so sample data can never be something the form would refuse.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.ledgers import education, housing, water
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.validation import Checked
from hebi_desktop.services.book import Book
from hebi_desktop.services.errors import ValidationFailed
from hebi_desktop.services.records import RecordService

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段"
)
GIVEN = (
    "建国红梅秀英桂兰志强海燕丽娟玉兰春花文华明亮振华淑珍俊杰子涵欣怡浩然梓萱雨泽思远"
    "佳怡宇航一诺梦琪博文"
)
VILLAGE_PATTERNS = (
    "{s}庄村",
    "{s}家营村",
    "东{s}村",
    "西{s}村",
    "前{s}村",
    "后{s}村",
    "{s}屯村",
    "大{s}庄村",
)
ID_AREAS = ("410602", "410603", "410611", "410621", "410622")
SCHOOLS = (
    "镇中心小学",
    "第一初级中学",
    "县第一高级中学",
    "县职业教育中心",
    "鹤壁职业技术学院",
    "河南理工大学",
    "镇中心幼儿园",
    "郑州大学",
)
STAGE_SCHOOL = {
    "学前教育": ("镇中心幼儿园", 4, "学前教育资助"),
    "小学": ("镇中心小学", 9, "义务教育生活补助"),
    "初中": ("第一初级中学", 13, "义务教育生活补助"),
    "普通高中": ("县第一高级中学", 16, "普通高中国家助学金"),
    "中职": ("县职业教育中心", 16, "中职国家助学金"),
    "高职（专科）": ("鹤壁职业技术学院", 19, "高校国家助学金"),
    "本科": ("河南理工大学", 20, "高校国家助学金"),
    "研究生": ("郑州大学", 24, "高校国家助学金"),
}


class SampleMaker:
    def __init__(self, seed: int, today: dt.date | None = None) -> None:
        self.random = random.Random(seed)
        self.today = today or dt.date.today()
        self.townships = divisions().townships
        self._serial = 0

    def name(self) -> str:
        r = self.random
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))

    def place(self) -> dict[str, Any]:
        township = self.random.choice(self.townships)
        village = self.random.choice(VILLAGE_PATTERNS).format(s=self.random.choice(SURNAMES[:30]))
        return {
            "county_code": township.parent_code,
            "township_code": township.code,
            "village": village,
        }

    def id_number(self, born: dt.date) -> str:
        self._serial += 1
        return resident_id.make(self.random.choice(ID_AREAS), born, self._serial)

    def date_within(self, days: int, before: dt.date | None = None) -> dt.date:
        end = before or self.today
        return end - dt.timedelta(days=self.random.randrange(days))

    def phone(self) -> str | None:
        if self.random.random() < 0.2:
            return None
        return f"1{self.random.choice('3578')}{self.random.randrange(10**9):09d}"

    def money(self, low: int, high: int) -> Decimal:
        return Decimal(self.random.randrange(low * 100, high * 100, 50)) / 100

    def housing(self) -> dict[str, Any]:
        r = self.random
        born = dt.date(r.randrange(1935, 1990), r.randrange(1, 13), r.randrange(1, 29))
        check_date = self.date_within(700)
        grade = r.choices(housing.GRADES, weights=(55, 30, 10, 5))[0]
        dangerous = grade in housing.DANGEROUS_GRADES
        renovating = dangerous and r.random() > 0.03  # a few are flagged
        values: dict[str, Any] = {
            **self.place(),
            "head_name": self.name(),
            "id_number": self.id_number(born),
            "phone": self.phone(),
            "household_size": r.randrange(1, 7),
            "household_category": r.choice(housing.HOUSEHOLD_CATEGORIES),
            "address": None,
            "structure": r.choice(housing.STRUCTURES),
            "built_year": r.randrange(1960, 2015),
            "floors": r.choice((1, 1, 1, 2)),
            "floor_area": Decimal(r.randrange(4000, 20000)) / 100,
            "check_method": r.choice(housing.CHECK_METHODS),
            "check_date": check_date,
            "checker": self.name(),
            "safety_grade": grade,
            "in_renovation": renovating,
            "closed": False,
        }
        values["address"] = f"{values['village']}{r.randrange(1, 300)}号"
        if renovating:
            progress = r.choice(housing.PROGRESS)
            values.update(
                renovation_method=r.choice(housing.RENOVATION_METHODS),
                renovation_progress=progress,
                subsidy_amount=self.money(5000, 40000),
            )
            if progress in housing.FINISHED:
                done = min(check_date + dt.timedelta(days=r.randrange(30, 200)), self.today)
                values["completion_date"] = done
                if progress == "已验收" and r.random() < 0.6:
                    values.update(closed=True, closed_date=done)
        elif not dangerous and r.random() < 0.3:
            values.update(closed=True, closed_date=check_date)
        return values

    def water(self, index: int) -> dict[str, Any]:
        r = self.random
        place = self.place()
        report = self.date_within(700)
        progress = r.choices(water.PROGRESS, weights=(10, 15, 35, 40))[0]
        values: dict[str, Any] = {
            **place,
            "project_name": f"{place['village'][:-1]}第{index % 7 + 1}供水站",
            "project_type": r.choice(water.PROJECT_TYPES),
            "repair_item": r.choice(water.REPAIR_ITEMS),
            "problem": r.choice(
                (
                    "管道破裂漏水",
                    "水泵电机烧毁",
                    "消毒设备故障",
                    "水表损坏",
                    "蓄水池渗漏",
                    "控制柜进水",
                )
            ),
            "report_date": report,
            "repair_type": r.choice(water.REPAIR_TYPES),
            "beneficiaries": r.randrange(50, 5000),
            "investment": self.money(500, 50000),
            "fund_source": r.choice(water.FUND_SOURCES),
            "contractor": "鹤壁市水利工程有限公司",
            "progress": progress,
            "caretaker": self.name(),
            "caretaker_phone": self.phone(),
        }
        if progress != "待维修":
            values["start_date"] = min(report + dt.timedelta(days=r.randrange(0, 10)), self.today)
        if progress in water.FINISHED:
            values["finish_date"] = min(
                values["start_date"] + dt.timedelta(days=r.randrange(0, 30)), self.today
            )
        if progress == "已验收":
            values["acceptance_date"] = values["finish_date"]
            values["acceptor"] = self.name()
        return values

    def education(self) -> dict[str, Any]:
        r = self.random
        stage = r.choice(education.STAGES)
        school, age, project = STAGE_SCHOOL[stage]
        first_year = self.today.year - 1 - r.randrange(0, 2)
        age += r.randrange(0, 3)
        if r.random() < 0.01:
            age += 20  # flagged: far older than the stage
        born = dt.date(first_year - age, r.randrange(1, 13), r.randrange(1, 29))
        semester = r.choice(education.SEMESTERS)
        paid = dt.date(
            first_year + (1 if semester == "春季学期" else 0),
            4 if semester == "春季学期" else 11,
            r.randrange(1, 28),
        )
        return {
            **self.place(),
            "student_name": self.name(),
            "id_number": self.id_number(born),
            "school": school,
            "stage": stage,
            "grade": None,
            "family_category": r.choice(education.FAMILY_CATEGORIES),
            "guardian_name": self.name(),
            "guardian_phone": self.phone(),
            "aid_project": project,
            "school_year": f"{first_year}-{first_year + 1}",
            "semester": semester,
            "amount": Decimal(r.choice((500, 625, 750, 1000, 1250, 1500))),
            "paid_date": min(paid, self.today),
        }

    def rows(self, ledger: Ledger, count: int) -> Iterator[dict[str, Any]]:
        """``count`` rows with distinct natural keys."""
        seen: set[tuple[Any, ...]] = set()
        index = 0
        while len(seen) < count:
            index += 1
            if ledger.key == "housing":
                values = self.housing()
            elif ledger.key == "water":
                values = self.water(index)
            else:
                values = self.education()
            key = tuple(values.get(name) for name in ledger.natural_key)
            if key not in seen:
                seen.add(key)
                yield values


DEMO_LEDGERS = ("housing", "water", "education")
DEMO_BATCH = 10_000


def fill_demo(
    book: Book,
    rows: int,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
    ledgers: tuple[str, ...] = DEMO_LEDGERS,
) -> dict[str, int]:
    """Add ``rows`` sample records to each of ``ledgers``, one transaction per ledger."""
    maker = SampleMaker(seed)
    added: dict[str, int] = {}
    operator = book.operator
    for key in ledgers:
        ledger = get_ledger(key)
        service = book.records(ledger)
        # Written in batches as they are made (memory stays flat at a million rows), in one
        # transaction per ledger; a rerun with the same seed repeats natural keys: skipped.
        with book.writing() as connection:
            now = dt.datetime.now()
            stored = _stored_keys(connection, service) if service.count() else set()
            batch: list[Checked] = []
            count = 0
            for index, values in enumerate(maker.rows(ledger, rows), start=1):
                checked = service.check(values)
                if not checked.ok:
                    raise ValidationFailed(checked.errors, row=index)
                if stored and _key(ledger, checked.values) in stored:
                    continue
                batch.append(checked)
                if len(batch) >= DEMO_BATCH:
                    count += len(service.insert_checked(connection, batch, operator, now, "create"))
                    batch = []
                if progress is not None and index % 10000 == 0:
                    progress(key, index, rows)
            count += len(service.insert_checked(connection, batch, operator, now, "create"))
            added[key] = count
    return added


def _key(ledger: Ledger, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(name) for name in ledger.natural_key)


def _stored_keys(connection: Connection, service: RecordService) -> set[tuple[Any, ...]]:
    """The natural keys of the live records (one query instead of one per new row)."""
    table = service.table
    columns = [table.c[name] for name in service.ledger.natural_key]
    statement = select(*columns).where(table.c.deleted_at.is_(None))
    return {tuple(row) for row in connection.execute(statement)}
