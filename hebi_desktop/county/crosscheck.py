"""核查: the checks audits make by joining the townships' ledgers on ID numbers.

One record at a time every rule can pass while the whole county is wrong: a household
in two townships' housing ledgers, a student paid the same subsidy for the same term by
two townships, one ID number written with two different names. These checks run over
all live records of the desk (the whole county on a county desk, the township's own data
on a township desk), each as one grouped query. Unknown village names are reported as a
hint with the nearest known village, never as an error (villages merge and rename).

The sex shown in the ledgers is derived from the ID number, so one ID cannot show two
sexes; a name differing between records of one ID is what is compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, union_all

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.record_ref import RecordRef
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.domain.villages import known_villages
from hebi_desktop.storage.models import record_model

if TYPE_CHECKING:
    from sqlalchemy import Table

    from hebi_desktop.services.book import Book

MAX_REFS = 50  # records linked per finding (a mistyped village may cover hundreds)


class Kind(StrEnum):
    HOUSEHOLD_IN_TWO_TOWNSHIPS = "household_in_two_townships"
    PAID_TWICE = "paid_twice"
    NAME_MISMATCH = "name_mismatch"
    UNKNOWN_VILLAGE = "unknown_village"


KIND_LABELS = {
    Kind.HOUSEHOLD_IN_TWO_TOWNSHIPS: "同一户出现在两个乡镇的住房安全台账",
    Kind.PAID_TWICE: "同一学生同一资助项目同一学期重复发放",
    Kind.NAME_MISMATCH: "同一身份证号姓名不一致",
    Kind.UNKNOWN_VILLAGE: "行政村名称不在本乡镇村名单中",
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    message: str  # Chinese, names townships and villages, masks the ID number
    records: tuple[RecordRef, ...]
    hint: bool = False  # a hint (unknown village), not a likely double payment

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def masked(number: str | None) -> str:
    """410622********1234: enough to find the record, not enough to copy the ID."""
    if not number:
        return ""
    return number[:6] + "*" * max(len(number) - 10, 0) + number[-4:]


def _live(table: Table) -> Any:
    return table.c.deleted_at.is_(None)


def _refs(connection: Connection, ledger_key: str, clause: Any) -> tuple[RecordRef, ...]:
    ledger = get_ledger(ledger_key)
    table = record_model(ledger).__table__
    has_id = "id_number" in ledger.by_name
    columns = [
        table.c.id,
        table.c.township_code,
        table.c.village,
        table.c[ledger.name_field],
        table.c.id_number if has_id else table.c.id,
    ]
    rows = connection.execute(
        select(*columns).where(_live(table), clause).order_by(table.c.id).limit(MAX_REFS)
    ).all()
    return tuple(
        RecordRef(ledger.key, rid, township, village or "", name or "", number if has_id else None)
        for rid, township, village, name, number in rows
    )


def _townships_text(refs: Iterable[RecordRef]) -> str:
    return "、".join(dict.fromkeys(r.township_name for r in refs))


def households_in_two_townships(connection: Connection) -> list[Finding]:
    table = record_model(get_ledger("housing")).__table__
    numbers = connection.scalars(
        select(table.c.id_number)
        .where(_live(table))
        .group_by(table.c.id_number)
        .having(func.count(func.distinct(table.c.township_code)) > 1)
        .order_by(table.c.id_number)
    ).all()
    findings = []
    for number in numbers:
        refs = _refs(connection, "housing", table.c.id_number == number)
        findings.append(
            Finding(
                Kind.HOUSEHOLD_IN_TWO_TOWNSHIPS,
                f"身份证号{masked(number)}的户在{_townships_text(refs)}的住房安全台账中都有记录",
                refs,
            )
        )
    return findings


def paid_twice(connection: Connection) -> list[Finding]:
    ledger = get_ledger("education")
    table = record_model(ledger).__table__
    keys = ("id_number", "aid_project", "school_year", "semester")
    groups = connection.execute(
        select(*(table.c[k] for k in keys))
        .where(_live(table))
        .group_by(*(table.c[k] for k in keys))
        .having(func.count() > 1)
        .order_by(*(table.c[k] for k in keys))
    ).all()
    findings = []
    for number, project, year, semester in groups:
        clause = (
            (table.c.id_number == number)
            & (table.c.aid_project == project)
            & (table.c.school_year == year)
            & (table.c.semester == semester)
        )
        refs = _refs(connection, "education", clause)
        findings.append(
            Finding(
                Kind.PAID_TWICE,
                f"身份证号{masked(number)}的学生{year}学年{semester}的“{project}”"
                f"发放了{len(refs)}次（{_townships_text(refs)}）",
                refs,
            )
        )
    return findings


def name_mismatches(connection: Connection) -> list[Finding]:
    parts = []
    for ledger in all_ledgers():
        if "id_number" not in ledger.by_name:
            continue
        table = record_model(ledger).__table__
        parts.append(
            select(
                table.c.id_number.label("id_number"),
                func.trim(table.c[ledger.name_field]).label("name"),
            ).where(_live(table), table.c.id_number.is_not(None))
        )
    if not parts:
        return []
    names = union_all(*parts).subquery()
    numbers = connection.scalars(
        select(names.c.id_number)
        .group_by(names.c.id_number)
        .having(func.count(func.distinct(names.c.name)) > 1)
        .order_by(names.c.id_number)
    ).all()
    findings = []
    for number in numbers:
        refs: tuple[RecordRef, ...] = ()
        for ledger in all_ledgers():
            if "id_number" in ledger.by_name:
                table = record_model(ledger).__table__
                refs += _refs(connection, ledger.key, table.c.id_number == number)
        spelled = "、".join(dict.fromkeys(f"“{r.name}”" for r in refs))
        findings.append(
            Finding(
                Kind.NAME_MISMATCH,
                f"身份证号{masked(number)}在不同记录中姓名不一致：{spelled}（{_townships_text(refs)}）",
                refs,
            )
        )
    return findings


def unknown_villages(connection: Connection) -> list[Finding]:
    villages = known_villages()
    table_names = divisions()
    findings = []
    for ledger in all_ledgers():
        table = record_model(ledger).__table__
        groups = connection.execute(
            select(table.c.township_code, table.c.village, func.count())
            .where(_live(table))
            .group_by(table.c.township_code, table.c.village)
            .order_by(table.c.township_code, table.c.village)
        ).all()
        for township, village, count in groups:
            if villages.is_known(township, village):
                continue
            suggestion = villages.suggest(township, village)
            advice = f"，是否应为“{suggestion}”？" if suggestion else "，请核实村名"
            refs = _refs(
                connection,
                ledger.key,
                (table.c.township_code == township) & (table.c.village == village),
            )
            findings.append(
                Finding(
                    Kind.UNKNOWN_VILLAGE,
                    f"{ledger.title}：{table_names.name(township)}没有名为“{village}”的行政村"
                    f"（{count}条记录）{advice}",
                    refs,
                    hint=True,
                )
            )
    return findings


CHECKS = (households_in_two_townships, paid_twice, name_mismatches, unknown_villages)


def cross_check(book: Book) -> list[Finding]:
    """Every finding of every check, in the order of :data:`CHECKS`."""
    findings: list[Finding] = []
    with book.reading() as connection:
        for check in CHECKS:
            findings.extend(check(connection))
    return findings


def write_findings(
    target: Any,
    findings: list[Finding],
    protected: dict[Any, str] | None = None,
    *,
    full_ids: bool = False,
) -> Any:
    """The 核查 workbook: one row per record of each finding.

    The workbook is sent back to townships, so an ID number is written in full only in a
    finding about that ID (the reader must compare it with the papers); beside a
    village-name hint it is masked, unless ``full_ids``.
    """
    from hebi_desktop.exchange.tables import TableSheet, write_tables

    rows = [
        (
            number,
            finding.label,
            finding.message,
            get_ledger(ref.ledger).title,
            ref.record_id,
            ref.township_name,
            ref.village,
            ref.name,
            ref.id_number if full_ids or not finding.hint else masked(ref.id_number),
        )
        for number, finding in enumerate(findings, start=1)
        for ref in finding.records
    ]
    sheet = TableSheet(
        "核查结果",
        "跨乡镇核查结果",
        ("序号", "类别", "说明", "台账", "记录编号", "乡镇", "行政村", "姓名", "身份证号"),
        rows,
    )
    return write_tables(target, [sheet], title="跨乡镇核查结果", protected=protected)
