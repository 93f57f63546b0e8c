"""The record of workbooks sent upward (报送): what, when, by whom, how many rows, SHA-256.

The monthly incremental report (``--since-last-submission``) holds what the earlier
submissions of the same ledger *and filter scope* have not sent: each submission keeps
the version of every record it sent (``submitted_records``). A timestamp watermark
would miss records committed after an export's snapshot with older timestamps (a long
import); a 北阳镇 export only moves 北阳镇's watermark, never the whole ledger's. The
SHA-256 lets the county bureau and the township agree on exactly which file was sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, func, insert, select, text

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.querying import RecordQuery, Unsent
from hebi_desktop.storage.models import Submission, SubmittedRecord

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Transactions

log = logging.getLogger(__name__)

# Filters that choose records; since/mask_ids change how, not which, records are sent.
_SCOPE_KEYS = ("county_code", "township_code", "village", "date_from", "date_to")


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


def scope_key(filters: Mapping[str, Any]) -> str:
    """The filter scope of a submission as canonical JSON; ``{}`` is the whole ledger."""
    scope = {k: filters[k] for k in _SCOPE_KEYS if filters.get(k)}
    return json.dumps(scope, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def query_scope(query: RecordQuery) -> str:
    return scope_key(query_filters(query))


@dataclass(frozen=True)
class Sent:
    """One ledger of a submitted workbook: its filters and the records (id, version) sent."""

    ledger: str
    filters: dict[str, Any]
    records: Sequence[tuple[int, int]]


def record_submissions(
    connection: Connection,
    *,
    at: dt.datetime,
    operator: str,
    entries: Iterable[Sent],
    file_name: str,
    sha256: str,
) -> None:
    """Record one submission per ledger of a workbook, and the versions it sent."""
    entries = list(entries)
    rows = [
        {
            "at": at,
            "operator": operator,
            "ledger": entry.ledger,
            "filters": json.dumps(entry.filters, ensure_ascii=False, sort_keys=True),
            "row_count": len(entry.records),
            "file_name": file_name,
            "sha256": sha256,
            "scope": scope_key(entry.filters),
        }
        for entry in entries
    ]
    if not rows:
        return
    connection.execute(insert(_TABLE), rows)
    for entry in entries:
        _mark_sent(connection, entry.ledger, scope_key(entry.filters), entry.records)
    log.info("recorded %d submission(s) of %s", len(rows), file_name)


def _mark_sent(
    connection: Connection, ledger: str, scope: str, records: Sequence[tuple[int, int]]
) -> None:
    """Upsert the sent versions (versions only grow, so the newest one wins).

    One set-based statement whatever the number of records: the (id, version) pairs go to
    the database as one JSON text (SQLite) or two arrays (PostgreSQL), not as a parameter
    per value, so recording 100,000 sent records costs the database's own index work.
    """
    if not records:
        return
    upsert = " ON CONFLICT (ledger, scope, record_id) DO UPDATE SET version = excluded.version"
    target = f"INSERT INTO {_SENT.name} (ledger, scope, record_id, version) "
    if connection.dialect.name == "postgresql":
        statement = text(
            target + "SELECT :ledger, :scope, sent.record_id, sent.version FROM unnest("
            "CAST(:ids AS integer[]), CAST(:versions AS integer[])) AS sent(record_id, version)"
            + upsert
        )
        ids, versions = zip(*records, strict=True)
        parameters: dict[str, Any] = {"ids": list(ids), "versions": list(versions)}
    else:
        # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT.
        statement = text(
            target + "SELECT :ledger, :scope, json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]') FROM json_each(:sent) WHERE true" + upsert
        )
        parameters = {"sent": json.dumps(records, separators=(",", ":"))}
    connection.execute(statement, {"ledger": ledger, "scope": scope, **parameters})


def unsent(connection: Connection, ledger: str, scope: str) -> Unsent:
    """The filter for what ``scope``'s submissions of ``ledger`` have not sent yet."""
    legacy: dt.datetime | None = None
    statement = select(_TABLE.c.at, _TABLE.c.filters).where(
        _TABLE.c.ledger == ledger, _TABLE.c.scope.is_(None)
    )
    for at, filters in connection.execute(statement):
        if scope_key(_filters(filters)) == scope and (legacy is None or at > legacy):
            legacy = at
    return Unsent(ledger, scope, legacy)


def last_in_scope(connection: Connection, ledger: str, scope: str) -> dt.datetime | None:
    """When ``scope``'s last submission of ``ledger`` was made (``None``: never)."""
    tracked = connection.scalar(
        select(func.max(_TABLE.c.at)).where(_TABLE.c.ledger == ledger, _TABLE.c.scope == scope)
    )
    legacy = unsent(connection, ledger, scope).legacy_since
    found = [at for at in (tracked, legacy) if at is not None]
    return max(found) if found else None


_TABLE: Table = Submission.__table__  # type: ignore[assignment]
_SENT: Table = SubmittedRecord.__table__  # type: ignore[assignment]


def _filters(text: str | None) -> dict[str, Any]:
    try:
        filters = json.loads(text) if text else {}
    except ValueError:
        filters = {}
    return filters if isinstance(filters, dict) else {}


def _info(row: Mapping[Any, Any]) -> SubmissionInfo:
    return SubmissionInfo(
        id=row["id"],
        at=row["at"],
        operator=row["operator"],
        ledger=row["ledger"],
        filters=_filters(row["filters"]),
        row_count=row["row_count"],
        file_name=row["file_name"],
        sha256=row["sha256"],
    )


def list_submissions(book: Transactions, ledger: str | None = None) -> list[SubmissionInfo]:
    """Every recorded submission, newest first (of one ledger if given)."""
    statement = select(_TABLE).order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
    if ledger is not None:
        statement = statement.where(_TABLE.c.ledger == ledger)
    with book.reading() as connection:
        rows = connection.execute(statement).mappings().all()
    return [_info(row) for row in rows]


def last_submission(book: Transactions, ledger: str) -> SubmissionInfo | None:
    statement = (
        select(_TABLE)
        .where(_TABLE.c.ledger == ledger)
        .order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
        .limit(1)
    )
    with book.reading() as connection:
        row = connection.execute(statement).mappings().first()
    return None if row is None else _info(row)
