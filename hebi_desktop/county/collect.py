"""汇总报送: a county desk takes in the townships' workbooks, one file at a time.

Each file is read and checked whole before anything is written (the importer's reading,
cleaning and validation, row by row), then written in one transaction: all of a file, or
none of it. The rules:

- a *full* submission (the township's whole ledger) replaces that township's earlier
  records of that ledger, and only those: they are soft-deleted (kept, with an audit
  entry) and the file's records put in their place;
- an *incremental* or filtered (*partial*) one adds records and updates, by natural key
  within the township, those it already holds; it never removes any;
- a file seen before (same file SHA-256, or the same content hash for the same ledger and
  township) is recognised and changes nothing;
- nothing in a file is believed (:mod:`services.collect_checks`): the content hash is
  recomputed from the rows read, and a file edited after export is held unless the county
  accepts it as edited; a full submission that would empty or shrink a township is held
  unless allowed; one older than a submission already taken in is refused as stale, and the
  files of one run are applied in export order;
- a file from another county, a masked export (ID numbers with *), or one with any bad
  row is refused whole.

Workbooks exported by the program say who sent them (:mod:`exchange.metadata`); for a
hand-made workbook the ledger is recognised from the headers, the township read from the
rows, and it is taken as incremental (it may be an extract: nothing is removed).
Every record written points back to its :class:`ReceivedSubmission`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, or_, select, update

from hebi_desktop.county.collect_checks import (
    ShrinkLimit,
    explain_edit,
    newer_received,
    recomputed_content_hash,
    shrink_reasons,
    stale_message,
)
from hebi_desktop.county.read_ahead import ReadAhead, worth_a_helper
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Ledger, Level
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.domain.validation import Checked
from hebi_desktop.domain.villages import known_villages
from hebi_desktop.errors import Cancelled, ConflictError, UserError
from hebi_desktop.exchange.cleaning import is_footer
from hebi_desktop.exchange.csv_source import is_csv
from hebi_desktop.exchange.files import sha256_of
from hebi_desktop.exchange.headers import HeaderLayout, HeaderMatcher, find_header
from hebi_desktop.exchange.importer import (
    RowIssue,
    _RowReader,
    bulk_cache,
)
from hebi_desktop.exchange.metadata import (
    FULL,
    INCREMENTAL,
    MODE_LABELS,
    SubmissionMeta,
    read_metadata,
)
from hebi_desktop.exchange.preload import Preloaded, SheetPreloader
from hebi_desktop.exchange.reader import Sheet, Source, StreamedSheet, choose_sheet, open_source
from hebi_desktop.services.audit import write_entries_for
from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY
from hebi_desktop.storage.models import AuditEntry, ReceivedSubmission, record_model
from hebi_desktop.storage.server import take_import_lock

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

CHECK_EVERY = 500
ID_CHUNK = 500
AUDIT_COLLECT = "collect"  # a record written from a received submission
AUDIT_REPLACED = "replaced"  # a record soft-deleted because a full submission replaced it
AUDIT_COLLECT_EDITED = "collect_ed"  # written from a submission accepted although edited

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


class Status(StrEnum):
    NEW = "new"  # first submission of this ledger from this township
    REPLACEMENT = "replacement"  # a full submission replacing earlier records
    UPDATE = "update"  # an incremental submission on top of earlier ones
    RECEIVED = "received"  # this file (or content) was taken in before: nothing to do
    REFUSED = "refused"  # another county, masked, unreadable, bad rows, or stale
    HELD = "held"  # edited or shrinking: written only when the county says so


STATUS_LABELS = {
    Status.NEW: "新报送",
    Status.REPLACEMENT: "替换此前报送",
    Status.UPDATE: "增量更新",
    Status.RECEIVED: "已接收过（不再重复接收）",
    Status.REFUSED: "拒收",
    Status.HELD: "暂不接收（待确认）",
}


def _unpickled_part(state: dict[str, Any]) -> LedgerPart:
    part = LedgerPart.__new__(LedgerPart)
    part.__dict__.update(state, ledger=get_ledger(state["ledger"]))
    return part


@dataclass(frozen=True)
class Choices:
    """What the county has explicitly agreed to take in (off by default)."""

    accept_edited: bool = False
    allow_shrink: bool = False
    shrink_limit: ShrinkLimit | None = None  # None: the desk's settings


@dataclass
class LedgerPart:
    """One ledger's sheet of a submitted file: what it holds and what taking it in does."""

    ledger: Ledger
    sheet: str
    mode: str
    townships: tuple[str, ...] = ()
    status: Status = Status.NEW
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    removed: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its ledger's key (a declaration holds functions): a part read in
        a helper process comes back whole."""
        state = dict(self.__dict__, ledger=self.ledger.key)
        return (_unpickled_part, (state,))

    @property
    def township_names(self) -> str:
        return "、".join(divisions().name(code) for code in self.townships) or "（未知）"

    @property
    def mode_label(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)


@dataclass
class FileCollection:
    """What happened (or, in a dry run, would happen) to one submitted file."""

    path: Path
    sha256: str = ""
    meta: SubmissionMeta | None = None
    parts: list[LedgerPart] = field(default_factory=list)
    refused: str | None = None  # why the whole file was refused, in Chinese
    dry_run: bool = False
    content_sha256: str | None = None  # recomputed from the rows read (None: no stamp)
    edits: list[str] = field(default_factory=list)  # how the rows differ from the stamp
    shrinks: list[str] = field(default_factory=list)  # townships it would empty or shrink
    choices: Choices = field(default_factory=Choices)
    marker: tuple[int, int] = (0, 0)  # what the county held when judged (_marker)

    @property
    def held(self) -> list[str]:
        """Why the file waits for the county's explicit choice (empty: it does not)."""
        reasons = []
        if self.edits and not self.choices.accept_edited:
            reasons.append("内容被改动过，核实无误后确认才接收（命令行 --accept-edited）")
        if self.shrinks and not self.choices.allow_shrink:
            reasons.append("会删除该乡镇较多记录，核实无误后确认才接收（命令行 --allow-shrink）")
        return reasons

    @property
    def ok(self) -> bool:
        return self.refused is None and all(not p.errors for p in self.parts) and not self.held

    @property
    def waiting(self) -> bool:
        """Good rows, but held for the county's explicit choice (edited or shrinking)."""
        return self.refused is None and all(not p.errors for p in self.parts) and bool(self.held)

    @property
    def taken_before(self) -> bool:
        """Every ledger of the file had been taken in before: nothing new was received."""
        return self.ok and all(p.status is Status.RECEIVED for p in self.parts)

    @property
    def unit(self) -> str:
        return self.meta.unit if self.meta else "（手工表格，无报送标识）"

    def status_text(self) -> str:
        if self.refused:
            return f"拒收：{self.refused}"
        if any(p.errors for p in self.parts):
            return "拒收：有错误行（见问题列表），整个文件未接收"
        if self.held:
            return "暂不接收：" + "；".join(self.held)
        return "；".join(f"{p.ledger.nav_title}{STATUS_LABELS[p.status]}" for p in self.parts)


