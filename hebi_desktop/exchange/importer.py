"""Importing a clerk's spreadsheet into a ledger: all rows or none.

Each row is cleaned the way a careful clerk would (trimmed, full-width letters and digits
made half-width, dates and short choice forms understood — most of it by the same
per-field parsers the form uses) and then checked by the same validator as the form.
Every row is read and checked before the write lock is taken (other desks keep saving
meanwhile), and a new record's database row is made then too; the rows to write wait in a
spool that holds memory flat however long the sheet. With any error nothing is written;
the first ``MAX_ISSUES`` errors are listed and the rest only counted. Then one write
transaction writes the spooled rows, after making sure no record with one of their keys
was added or removed in the meantime.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError

from hebi_desktop.domain.fields import Issue, Ledger, Level
from hebi_desktop.domain.pinyin import warm_up
from hebi_desktop.domain.pinyin_columns import companion_columns
from hebi_desktop.domain.registry import UnknownLedger, get_ledger
from hebi_desktop.domain.validation import CellChecker, Checked, validator_for
from hebi_desktop.domain.values import shown
from hebi_desktop.domain.villages import known_villages
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange import ON_DUPLICATE
from hebi_desktop.exchange.cleaning import clean_for, is_footer
from hebi_desktop.exchange.headers import HeaderLayout, find_header
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.exchange.reader import Row, choose_sheet, open_source
from hebi_desktop.services.row_writer import PreparedRow
from hebi_desktop.services.spool import Spool
from hebi_desktop.storage.bulk_load import indexes_built_after
from hebi_desktop.storage.server import take_import_lock

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.records import RecordService

log = logging.getLogger(__name__)

BULK_CACHE_KIB = -65536  # negative: KiB (64 MB)
CHECK_EVERY = 500
MAX_ISSUES = 1000  # errors (and warnings) listed; the rest are counted
MAX_VILLAGE_EXAMPLES = 5  # unlisted village names shown as examples; the rest are counted
UNKNOWN_VILLAGE = "unknown_village"  # Issue.code of the village-list hint


Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True)
class RowIssue:
    row: int  # sheet row number as Excel shows it (1-based)
    column: str  # the header as written in the sheet ("" when about the whole row)
    value: str  # the cell's original value as text
    message: str  # Chinese, names the field and the rule
    level: Level

    def text(self) -> str:
        """第12行 身份证号“…”：message — one line for the command line."""
        where = f"第{self.row}行"
        if self.column:
            where += f" {self.column}"
        if self.value:
            where += f"“{shown(self.value)}”"  # at most ~50 characters of a huge cell
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do).

    ``inserted``/``updated``/``skipped`` count what was written; in a dry run, what would
    have been. With errors they count nothing that stayed: nothing is written.
    """

    ledger: str
    file: Path
    sheet: str
    rows_read: int
    inserted: int
    updated: int
    skipped: int
    errors: list[RowIssue]
    warnings: list[RowIssue]
    ignored_columns: list[str]
    dry_run: bool
    layout: HeaderLayout | None = field(default=None, repr=False)
    last_row: int = 0  # the sheet row of the last record read
    errors_omitted: int = 0  # errors found beyond the first MAX_ISSUES (not listed)
    warnings_omitted: int = 0
    # Village names not in the township's list: hints only (the rows are imported as they
    # are and not flagged; villages merge and rename). One example row per distinct name,
    # at most MAX_VILLAGE_EXAMPLES, with the nearest known name in the message.
    village_hints: list[RowIssue] = field(default_factory=list)
    village_hint_rows: int = 0  # rows with an unlisted village name
    village_hint_names: int = 0  # distinct unlisted (township, village) names

    def village_hint_text(self) -> str:
        """ "N 行的行政村不在所属乡镇的村名单中（M 个村名）…" for the summaries, else ""."""
        if not self.village_hint_rows:
            return ""
        return (
            f"{self.village_hint_rows} 行的行政村不在所属乡镇的村名单中"
            f"（{self.village_hint_names} 个村名，照常导入，请核对是否写错）"
        )

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_omitted

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + self.warnings_omitted

    def omitted_text(self) -> str:
        """ "另有 N 处错误未列出" when errors were only counted, else ""."""
        parts = []
        if self.errors_omitted:
            parts.append(f"另有 {self.errors_omitted} 处错误未列出")
        if self.warnings_omitted:
            parts.append(f"另有 {self.warnings_omitted} 处提醒未列出")
        return "；".join(parts)

    def write_report(self, target: Path, *, full_ids: bool = False) -> Path:
        """The report workbook: every issue, and the original rows with bad cells marked
        (ID numbers and phones masked unless ``full_ids``)."""
        from hebi_desktop.exchange.report import write_report

        return write_report(self, Path(target), full_ids=full_ids)


