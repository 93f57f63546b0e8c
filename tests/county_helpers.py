"""Township desks that export their ledgers, and a county desk that collects them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.villages import known_villages
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import (
    COUNTY,
    OPERATOR,
    SCOPE,
    SCOPE_COUNTY,
    TOWNSHIP,
    UNIT_NAME,
)
from tests import samples

QIXIAN = "410622"
BEIYANG, GAOCUN, XIGANG, MIAOKOU = "410622102", "410622101", "410622103", "410622104"
XUNXIAN, SHANTANG = "410621", "410621101"  # another county
# One household checked in two townships; one student paid twice for the same term.
SHARED_HOUSEHOLD = resident_id.make("410622", dt.date(1950, 1, 2), 901)
TWICE_PAID_STUDENT = resident_id.make("410622", dt.date(2012, 5, 6), 902)


def village(township: str, index: int = 0) -> str:
    names = known_villages().names(township)
    return names[index % len(names)]


def place(township: str, index: int = 0) -> dict[str, Any]:
    county = township[:6]
    return {"county_code": county, "township_code": township, "village": village(township, index)}


def housing_rows(township: str, count: int, serial: int) -> list[dict[str, Any]]:
    return [
        samples.housing(
            **place(township, i),
            id_number=resident_id.make("410622", dt.date(1950 + i % 30, 3, 8), serial + i),
            address=None,
        )
        for i in range(count)
    ]


def education_rows(township: str, count: int, serial: int) -> list[dict[str, Any]]:
    return [
        samples.education(
            **place(township, i),
            id_number=resident_id.make("410622", dt.date(2011, 9, 15), serial + i),
        )
        for i in range(count)
    ]


def water_rows(township: str, count: int) -> list[dict[str, Any]]:
    return [
        samples.water(
            **place(township, i),
            project_name=f"{village(township, i)}第{i + 1}供水站",
        )
        for i in range(count)
    ]


@contextmanager
def township_desk(folder: Path, township: str, operator: str = "乡镇填报员") -> Iterator[Book]:
    """A township's own database (one per township, as on their office computers)."""
    book = Book.open(folder / f"desk-{township}.sqlite")
    try:
        book.settings.set(OPERATOR, operator)
        book.settings.set(COUNTY, township[:6])
        book.settings.set(TOWNSHIP, township)
        book.settings.set(UNIT_NAME, f"{township}人民政府")
        yield book
    finally:
        book.close()


def fill(book: Book, ledger: str, rows: list[dict[str, Any]]) -> None:
    service = book.records(ledger)
    for values in rows:
        service.create(values)


def export_all(book: Book, target: Path, **options: Any) -> Path:
    request = ExportRequest(("housing", "water", "education"), **options)
    return export_workbook(book, request, target).path


@contextmanager
def county_desk(folder: Path, county: str = QIXIAN) -> Iterator[Book]:
    book = Book.open(folder / "county.sqlite")
    try:
        book.settings.set(OPERATOR, "县局汇总员")
        book.settings.set(COUNTY, county)
        book.settings.set(SCOPE, SCOPE_COUNTY)
        yield book
    finally:
        book.close()


def hand_made_water(target: Path, township_name: str, rows: list[dict[str, Any]]) -> Path:
    """A clerk's own layout: a title, headers in another order and wording, short names."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(["庙口镇农村供水工程维修情况统计表"])
    sheet.append(
        [
            "序号",
            "县市区",
            "乡镇名称",
            "村名",
            "工程名称",
            "工程类型",
            "维修内容",
            "存在问题",
            "报修日期",
            "维修类型",
            "受益人口",
            "投资",
            "资金来源",
            "维修进度",
        ]
    )
    for number, values in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                "淇县",
                township_name,
                values["village"],
                values["project_name"],
                values["project_type"],
                values["repair_item"],
                values["problem"],
                values["report_date"].strftime("%Y.%m.%d"),
                values["repair_type"],
                values["beneficiaries"],
                values["investment"],
                values["fund_source"],
                "待维修",
            ]
        )
    sheet.append(["合计"])
    workbook.save(target)
    return target


def counts_by_township(book: Book, ledger: str) -> dict[str, int]:
    service = book.records(ledger)
    from hebi_desktop.services.querying import RecordQuery

    return {
        code: service.count(RecordQuery(township_code=code))
        for code in (BEIYANG, GAOCUN, XIGANG, MIAOKOU)
        if service.count(RecordQuery(township_code=code))
    }