# --- reading ------------------------------------------------------------------------------


def _desk_county(book: Book) -> str:
    settings = book.settings
    county = settings.county_code
    if settings.get(SCOPE) != SCOPE_COUNTY or not county:
        raise UserError(
            "汇总报送只能在县区工作范围下进行：请先在“设置”中把工作范围设为“县区”并选择本县区"
            "（命令行：hebi-desktop settings --scope county --county 县区名称）"
        )
    return county


def _parts_of(
    workbook: Source, meta: SubmissionMeta | None
) -> list[tuple[Ledger, Sheet | StreamedSheet]]:
    """The ledgers in the file and their sheets: as the metadata says, else by headers."""
    if meta is not None and meta.ledgers:
        known = {ledger.key: ledger for ledger in all_ledgers()}
        ledgers = [known[key] for key in meta.ledgers if key in known]
        return [(ledger, choose_sheet(workbook, ledger, None)) for ledger in ledgers]
    found: list[tuple[Ledger, Sheet | StreamedSheet]] = []
    for name in workbook.sheet_names:
        sheet = workbook.sheet(name)
        try:
            head = sheet.head()
        except UserError:
            continue
        scores = []
        for ledger in all_ledgers():
            matcher = HeaderMatcher(ledger)
            scores.append((max((matcher.score(cells) for _n, cells in head), default=0), ledger))
        score, best = max(scores, key=lambda pair: pair[0])
        if score and all(best is not other for other, _s in found):
            try:
                find_header(head, best, name)
            except UserError:
                continue
            found.append((best, sheet))
    return found


