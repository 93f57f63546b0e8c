"""Writing the county-ready workbook: one sheet per ledger, a 汇总 sheet for several.

Records are streamed from the database into openpyxl's write-only workbook, so a
100,000-row ledger never sits in memory. Everything is read from one snapshot
(``services/snapshot.py``): the 汇总 and every sheet agree, and the submission records
exactly the rows written. The workbook is saved under a temporary name in the target
folder and moved into place only when complete: a failed or cancelled export never
leaves a half-written file where the clerk expects one. Each finished export sent
upward is recorded as a submission with its SHA-256 (``services/submissions.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange.files import (
    check_target,
    database_files,
    discard,
    temporary_file,
    write_atomically,
    write_failed,
)
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
from hebi_desktop.exchange.summary import LedgerFigures, write_summary
from hebi_desktop.services.desk_scope import query_place, with_default_place
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import OPERATOR_PHONE
from hebi_desktop.services.snapshot import Snapshot, snapshot
from hebi_desktop.services.submissions import Sent, query_filters, record_submissions

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

PROGRESS_EVERY = 500

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True)
class ExportRequest:
    ledgers: tuple[str, ...]
    query: RecordQuery = field(default_factory=RecordQuery)
    since_last_submission: bool = False
    mask_ids: bool = False
    record_submission: bool = True
    keep_ids: bool = False  # return the exported records' ids (a ZIP with their files)
    all_places: bool = False  # no place filter: the whole database, not the desk's scope
    # 加密导出: the workbook is written password-protected (never logged, never stored).
    password: str | None = field(default=None, repr=False)


@dataclass
class ExportResult:
    path: Path
    rows: dict[str, int]
    sha256: str
    # ledger key -> the submission an incremental export started from (None: there was none)
    since: dict[str, dt.datetime | None] = field(default_factory=dict)
    # ledger key -> the ids of the records written, when ``ExportRequest.keep_ids``
    record_ids: dict[str, list[int]] = field(default_factory=dict)


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
    sent: list[tuple[int, int]] = field(default_factory=list)  # (id, version) written


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
    query = request.query
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise UserError(
            f"开始日期 {query.date_from:%Y-%m-%d} 晚于结束日期 {query.date_to:%Y-%m-%d}，"
            "请检查日期范围"
        )
    if not request.all_places:  # the desk's own scope unless another was chosen
        request = dataclasses.replace(request, query=with_default_place(book, query))
    target = Path(target)
    check_target(target, database_files(book.sqlite_file))
    book.settings.check_stored()  # a bad stored 填报人 is named, not an internal error
    started = dt.datetime.now()
    heading = _heading(book, request.query, started)
    temp: Path | None = None
    workbook: Workbook | None = None
    try:
        with snapshot(book) as reader:
            plans = _plans(reader, request)
            total = sum(plan.count for plan in plans)
            for plan in plans:
                if plan.count > EXCEL_MAX_ROWS - FIRST_DATA_ROW:
                    raise UserError(
                        f"{plan.ledger.title}共{plan.count}条，超过 Excel 单个工作表的行数上限；"
                        "请按乡镇或日期分批导出"
                    )
            temp = temporary_file(target)
            workbook = _workbook(book, reader, heading, plans)
            content = ContentDigest()
            rows = _write_ledgers(
                reader, workbook, heading, request, plans, total, progress, cancelled, content
            )
        # Every row is read: the snapshot ends before the (slow) save of the zip.
        if cancelled is not None and cancelled():
            raise Cancelled()
        stamp(workbook, submission_meta(book, request, plans, rows, content.hexdigest(), started))
        digest = write_atomically(workbook, target, temp, request.password)
    except BaseException as error:
        if temp is not None:
            discard(temp, workbook)
        if isinstance(error, OSError):  # a full disk while the sheets are written
            raise write_failed(error, "导出") from None
        raise
    if progress is not None:
        progress(total, total)
    if request.record_submission:
        _record(book, request, plans, target, digest, started)
    log.info("exported %s to %s (%s)", rows, target, digest[:12])
    ids = {p.ledger.key: [rid for rid, _ in p.sent] for p in plans} if request.keep_ids else {}
    return ExportResult(target, rows, digest, {p.ledger.key: p.since for p in plans}, ids)


# --- planning -------------------------------------------------------------------------


def _plans(reader: Snapshot, request: ExportRequest) -> list[_Plan]:
    base = dataclasses.replace(
        request.query,
        deleted=False,  # soft-deleted records never leave the program
        sort=request.query.sort or "id",
        descending=request.query.descending if request.query.sort else False,
        changed_since=None,
        unsent=None,
    )
    plans = []
    for key in request.ledgers:
        ledger = get_ledger(key)
        if request.since_last_submission:
            # Not a timestamp: what this scope's submissions have not sent (exact).
            query = dataclasses.replace(base, unsent=reader.unsent(ledger, base))
            since = reader.last_submitted(ledger, base)
        else:
            since = request.query.changed_since
            query = dataclasses.replace(base, changed_since=since)
        plans.append(_Plan(ledger, query, since, reader.count(ledger, query)))
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
    return _Heading(query_place(query), filler)


def _workbook(book: Book, reader: Snapshot, heading: _Heading, plans: list[_Plan]) -> Workbook:
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
                reader.stats.by_township(p.ledger, p.query),
                reader.stats.headline(p.ledger, p.query),
            )
            for p in plans
        ]
        write_summary(workbook, f"{place}台账汇总", heading.filler, sections)
    return workbook


def column_widths(reader: Snapshot, ledger: Ledger, query: RecordQuery) -> dict[str, float]:
    """Column widths from the data: the longest text per column in one aggregate query."""
    longest, codes = reader.longest_texts(ledger, query)
    names = divisions()
    widths: dict[str, float] = {}
    for f in export_fields(ledger):
        content = content_width(
            f, longest.get(f.name), [names.name(code) for code in codes.get(f.name, [])]
        )
        widths[f.name] = column_width(f.header, content)
    return widths


# --- writing --------------------------------------------------------------------------


def _write_ledgers(
    reader: Snapshot,
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
            widths=column_widths(reader, ledger, plan.query),
            mask=request.mask_ids,
        )
        append = sheet.append if content is None else content.feeding(ledger.key, sheet.append)
        sent = plan.sent.append if request.record_submission or request.keep_ids else None
        with closing(reader.rows(ledger, plan.query)) as records:
            for count, row in enumerate(records, start=1):
                append(row[:-2])  # the stored columns; id and version come last
                if sent is not None:
                    sent((row[-2], row[-1]))
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
    target: Path,
    digest: str,
    started: dt.datetime,
) -> None:
    entries = [
        Sent(
            p.ledger.key,
            query_filters(
                dataclasses.replace(p.query, changed_since=None, unsent=None),
                since=p.since,
                mask_ids=request.mask_ids,
            ),
            p.sent,
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
