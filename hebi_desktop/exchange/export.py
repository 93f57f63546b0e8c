"""Writing the county-ready workbook: one sheet per ledger, a 汇总 sheet for several.

Records are streamed from the database into openpyxl's write-only workbook, so a
100,000-row ledger never sits in memory. The workbook is saved under a temporary
name in the target folder and moved into place only when complete: a failed or
cancelled export never leaves a half-written file where the clerk expects one.
Each finished export sent upward is recorded as a submission with its SHA-256.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from sqlalchemy import Row, func, select

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.files import check_target, discard, temporary_file, write_atomically
from hebi_desktop.exchange.layout import (
    EXCEL_MAX_ROWS,
    FIRST_DATA_ROW,
    Filler,
    LedgerSheet,
    column_width,
    content_width,
    export_fields,
)
from hebi_desktop.exchange.metadata import ContentDigest, stamp, submission_meta
from hebi_desktop.exchange.submissions import last_submission, query_filters, record_submissions
from hebi_desktop.exchange.summary import LedgerFigures, write_summary
from hebi_desktop.services.convert import stored_names
from hebi_desktop.services.errors import Cancelled, UserError
from hebi_desktop.services.querying import RecordQuery, order_clauses, where_clauses
from hebi_desktop.services.settings import OPERATOR_PHONE
from hebi_desktop.storage.models import record_model

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

PROGRESS_EVERY = 500
STREAM_BATCH = 2000

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True)
class ExportRequest:
    ledgers: tuple[str, ...]
    query: RecordQuery = field(default_factory=RecordQuery)
    since_last_submission: bool = False
    mask_ids: bool = False
    record_submission: bool = True


@dataclass
class ExportResult:
    path: Path
    rows: dict[str, int]
    sha256: str
    # ledger key -> the submission an incremental export started from (None: there was none)
    since: dict[str, dt.datetime | None] = field(default_factory=dict)


@dataclass(frozen=True)
class _Heading:
    """What every sheet's title and 填报 row say."""

    place: str
    filler: Filler


@dataclass
class _Plan:
    ledger: Ledger
    query: RecordQuery
    since: dt.datetime | None
    count: int = 0