def _read_part(
    part: LedgerPart,
    sheet: Sheet | StreamedSheet,
    layout: HeaderLayout,
    county: str,
    township: str | None,
    cancelled: IsCancelled | None,
) -> None:
    ledger = part.ledger
    reader = _RowReader(layout)
    check = reader.checker(ledger).check
    names = ledger.natural_key
    seen: dict[tuple[Any, ...], int] = {}
    townships: set[str] = set()
    table = divisions()
    for number, cells in sheet.rows(fill_merged_from=layout.data_start):
        if number < layout.data_start:
            continue
        if is_footer(cells):
            break
        checked = check(cells)
        if checked is None:
            continue  # an empty row, or one of spaces
        part.rows_read += 1
        if part.rows_read % CHECK_EVERY == 0 and cancelled is not None and cancelled():
            raise Cancelled()
        if not checked.ok:
            part.errors.extend(
                reader.issue(number, cells, issue, ledger)
                for issue in checked.issues
                if issue.level is Level.ERROR
            )
            continue
        values = checked.values
        place = values["township_code"]
        if values["county_code"] != county:
            part.errors.append(
                RowIssue(
                    number,
                    layout.header_of("county_code") or "县区",
                    table.name(values["county_code"]),
                    f"县区：不属于本县区（{table.name(county)}），该行不能汇总到本县区",
                    Level.ERROR,
                )
            )
            continue
        if township and place != township:
            part.errors.append(
                RowIssue(
                    number,
                    layout.header_of("township_code") or "乡镇",
                    table.name(place),
                    f"乡镇：报送单位是{table.name(township)}，这一行却属于{table.name(place)}",
                    Level.ERROR,
                )
            )
            continue
        key = (place, *(values[n] for n in names))
        first = seen.get(key)
        if first is not None:
            part.errors.append(
                RowIssue(
                    number,
                    "",
                    "",
                    f"与第{first}行重复（{ledger.key_text(values)}）：同一条记录不能出现两次",
                    Level.ERROR,
                )
            )
            continue
        seen[key] = number
        townships.add(place)
        if checked.warnings:
            part.warnings.extend(reader.issue(number, cells, i, ledger) for i in checked.warnings)
        part.checked.append(checked)
    if township:
        townships.add(township)
    part.townships = tuple(sorted(townships))
    part.problems.extend(_village_hints(part.checked))


def _village_hints(rows: list[Checked], limit: int = 10) -> list[str]:
    """Village names not in the township's list: a hint with the nearest known name."""
    villages = known_villages()
    known: set[tuple[str, str]] = set()
    unknown: dict[tuple[str, str], int] = {}
    for checked in rows:
        place = (checked.values["township_code"], checked.values["village"])
        if place in known:
            continue
        if place not in unknown and villages.is_known(*place):
            known.add(place)
            continue
        unknown[place] = unknown.get(place, 0) + 1
    hints = []
    for (township, village), count in list(unknown.items())[:limit]:
        nearest = villages.suggest(township, village)
        advice = f"，是否应为“{nearest}”？" if nearest else ""
        hints.append(f"{divisions().name(township)}的村名单中没有“{village}”（{count}条）{advice}")
    if len(unknown) > limit:
        hints.append(f"……另有{len(unknown) - limit}个村名不在村名单中")
    return hints