def _cell_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _RowReader:
    """Turns sheet rows into the raw mappings the validator takes."""

    def __init__(self, layout: HeaderLayout) -> None:
        self.pairs = [(c.index, c.field.name) for c in layout.columns]
        self.prepares = [
            (c.field.name, prepare)
            for c in layout.columns
            if (prepare := clean_for(c.field, c.scale)) is not None
        ]
        self.width = max((c.index for c in layout.columns), default=0) + 1
        self.where = {c.field.name: (c.index, c.header) for c in layout.columns}
        self.columns = [
            (c.index, c.field.name, clean_for(c.field, c.scale)) for c in layout.columns
        ]

    def checker(self, ledger: Ledger) -> CellChecker:
        """The ledger's checks for this sheet's rows, as :meth:`raw` then the validator's
        ``check`` would find, for one import or collected file."""
        return validator_for(ledger).cell_checker(self.columns)

    def raw(self, cells: list[Any]) -> dict[str, Any] | None:
        """The row's values by field name; None for a row without any."""
        if len(cells) < self.width:
            cells = cells + [None] * (self.width - len(cells))
        raw = {
            name: value
            for index, name in self.pairs
            if (value := cells[index]) != "" and value is not None
        }
        if not raw:
            return None
        for name, prepare in self.prepares:
            value = raw.get(name)
            if value is not None:
                raw[name] = prepare(value)
        return raw

    def issue(self, number: int, cells: list[Any], issue: Issue, ledger: Ledger) -> RowIssue:
        index, header = self.where.get(issue.field, (None, ledger.field(issue.field).header))
        value = cells[index] if index is not None and index < len(cells) else None
        return RowIssue(number, header, _cell_text(value), issue.message, issue.level)


@contextmanager
def _closing(rows: Iterator[Row]) -> Iterator[None]:
    """Close ``rows`` at the end if it can be closed (a generator, a helper's rows)."""
    try:
        yield
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _checked_rows(
    rows: Iterator[Row], layout: HeaderLayout, check: Callable[[list[Any]], Checked | None]
) -> Iterator[tuple[int, list[Any], Checked]]:
    """The sheet's records, each with its cells and as the validator found it."""
    for number, cells in rows:
        if number < layout.data_start:
            continue
        if is_footer(cells):
            return
        checked = check(cells)
        if checked is not None:  # not an empty row, nor one of spaces
            yield number, cells, checked


