"""The record of workbooks sent upward (报送): what, when, by whom, how many rows, SHA-256.

The monthly incremental report (``--since-last-submission``) starts where the last
recorded submission of that ledger left off; the SHA-256 lets the county bureau and the
township agree on exactly which file was sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, insert, select

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.storage.models import Submission

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    at: dt.datetime
    operator: str
    ledger: str
    filters: dict[str, Any]
    row_count: int
    file_name: str
    sha256: str

    @property
    def ledger_title(self) -> str:
        return get_ledger(self.ledger).title

    def filters_text(self) -> str:
        return describe_filters(self.ledger, self.filters)


def query_filters(
    query: RecordQuery, *, since: dt.datetime | None = None, mask_ids: bool = False
) -> dict[str, Any]:
    """The filters of an export as plain JSON-able values (only those that were set)."""
    filters: dict[str, Any] = {}
    for name in ("county_code", "township_code", "village"):
        value = getattr(query, name)
        if value:
            filters[name] = value
    if query.date_from:
        filters["date_from"] = query.date_from.isoformat()
    if query.date_to:
        filters["date_to"] = query.date_to.isoformat()
    if since is not None:
        filters["since"] = since.isoformat(sep=" ", timespec="seconds")
    if mask_ids:
        filters["mask_ids"] = True
    return filters


def describe_filters(ledger: str, filters: dict[str, Any]) -> str:
    """The filters in words for the clerk: 乡镇：北阳镇；排查日期2024-01-01至2024-06-30；…"""
    table = divisions()
    parts: list[str] = []
    if filters.get("county_code"):
        parts.append(f"县区：{table.name(filters['county_code']) or filters['county_code']}")
    if filters.get("township_code"):
        parts.append(f"乡镇：{table.name(filters['township_code']) or filters['township_code']}")
    if filters.get("village"):
        parts.append(f"行政村：{filters['village']}")
    if filters.get("date_from") or filters.get("date_to"):
        try:
            header = get_ledger(ledger).field(get_ledger(ledger).main_date).header
        except KeyError:
            header = "日期"
        parts.append(f"{header}{filters.get('date_from', '')}至{filters.get('date_to', '')}")
    if filters.get("since"):
        parts.append(f"自{filters['since']}以来新增或修改的")
    if filters.get("mask_ids"):
        parts.append("脱敏")
    return "；".join(parts) or "全部"


def record_submissions(
    connection: Connection,
    *,
    at: dt.datetime,
    operator: str,
    entries: Iterable[tuple[str, dict[str, Any], int]],
    file_name: str,
    sha256: str,
) -> None:
    """Record one submission per ledger of a workbook (ledger, filters, row count)."""
    rows = [
        {
            "at": at,
            "operator": operator,
            "ledger": ledger,
            "filters": json.dumps(filters, ensure_ascii=False, sort_keys=True),
            "row_count": count,
            "file_name": file_name,
            "sha256": sha256,
        }
        for ledger, filters, count in entries
    ]
    if rows:
        connection.execute(insert(_TABLE), rows)
        log.info("recorded %d submission(s) of %s", len(rows), file_name)


_TABLE = cast(Table, Submission.__table__)


def _info(row: Mapping[Any, Any]) -> SubmissionInfo:
    try:
        filters = json.loads(row["filters"]) if row["filters"] else {}
    except ValueError:
        filters = {}
    return SubmissionInfo(
        id=row["id"],
        at=row["at"],
        operator=row["operator"],
        ledger=row["ledger"],
        filters=filters if isinstance(filters, dict) else {},
        row_count=row["row_count"],
        file_name=row["file_name"],
        sha256=row["sha256"],
    )


def list_submissions(book: Book, ledger: str | None = None) -> list[SubmissionInfo]:
    """Every recorded submission, newest first (of one ledger if given)."""
    statement = select(_TABLE).order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
    if ledger is not None:
        statement = statement.where(_TABLE.c.ledger == ledger)
    with book.reading() as connection:
        rows = connection.execute(statement).mappings().all()
    return [_info(row) for row in rows]


def last_submission(book: Book, ledger: str) -> SubmissionInfo | None:
    statement = (
        select(_TABLE)
        .where(_TABLE.c.ledger == ledger)
        .order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
        .limit(1)
    )
    with book.reading() as connection:
        row = connection.execute(statement).mappings().first()
    return None if row is None else _info(row)