def _already_received(
    connection: Connection, sha256: str, content_sha256: str | None, part: LedgerPart
) -> bool:
    table = ReceivedSubmission.__table__
    same_file = table.c.sha256 == sha256
    clauses = [same_file]
    if content_sha256:
        clauses.append(
            (table.c.content_sha256 == content_sha256)
            & (table.c.ledger == part.ledger.key)
            & (table.c.township_code == (part.townships[0] if part.townships else None))
        )
    statement = select(table.c.id).where(table.c.ledger == part.ledger.key, or_(*clauses))
    return connection.execute(statement.limit(1)).first() is not None


def _status(connection: Connection, result: FileCollection, part: LedgerPart) -> Status:
    if _already_received(connection, result.sha256, result.content_sha256, part):
        return Status.RECEIVED
    table = record_model(part.ledger).__table__
    earlier = connection.execute(
        select(table.c.id)
        .where(table.c.township_code.in_(part.townships), table.c.deleted_at.is_(None))
        .limit(1)
    ).first()
    if earlier is None:
        return Status.NEW
    return Status.REPLACEMENT if part.mode == FULL else Status.UPDATE


def inspect_file(
    book: Book,
    path: Path,
    *,
    cancelled: IsCancelled | None = None,
    choices: Choices | None = None,
    preloaded: Preloaded | None = None,
) -> FileCollection:
    """Read and check one file without writing anything (the preview, and a dry run);
    ``preloaded``: its sheets, parsed ahead while the previous file was read."""
    read = read_file(Path(path), _desk_county(book), choices or Choices(), cancelled, preloaded)
    return _judged(book, read)


def _judged(book: Book, read: ReadFile) -> FileCollection:
    """A file read whole, judged against what the county holds now."""
    result, whole = read
    if whole:
        with book.reading() as connection:
            _judge(book, connection, result)
    return result


# A file as read: what was found, and whether it was read whole (else refused on reading).
ReadFile = tuple["FileCollection", bool]


def read_file(
    path: Path,
    county: str,
    choices: Choices,
    cancelled: IsCancelled | None = None,
    preloaded: Preloaded | None = None,
) -> ReadFile:
    """Everything about one file that does not depend on the county's records: its rows
    checked, its stamp and the content hash recomputed. Needs no database, so a helper
    process can do it (see :func:`collect_files`)."""
    result = FileCollection(path, dry_run=True, choices=choices)
    try:
        result.sha256 = sha256_of(path)
    except OSError as error:
        result.refused = f"无法读取文件（{error.strerror or error}）"
        return result, False
    if is_csv(path):
        result.refused = (
            "CSV 文件不能汇总：CSV 里没有报送标识（哪个乡镇、全量还是增量、内容校验值），"
            "无法核对是否完整、是否被改动；请乡镇用本程序导出 Excel 工作簿（.xlsx）后报送"
        )
        return result, False
    meta = result.meta = read_metadata(path)
    table = divisions()
    if meta is not None:
        if meta.county_code and meta.county_code != county:
            result.refused = (
                f"来自{table.name(meta.county_code) or meta.county_code}"
                f"（{meta.unit}），不是本县区（{table.name(county)}）的报送"
            )
            return result, False
        if meta.masked:
            result.refused = (
                "这是脱敏导出的工作簿（身份证号中间为*），不能汇总；请乡镇重新导出，不要选脱敏"
            )
            return result, False
    try:
        # refuses a zip bomb before anything is decompressed
        workbook = open_source(path, preloaded=preloaded)
        pairs = _parts_of(workbook, meta)
        if not pairs:
            result.refused = "认不出是哪本台账：没有找到住房安全、供水维修或教育资助台账的表头"
            return result, False
        mode = meta.mode if meta is not None else INCREMENTAL
        township = meta.township_code if meta is not None else None
        for ledger, sheet in pairs:
            head = sheet.head()
            if not head:
                raise UserError(f"工作表“{sheet.name}”是空的")
            layout = find_header(head, ledger, sheet.name)
            part = LedgerPart(ledger, sheet.name, mode)
            _read_part(part, sheet, layout, county, township, cancelled)
            if not part.townships:
                part.problems.append("表中没有记录，也没有注明乡镇")
            result.parts.append(part)
    except UserError as error:
        result.refused = str(error)
        return result, False
    if meta is not None and meta.content_sha256 and result.ok:
        result.content_sha256 = recomputed_content_hash(result.parts)
    return result, True


