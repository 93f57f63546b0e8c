"""Reports by township for a county desk: one row per township of the county, and which
townships have not yet sent their submission for a month (未报送).

Every township of the county gets a row, with zeros when nothing came from it: a
missing township must be visible, not silently absent. The figures are the ledger's
declared measures, from the same :class:`StatsService` queries ``stats`` uses, and the
total row is ``stats``' own headline for the county, so the summary and ``stats`` can
never disagree (a household in two townships counts once in the total, as in ``stats``).
Records of other counties (entered by hand, or collected before the desk's county was
changed) are left out of rows and total, and the summary says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from hebi_desktop.domain.divisions import Division, divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.errors import UserError
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.stats import Figure, FigureRow
from hebi_desktop.storage.models import ReceivedSubmission

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book


@dataclass(frozen=True)
class LedgerByTownship:
    ledger: Ledger
    rows: list[FigureRow]  # one per township of the county, in code order
    total: FigureRow  # equals ``stats`` for the ledger's records of the county
    left_out: tuple[str, ...] = ()  # other counties' townships found in the data

    def left_out_text(self) -> str:
        """The sentence saying which other counties' rows were left out ("" if none)."""
        if not self.left_out:
            return ""
        return f"数据中另有其他县区的记录（{'、'.join(self.left_out)}），未列入本县区汇总和合计"


def county_of(book: Book) -> str:
    county = book.settings.county_code
    if not county:
        raise UserError("请先在“设置”中选择本县区（命令行：hebi-desktop settings --county 县区）")
    return county


def by_township(book: Book, ledger: Ledger, county: str) -> LedgerByTownship:
    found = {row.code: row for row in book.stats.by_township(ledger)}
    zeros = tuple(
        Figure(m, Decimal(0).quantize(Decimal(1).scaleb(-m.decimals))) for m in ledger.measures
    )
    rows = [
        found.get(t.code) or FigureRow(t.name, t.code, zeros)
        for t in divisions().townships_of(county)
    ]
    table = divisions()
    left_out = tuple(
        table.name(table.by_code[code].parent_code) + table.name(code)
        for code in found
        if code and code in table.by_code and table.by_code[code].parent_code != county
    )
    total = book.stats.headline(ledger, RecordQuery(county_code=county))
    return LedgerByTownship(ledger, rows, total, left_out)


def county_summary(book: Book) -> list[LedgerByTownship]:
    county = county_of(book)
    return [by_township(book, ledger, county) for ledger in book.ledgers if ledger.measures]


def month_bounds(month: str | None) -> tuple[dt.datetime, dt.datetime]:
    """``2026-11`` → the first instants of November and December; ``None``: this month."""
    if month:
        try:
            start = dt.datetime.strptime(month.strip(), "%Y-%m")
        except ValueError:
            raise UserError(f"月份“{month}”应写成 2026-11 这样的年-月") from None
    else:
        today = dt.date.today()
        start = dt.datetime(today.year, today.month, 1)
    end = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, end


def not_submitted(book: Book, month: str | None = None) -> dict[str, list[Division]]:
    """Per ledger key, the county's townships with no submission received in ``month``."""
    county = county_of(book)
    start, end = month_bounds(month)
    table = ReceivedSubmission.__table__
    with book.reading() as connection:
        rows = connection.execute(
            select(table.c.ledger, table.c.township_code, table.c.filters).where(
                table.c.received_at >= start, table.c.received_at < end
            )
        ).all()
    sent: dict[str, set[str]] = {}
    for ledger, township, filters in rows:
        codes = {township} if township else set(_townships_in(filters))
        sent.setdefault(ledger, set()).update(codes)
    townships = divisions().townships_of(county)
    return {
        ledger.key: [t for t in townships if t.code not in sent.get(ledger.key, set())]
        for ledger in book.ledgers
    }


def _townships_in(filters: str | None) -> list[str]:
    import json

    try:
        value = json.loads(filters or "{}").get("townships", [])
    except (ValueError, AttributeError):
        return []
    return [str(code) for code in value] if isinstance(value, list) else []


def write_county_summary(book: Book, target: Path, month: str | None = None) -> Path:
    """The county summary workbook: the 汇总 sheet (tables and charts by township) and a
    未报送 sheet for ``month``."""
    from openpyxl import Workbook

    from hebi_desktop.exchange.files import (
        check_target,
        database_files,
        discard,
        temporary_file,
        write_atomically,
    )
    from hebi_desktop.exchange.layout import Filler
    from hebi_desktop.exchange.summary import LedgerFigures, write_summary
    from hebi_desktop.exchange.tables import TableSheet, add_table_sheet
    from hebi_desktop.services.settings import UNIT_NAME

    county = county_of(book)
    target = Path(target)
    if not target.suffix:
        target = target.with_suffix(".xlsx")
    check_target(target, database_files(book.sqlite_file))
    book.settings.check_stored()
    sections = county_summary(book)
    missing = not_submitted(book, month)
    start, _end = month_bounds(month)
    name = divisions().name(county)
    filler = Filler(
        unit=book.settings.get(UNIT_NAME) or name,
        operator=book.operator,
        phone="",
        day=dt.date.today(),
    )
    temp = temporary_file(target)
    workbook: Workbook | None = None
    try:
        workbook = Workbook(write_only=True)
        workbook.properties.title = f"{name}台账汇总（按乡镇）"
        write_summary(
            workbook,
            f"{name}台账汇总（按乡镇）",
            filler,
            [LedgerFigures(s.ledger, s.rows, s.total) for s in sections],
        )
        add_table_sheet(
            workbook,
            TableSheet(
                "未报送",
                f"{start:%Y年%m月}未报送的乡镇（街道）",
                ("台账", "乡镇（街道）", "代码"),
                [
                    (book.records(key).ledger.title, t.name, t.code)
                    for key, townships in missing.items()
                    for t in townships
                ],
            ),
        )
        left_out = [(s.ledger.title, s.left_out_text()) for s in sections if s.left_out]
        if left_out:
            add_table_sheet(
                workbook, TableSheet("未列入", "未列入本县区汇总的记录", ("台账", "说明"), left_out)
            )
        write_atomically(workbook, target, temp)
    except BaseException:
        discard(temp, workbook)
        raise
    return target
