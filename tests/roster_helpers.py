"""Roster sheets for tests: a civil-affairs roster with households, written as a clerk gets it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from hebi_desktop.domain import resident_id

HEADERS = (
    "序号",
    "户主姓名",
    "户主身份证号码",
    "成员姓名",
    "公民身份号码",
    "与户主关系",
    "保障状态",
)


def person_id(year: int, sequence: int, area: str = "410622") -> str:
    return resident_id.make(area, dt.date(year, 3, 8), sequence)


def write_roster(path: Path, rows: Sequence[Sequence[object]], title: str = "农村低保名单") -> Path:
    """A workbook with a title row, the headers, then ``rows`` (without 序号)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名单"
    sheet.append([title])
    sheet.append(list(HEADERS))
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    book.save(path)
    return path


def household(head_name: str, head_id: str, *members: tuple[str, str, str], status: str = "正常"):
    """Rows of one household: the head, then members whose 户主 cells are left blank."""
    rows: list[list[object]] = [[head_name, head_id, head_name, head_id, "户主", status]]
    for name, number, relation in members:
        rows.append([None, None, name, number, relation, "正常"])
    return rows