def _marker(connection: Connection) -> tuple[int, int]:
    """Grows with every submission received and every record written (any run, any desk)."""
    received = connection.scalar(select(func.coalesce(func.max(ReceivedSubmission.id), 0)))
    written = connection.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    return int(received or 0), int(written or 0)


def _judge(book: Book, connection: Connection, result: FileCollection) -> None:
    """Each part's status and the checks against what the county holds (at reading, and
    again under the write lock when another run wrote in between)."""
    result.marker = _marker(connection)
    result.refused, result.edits, result.shrinks = None, [], []
    for part in result.parts:
        part.status = _status(connection, result, part)
    _verify(book, connection, result)
    if not result.ok:
        for part in result.parts:
            if part.status is not Status.RECEIVED:
                part.status = Status.HELD if result.held and not result.refused else Status.REFUSED


def _verify(book: Book, connection: Connection, result: FileCollection) -> None:
    """The checks of :mod:`services.collect_checks` on a file whose rows are all good."""
    meta = result.meta
    todo = [p for p in result.parts if p.status is not Status.RECEIVED]
    if not result.ok or not todo or meta is None:
        return
    for part in todo:
        newer = newer_received(connection, meta, part)
        if newer is not None and meta.exported_at is not None:
            result.refused = stale_message(meta.exported_at, newer)
            return
    if meta.content_sha256 and result.content_sha256 != meta.content_sha256:
        result.edits = explain_edit(connection, meta, result.parts)
    limit = result.choices.shrink_limit or ShrinkLimit.from_settings(book.settings)
    for part in todo:
        if part.mode == FULL:
            result.shrinks.extend(shrink_reasons(connection, part, limit))


# --- writing ------------------------------------------------------------------------------


def _soft_delete_townships(
    connection: Connection, part: LedgerPart, operator: str, now: dt.datetime, source: int
) -> int:
    table = record_model(part.ledger).__table__
    live = (table.c.township_code.in_(part.townships), table.c.deleted_at.is_(None))
    retired = write_entries_for(
        connection,
        table,
        live,
        operator=operator,
        ledger=part.ledger.key,
        action=AUDIT_REPLACED,
        changes={"replaced_by_submission": source},
        at=now,
    )
    if retired:
        connection.execute(
            update(table)
            .where(*live)
            .values(
                deleted_at=now, updated_at=now, updated_by=operator, version=table.c.version + 1
            )
        )
    return retired


def _existing(connection: Connection, part: LedgerPart) -> dict[tuple[Any, ...], int]:
    table = record_model(part.ledger).__table__
    names = ("township_code", *part.ledger.natural_key)
    statement = select(table.c.id, *(table.c[n] for n in names)).where(
        table.c.township_code.in_(part.townships), table.c.deleted_at.is_(None)
    )
    return {tuple(row[1:]): row[0] for row in connection.execute(statement)}


def _mark_source(
    connection: Connection,
    part: LedgerPart,
    updated: Sequence[int],
    inserted: Sequence[int],
    source: int,
) -> None:
    """Point the written records at their submission. On SQLite the inserted ones form one
    range of ids (one writer at a time, new ids above every old one): one statement. On a
    server other desks may take ids in between, so the ids are named."""
    table = record_model(part.ledger).__table__
    mark = update(table).values(source_submission_id=source)
    if inserted and connection.dialect.name == "sqlite":
        connection.execute(mark.where(table.c.id.between(min(inserted), max(inserted))))
    else:
        updated = [*updated, *inserted]
    for start in range(0, len(updated), ID_CHUNK):
        connection.execute(mark.where(table.c.id.in_(updated[start : start + ID_CHUNK])))