def _single(name: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    return lambda values: (values[name],)


@contextmanager
def bulk_cache(connection: Connection, writing: bool) -> Iterator[None]:
    """A bigger SQLite page cache while 100,000 rows go into a table with six indexes:
    the index pages stay in memory instead of spilling to the log mid-transaction (an
    import's write, and each file a county collects)."""
    if not writing or connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
    connection.exec_driver_sql(f"PRAGMA cache_size={BULK_CACHE_KIB}")
    try:
        yield
    finally:
        # after a database error the transaction only accepts a rollback: keep that error
        with suppress(Exception):
            connection.exec_driver_sql(f"PRAGMA cache_size={previous}")


def _key_text(values: tuple[Any, ...]) -> str:
    """A natural key as one short string: a million keys held as tuples of a string and a
    date took twice the memory (``\x00`` never survives the form's or the import's checks)."""
    return "\x00".join(map(str, values))


def _existing_keys(connection: Connection, service: RecordService) -> dict[str, int]:
    table = service.table
    names = service.ledger.natural_key
    statement = select(table.c.id, *(table.c[n] for n in names)).where(table.c.deleted_at.is_(None))
    return {_key_text(tuple(row[1:])): row[0] for row in connection.execute(statement)}


def import_workbook(
    book: Book,
    ledger: str,
    source: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    on_duplicate: str = "error",
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
    limits: Limits | None = None,
    waiting: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import one sheet of ``source`` into ``ledger``; see the module docstring.

    ``waiting`` is told (in Chinese) when another desk's import on the same server
    must finish first.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise UserError(f"重复记录的处理方式应为 error、skip 或 update（现为“{on_duplicate}”）")
    try:
        declaration = get_ledger(ledger)
    except UnknownLedger as error:
        raise UserError(str(error)) from None
    source = Path(source)
    chosen = choose_sheet(open_source(source, limits), declaration, sheet)
    head = chosen.head()
    if not head:
        raise UserError(f"工作表“{chosen.name}”是空的")
    layout = find_header(head, declaration, chosen.name)
    result = ImportResult(
        ledger=declaration.key,
        file=source,
        sheet=chosen.name,
        rows_read=0,
        inserted=0,
        updated=0,
        skipped=0,
        errors=[],
        warnings=[],
        ignored_columns=list(layout.ignored),
        dry_run=dry_run,
        layout=layout,
    )
    total = max(chosen.height - layout.data_start + 1, 1)
    try:
        # The rows first: a helper process reading a big sheet (exchange/sheet_process.py)
        # starts now, while this one gets ready. Closed however the reading ends (a
        # cancel, an error): the helper stops with it.
        sheet_rows = chosen.rows(fill_merged_from=layout.data_start)
        with Spool() as spool, _closing(sheet_rows):
            run = _Run(book, declaration, layout, result, on_duplicate, progress, cancelled, spool)
            with book.reading() as connection:
                run.existing = _existing_keys(connection, run.service)
            if companion_columns(declaration):
                warm_up()  # pypinyin's tables, before the first row needs them
            for number, cells, checked in _checked_rows(sheet_rows, layout, run.check):
                run.row(number, cells, checked, total)
            chosen.release()  # before writing: the sheet's cells are no longer needed
            if result.errors:
                result.inserted = result.updated = result.skipped = 0
            elif not dry_run:
                with book.writing() as connection, bulk_cache(connection, True):
                    take_import_lock(connection, cancelled, waiting)
                    run.write(connection)
    except OperationalError as error:
        if "locked" not in str(error.orig):
            raise
        raise UserError(
            "数据库正被另一个程序写入（可能是另一位同事在保存），请稍后再导入"
        ) from None
    if progress is not None:
        progress(total, total)
    log.info(
        "import %s from %s/%s: read %d, inserted %d, updated %d, skipped %d, %d errors%s",
        declaration.key,
        source.name,
        chosen.name,
        result.rows_read,
        result.inserted,
        result.updated,
        result.skipped,
        result.error_count,
        " (dry run)" if dry_run else "",
    )
    return result


class _Run:
    """The state of one import while its rows stream through."""

    def __init__(
        self,
        book: Book,
        ledger: Ledger,
        layout: HeaderLayout,
        result: ImportResult,
        on_duplicate: str,
        progress: Progress | None,
        cancelled: IsCancelled | None,
        spool: Spool,
    ) -> None:
        self.book = book
        self.ledger = ledger
        self.layout = layout
        self.result = result
        self.on_duplicate = on_duplicate
        self.progress = progress
        self.cancelled = cancelled
        # to write: (None, a new record's prepared row) or (existing record id, checked row)
        self.spool = spool
        self.service = book.records(ledger)
        self.reader = _RowReader(layout)
        self.check = self.reader.checker(ledger).check  # for the sheet's cells
        names = ledger.natural_key
        self.key_of = operator.itemgetter(*names) if len(names) > 1 else _single(names[0])
        self.seen: dict[str, int] = {}  # natural key (see _key_text) → its first sheet row
        self.existing: dict[str, int] = {}
        self.operator = book.operator
        self.now = dt.datetime.now()
        self.new_rows = self.service.new_rows(book.engine.dialect, self.operator, self.now)
        self.villages = (
            known_villages() if any(f.name == "village" for f in ledger.stored_fields) else None
        )
        self.village_seen: dict[tuple[Any, Any], bool] = {}  # place → unlisted

    def _error(self, issue: RowIssue) -> None:
        errors = self.result.errors
        if len(errors) < MAX_ISSUES:
            errors.append(issue)
        else:
            self.result.errors_omitted += 1
        if len(errors) == 1 and not self.result.errors_omitted:
            self.spool.close()  # nothing will be written: free what waited

    def _warning(self, issue: RowIssue) -> None:
        if len(self.result.warnings) < MAX_ISSUES:
            self.result.warnings.append(issue)
        else:
            self.result.warnings_omitted += 1

    def row(self, number: int, cells: list[Any], checked: Checked, total: int) -> None:
        """Weigh one checked record against the others and the database."""
        result = self.result
        issues = checked.issues
        result.rows_read += 1
        result.last_row = number
        if result.rows_read % CHECK_EVERY == 0:
            if self.cancelled is not None and self.cancelled():
                raise Cancelled()
            if self.progress is not None:
                self.progress(min(number - self.layout.data_start + 1, total), total)
        if issues and not checked.ok:
            for issue in issues:
                if issue.level is Level.ERROR:
                    self._error(self.reader.issue(number, cells, issue, self.ledger))
            return
        values = checked.values
        key = _key_text(self.key_of(values))
        first = self.seen.get(key)
        if first is not None:
            self._error(
                RowIssue(
                    number,
                    "",
                    "",
                    f"与第{first}行重复（{self.ledger.key_text(values)}）：同一条记录不能出现两次",
                    Level.ERROR,
                )
            )
            return
        self.seen[key] = number
        existing = self.existing.get(key)
        if existing is not None:
            if self.on_duplicate == "error":
                self._error(
                    RowIssue(
                        number,
                        "",
                        "",
                        f"已有相同的记录（记录编号{existing}，{self.ledger.key_text(values)}）；"
                        "要用表中数据更新它请选“更新已有记录”，要保留原记录请选“跳过”",
                        Level.ERROR,
                    )
                )
                return
            if self.on_duplicate == "skip":
                result.skipped += 1
                return
        if issues:  # only warnings are left
            for issue in issues:
                self._warning(self.reader.issue(number, cells, issue, self.ledger))
        if self.villages is not None:
            self._check_village(number, cells, values)
        if existing is not None:
            result.updated += 1
        else:
            result.inserted += 1
        if not result.errors and not result.dry_run:
            if existing is None:
                self.spool.append((None, self.new_rows.prepare(checked)))
            else:
                self.spool.append((existing, checked))

    def _check_village(self, number: int, cells: list[Any], values: dict[str, Any]) -> None:
        """Count an unlisted village name; the first row of each name becomes an example.

        Looked up once per distinct name: a sheet of 100,000 rows has a few dozen villages.
        """
        place = (values.get("township_code"), values.get("village"))
        unlisted = self.village_seen.get(place)
        if unlisted is False:
            return
        result = self.result
        if unlisted is None:
            assert self.villages is not None
            hint = self.villages.hint(*place)
            self.village_seen[place] = hint is not None
            if hint is None:
                return
            result.village_hint_names += 1
            if len(result.village_hints) < MAX_VILLAGE_EXAMPLES:
                issue = Issue(Level.WARNING, "village", hint, UNKNOWN_VILLAGE)
                result.village_hints.append(self.reader.issue(number, cells, issue, self.ledger))
        result.village_hint_rows += 1

    def write(self, connection: Connection) -> None:
        """Write the spooled rows inside the caller's write transaction."""
        now_existing = _existing_keys(connection, self.service)
        changed = self.existing != now_existing and any(
            self.existing.get(key) != now_existing.get(key) for key in self.seen
        )
        if changed:
            raise UserError(
                "读取表格期间，其他程序或同事新增或删除了表中的记录，本次未导入任何记录；请重新导入"
            )
        # The keys have done their work: a million of them take 150 MB, which the write
        # (its page cache, and the sorting of rebuilt indexes) can use instead.
        self.seen.clear()
        self.existing.clear()
        del now_existing
        service, operator_, now = self.service, self.operator, self.now
        with indexes_built_after(connection, service.table.name, self.result.inserted):
            for batch in self.spool.batches():
                inserts: list[PreparedRow] = []
                for existing, item in batch:
                    if existing is None:
                        inserts.append(item)
                        continue
                    self.new_rows.insert(connection, inserts)
                    inserts = []
                    service.update_checked(connection, existing, item, operator_, now)
                self.new_rows.insert(connection, inserts)