def export_workbook(
    book: Book,
    request: ExportRequest,
    target: Path,
    *,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ExportResult:
    """Write the workbook to ``target``; see the module docstring for the guarantees."""
    if not request.ledgers:
        raise UserError("请至少选择一本台账")
    target = Path(target)
    check_target(target)
    started = dt.datetime.now()
    plans = _plans(book, request)
    total = sum(plan.count for plan in plans)
    for plan in plans:
        if plan.count > EXCEL_MAX_ROWS - FIRST_DATA_ROW:
            raise UserError(
                f"{plan.ledger.title}共{plan.count}条，超过 Excel 单个工作表的行数上限；"
                "请按乡镇或日期分批导出"
            )
    heading = _heading(book, request.query, started)
    temp = temporary_file(target)
    workbook: Workbook | None = None
    try:
        workbook = _workbook(book, heading, plans)
        content = ContentDigest()
        rows = _write_ledgers(
            book, workbook, heading, request, plans, total, progress, cancelled, content
        )
        if cancelled is not None and cancelled():
            raise Cancelled()
        stamp(workbook, submission_meta(book, request, plans, rows, content.hexdigest(), started))
        digest = write_atomically(workbook, target, temp)
    except BaseException:
        discard(temp, workbook)
        raise
    if progress is not None:
        progress(total, total)
    if request.record_submission:
        _record(book, request, plans, rows, target, digest, started)
    log.info("exported %s to %s (%s)", rows, target, digest[:12])
    return ExportResult(target, rows, digest, {p.ledger.key: p.since for p in plans})


# --- planning -------------------------------------------------------------------------


def _plans(book: Book, request: ExportRequest) -> list[_Plan]:
    base = dataclasses.replace(
        request.query,
        deleted=False,  # soft-deleted records never leave the program
        sort=request.query.sort or "id",
        descending=request.query.descending if request.query.sort else False,
        changed_since=None,
    )
    plans = []
    for key in request.ledgers:
        ledger = get_ledger(key)
        since = request.query.changed_since
        if request.since_last_submission:
            last = last_submission(book, key)
            since = last.at if last is not None else None
        query = dataclasses.replace(base, changed_since=since)
        plans.append(_Plan(ledger, query, since, book.records(ledger).count(query)))
    return plans


def _heading(book: Book, query: RecordQuery, now: dt.datetime) -> _Heading:
    settings = book.settings
    table = divisions()
    unit = table.name(settings.township_code) or table.name(settings.county_code)
    filler = Filler(
        unit=unit,
        operator=book.operator,
        phone=settings.get(OPERATOR_PHONE) or "",
        day=now.date(),
    )
    return _Heading(_place_name(query, unit), filler)


def _workbook(book: Book, heading: _Heading, plans: list[_Plan]) -> Workbook:
    place, now = heading.place, dt.datetime.now()
    workbook = Workbook(write_only=True)
    workbook.properties.creator = book.operator
    workbook.properties.lastModifiedBy = book.operator
    workbook.properties.created = now
    workbook.properties.modified = now
    if len(plans) == 1:
        workbook.properties.title = f"{place}{plans[0].ledger.title}"
    else:
        workbook.properties.title = f"{place}台账汇总"
    workbook.properties.subject = "、".join(p.ledger.title for p in plans)
    workbook.properties.description = "鹤壁乡镇台账导出"
    if len(plans) > 1:
        sections = [
            LedgerFigures(
                p.ledger,
                book.stats.by_township(p.ledger, p.query),
                book.stats.headline(p.ledger, p.query),
            )
            for p in plans
        ]
        write_summary(workbook, f"{place}台账汇总", heading.filler, sections)
    return workbook


def _place_name(query: RecordQuery, unit: str) -> str:
    """Whose records the workbook holds: the filtered township or county, else the unit."""
    table = divisions()
    if query.township_code:
        return table.name(query.township_code)
    if query.county_code:
        return table.name(query.county_code)
    return unit


def column_widths(book: Book, ledger: Ledger, query: RecordQuery) -> dict[str, float]:
    """Column widths from the data: the longest text per column in one aggregate query."""
    table = record_model(ledger).__table__
    clauses = where_clauses(ledger, table, query)
    text_fields = [f for f in ledger.stored_fields if f.kind is Kind.TEXT]
    longest: dict[str, int | None] = {}
    codes: dict[str, list[str]] = {}
    with book.reading() as connection:
        if text_fields:
            statement = select(*(func.max(func.length(table.c[f.name])) for f in text_fields))
            row = connection.execute(statement.where(*clauses)).one()
            longest = {f.name: value for f, value in zip(text_fields, row, strict=True)}
        for f in ledger.stored_fields:
            if f.kind in (Kind.COUNTY, Kind.TOWNSHIP):
                statement = select(table.c[f.name]).where(*clauses).distinct()
                codes[f.name] = [c for c in connection.scalars(statement) if c]
    names = divisions()
    widths: dict[str, float] = {}
    for f in export_fields(ledger):
        content = content_width(
            f, longest.get(f.name), [names.name(code) for code in codes.get(f.name, [])]
        )
        widths[f.name] = column_width(f.header, content)
    return widths


# --- writing --------------------------------------------------------------------------


def stored_rows(book: Book, ledger: Ledger, query: RecordQuery) -> Iterator[Row[Any]]:
    """The stored columns of every matching record (in :func:`stored_names` order), streamed.

    Leaner than ``RecordService.iter_items``: no bookkeeping columns, no dicts; the sheet
    converts by position. Same filters and order (``where_clauses``/``order_clauses``).
    """
    table = record_model(ledger).__table__
    statement = (
        select(*(table.c[name] for name in stored_names(ledger)))
        .where(*where_clauses(ledger, table, query))
        .order_by(*order_clauses(ledger, table, query))
    )
    with book.reading() as connection:
        result = connection.execution_options(yield_per=STREAM_BATCH).execute(statement)
        for partition in result.partitions():
            yield from partition


def _write_ledgers(
    book: Book,
    workbook: Workbook,
    heading: _Heading,
    request: ExportRequest,
    plans: list[_Plan],
    total: int,
    progress: Progress | None,
    cancelled: IsCancelled | None,
    content: ContentDigest | None = None,
) -> dict[str, int]:
    rows: dict[str, int] = {}
    done = 0
    if progress is not None:
        progress(0, total)
    for plan in plans:
        ledger = plan.ledger
        sheet = LedgerSheet(
            workbook,
            ledger,
            title=f"{heading.place}{ledger.title}",
            filler=heading.filler,
            widths=column_widths(book, ledger, plan.query),
            mask=request.mask_ids,
        )
        append = sheet.append if content is None else content.feeding(ledger.key, sheet.append)
        with closing(stored_rows(book, ledger, plan.query)) as records:
            for count, row in enumerate(records, start=1):
                append(row)
                if count % PROGRESS_EVERY == 0:
                    if cancelled is not None and cancelled():
                        raise Cancelled()
                    if progress is not None:
                        progress(done + count, total)
        if cancelled is not None and cancelled():
            raise Cancelled()
        rows[ledger.key] = sheet.finish()
        done += rows[ledger.key]
        if progress is not None:
            progress(done, total)
    return rows


def _record(
    book: Book,
    request: ExportRequest,
    plans: list[_Plan],
    rows: dict[str, int],
    target: Path,
    digest: str,
    started: dt.datetime,
) -> None:
    entries = [
        (
            p.ledger.key,
            query_filters(
                dataclasses.replace(p.query, changed_since=None),
                since=p.since,
                mask_ids=request.mask_ids,
            ),
            rows[p.ledger.key],
        )
        for p in plans
    ]
    with book.writing() as connection:
        record_submissions(
            connection,
            at=started,
            operator=book.operator,
            entries=entries,
            file_name=str(target.resolve()),
            sha256=digest,
        )