def _received_row(
    result: FileCollection, part: LedgerPart, operator: str, now: dt.datetime
) -> dict[str, Any]:
    meta = result.meta
    return {
        "received_at": now,
        "operator": operator,
        "file_name": str(result.path.resolve()),
        "sha256": result.sha256,
        "content_sha256": result.content_sha256,
        "ledger": part.ledger.key,
        "county_code": (meta.county_code if meta else None)
        or (divisions().by_code[part.townships[0]].parent_code if part.townships else None),
        "township_code": part.townships[0] if len(part.townships) == 1 else None,
        "unit": meta.unit if meta else None,
        "mode": part.mode,
        "filters": json.dumps(
            {
                **(meta.filters if meta else {}),
                "townships": list(part.townships),
                **({"accepted_edited": True} if result.edits else {}),
            },
            ensure_ascii=False,
        ),
        "exported_at": meta.exported_at if meta else None,
        "program_version": meta.program_version if meta else None,
        "row_count": part.rows_read,
        "inserted": part.inserted,
        "updated": part.updated,
        "removed": part.removed,
    }


def _write_part(
    book: Book,
    connection: Connection,
    result: FileCollection,
    part: LedgerPart,
    operator: str,
    now: dt.datetime,
) -> None:
    key = connection.execute(
        insert(ReceivedSubmission).values(_received_row(result, part, operator, now))
    ).inserted_primary_key
    assert key is not None
    source = int(key[0])
    service = book.records(part.ledger)
    action = AUDIT_COLLECT_EDITED if result.edits else AUDIT_COLLECT
    if part.mode == FULL:
        part.removed = _soft_delete_townships(connection, part, operator, now, source)
        existing: dict[tuple[Any, ...], int] = {}
    else:
        existing = _existing(connection, part)
    names = part.ledger.natural_key
    fresh: list[Checked] = []
    written: list[int] = []
    for checked in part.checked:
        values = checked.values
        record_id = existing.get((values["township_code"], *(values[n] for n in names)))
        if record_id is None:
            fresh.append(checked)
            continue
        service.update_checked(connection, record_id, checked, operator, now, action)
        written.append(record_id)
    part.updated = len(written)
    ids = service.insert_checked(connection, fresh, operator, now, action)
    part.inserted = len(ids)
    _mark_source(connection, part, written, ids, source)
    connection.execute(
        update(ReceivedSubmission)
        .where(ReceivedSubmission.id == source)
        .values(inserted=part.inserted, updated=part.updated, removed=part.removed)
    )


def collect_file(
    book: Book,
    path: Path,
    *,
    dry_run: bool = False,
    cancelled: IsCancelled | None = None,
    choices: Choices | None = None,
    preloaded: Preloaded | None = None,
) -> FileCollection:
    """Inspect one file and, unless ``dry_run``, refused or held, take it in (one
    transaction)."""
    result = inspect_file(book, path, cancelled=cancelled, choices=choices, preloaded=preloaded)
    return _finish(book, result, dry_run=dry_run, cancelled=cancelled)


def _finish(
    book: Book, result: FileCollection, *, dry_run: bool, cancelled: IsCancelled | None
) -> FileCollection:
    """Take in an inspected file unless ``dry_run``, refused or held."""
    result.dry_run = dry_run
    todo = [p for p in result.parts if p.status is not Status.RECEIVED]
    if dry_run or not result.ok or not todo:
        _forget_rows(result)
        return result
    if cancelled is not None and cancelled():
        raise Cancelled()
    for attempt in (1, 2):
        try:
            todo = _take_in(book, result, cancelled)
            break
        except Cancelled:
            raise
        except ConflictError:
            if attempt == 1:
                # Another run wrote the same records meanwhile: once it has committed, judge
                # the file again and retry (its statuses may have changed).
                log.info("collect %s: conflict, retrying", result.path.name)
                result.marker = (-1, -1)
                continue
            _write_failed(result, ConflictError())
        except UserError as error:  # the server went away, the disk is full, the lock waited
            _write_failed(result, error)
            break
    log.info(
        "collected %s: %s",
        result.path.name,
        ", ".join(
            f"{p.ledger.key} {p.status} +{p.inserted} ~{p.updated} -{p.removed}" for p in todo
        ),
    )
    _forget_rows(result)
    return result


def _take_in(book: Book, result: FileCollection, cancelled: IsCancelled | None) -> list[LedgerPart]:
    """Write the file in one transaction; returns the parts written.

    On a server several desks (or two county clerks) may collect at once: the office-wide
    lock that imports take serialises the writes, and what the file does is judged again
    under it when anyone wrote since it was read, so two runs never take in one file twice
    or apply an older state over a newer one.
    """
    operator = book.operator
    now = dt.datetime.now()
    with book.writing() as connection, bulk_cache(connection, True):
        take_import_lock(connection, cancelled)
        if _marker(connection) != result.marker:
            _judge(book, connection, result)
        todo = [p for p in result.parts if p.status is not Status.RECEIVED]
        if not result.ok:
            return []
        for part in todo:
            part.inserted = part.updated = part.removed = 0
            _write_part(book, connection, result, part, operator, now)
    return todo


def _write_failed(result: FileCollection, error: UserError) -> None:
    """This file was not taken in (rolled back whole); the other files go on."""
    result.refused = f"写入数据库时出错，此文件没有接收（其他文件不受影响）：{error}"
    for part in result.parts:
        part.inserted = part.updated = part.removed = 0
        if part.status is not Status.RECEIVED:
            part.status = Status.REFUSED


def preview_file(book: Book, path: Path, *, cancelled: IsCancelled | None = None) -> FileCollection:
    """What taking in ``path`` would do, without keeping its rows (a month of files must
    not sit in memory while the clerk looks at the list)."""
    result = inspect_file(book, path, cancelled=cancelled)
    _forget_rows(result)
    return result


def _forget_rows(result: FileCollection) -> None:
    for part in result.parts:
        part.checked = []  # a dozen files of 10,000 rows must not stay in memory


def collect_files(
    book: Book,
    paths: Iterable[Path],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
    choices: Choices | None = None,
) -> list[FileCollection]:
    """Each file in turn, each all-or-nothing; a refused file does not stop the others.

    Files are taken in export order (oldest first, by their stamps; hand-made files, which
    have none, first), so the newest submission of a township is the one that stays. The
    results come back in the order the files were given.
    """
    given = list(paths)
    results: list[FileCollection | None] = [None] * len(given)
    order = _export_order(given)
    ordered = [given[index] for index in order]
    county = _desk_county(book) if given else ""
    chosen = choices or Choices()
    with (
        SheetPreloader(ordered) as preloader,
        ReadAhead(
            ordered,
            here=lambda k: read_file(ordered[k], county, chosen, cancelled, preloader.take(k)),
            elsewhere=partial(read_file, county=county, choices=chosen),
            helper=worth_a_helper(ordered),
        ) as files,
    ):
        for done, index in enumerate(order):
            if progress is not None:
                progress(done, len(given))
            if cancelled is not None and cancelled():
                raise Cancelled()
            result = _judged(book, files.take(done))
            results[index] = _finish(book, result, dry_run=dry_run, cancelled=cancelled)
    if progress is not None:
        progress(len(given), len(given))
    return [result for result in results if result is not None]


def _export_order(paths: Sequence[Path]) -> list[int]:
    """Positions of ``paths`` by the export time in their stamps (stable for equal times)."""
    times = []
    for path in paths:
        meta = read_metadata(path)
        times.append(meta.exported_at if meta is not None and meta.exported_at else dt.datetime.min)
    return sorted(range(len(paths)), key=times.__getitem__)


def received_submissions(book: Book) -> list[dict[str, Any]]:
    """What the county desk has taken in, newest first."""
    table = ReceivedSubmission.__table__
    with book.reading() as connection:
        rows = connection.execute(select(table).order_by(table.c.id.desc())).mappings().all()
    return [dict(row) for row in rows]
