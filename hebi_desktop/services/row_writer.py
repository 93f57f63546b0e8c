"""New records of one ledger made ready to insert, then inserted a batch at a time.

An import of 100,000 rows spends as long turning checked values into database rows as
SQLite spends storing them. :meth:`NewRows.prepare` does that work once per row, while the
sheet is still being read (before the write lock is taken): stored columns, hundredths,
pinyin companions, the warnings and bookkeeping, every value already in the form the
database driver takes. What it returns is a tuple of plain values, cheap to keep in the
import's spool. :meth:`NewRows.insert` then writes a batch inside the caller's transaction
with one ``executemany`` and one set-based statement for the audit entries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.pinyin_columns import companion_columns, companion_makers
from hebi_desktop.domain.validation import Checked
from hebi_desktop.services import audit, villages
from hebi_desktop.services.convert import scaled_fields, stored_names, to_hundredths
from hebi_desktop.storage.models import AuditEntry

WARNING_SEPARATOR = "\n"
MEMO_LIMIT = 10_000  # distinct values converted once each, per column (dates, flags)
BOOKKEEPING = ("flagged", "warnings", "updated_at", "updated_by")
CREATION = ("version", "created_at", "created_by")

PreparedRow = tuple[Any, ...]
NO_WARNINGS = (False, None)  # warning_columns of a record without warnings


def warning_columns(checked: Checked) -> tuple[bool, str | None]:
    """A record's ``flagged`` and ``warnings`` columns: the list of records to look at
    again filters on the first, the form shows the second line by line."""
    messages = [issue.message for issue in checked.warnings]
    return bool(messages), WARNING_SEPARATOR.join(messages) or None


class NewRows:
    """Prepares and inserts new records of one ledger for one writer (one import, one
    collected file): the same operator, time and audit action for every row."""

    def __init__(
        self,
        ledger: Ledger,
        table: Table,
        dialect: Dialect,
        operator: str,
        now: dt.datetime,
        action: str,
    ) -> None:
        self.ledger = ledger
        self.table = table
        self.operator = operator
        self.now = now
        self.action = action
        self.sqlite = dialect.name == "sqlite"
        self._names = stored_names(ledger)
        self._stored = itemgetter(*self._names)  # a ledger has a dozen fields or more
        self._companions = companion_makers(ledger)
        self.columns: tuple[str, ...] = (
            *self._names,
            *companion_columns(ledger),
            *BOOKKEEPING,
            *CREATION,
        )
        scaled = set(scaled_fields(ledger))
        self._scaled = tuple(i for i, name in enumerate(self._names) if name in scaled)
        # where the place of a row is, for counting village uses (a ledger without one: None)
        self._place = (
            (self._names.index("township_code"), self._names.index("village"))
            if {"township_code", "village"} <= set(self._names)
            else None
        )
        # SQLite takes what SQLAlchemy's bind processors make of a value (dates as text):
        # done here, once per distinct value, so that the spool holds only plain values.
        processors = {
            name: processor
            for name in self.columns
            if self.sqlite and (processor := _bind_processor(table, name, dialect)) is not None
        }
        varying = len(self._names) + len(companion_columns(ledger)) + 2  # up to the warnings
        self._processors: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
            (index, processors[name], {})
            for index, name in enumerate(self.columns[:varying])
            if name in processors
        ]
        constant = dict(zip(self.columns[varying:], (now, operator, 1, now, operator), strict=True))
        self._tail = tuple(
            processors[name](value) if name in processors else value
            for name, value in constant.items()
        )

    def prepare(self, checked: Checked) -> PreparedRow:
        """The database row of a checked record, values as the driver takes them."""
        values = checked.values
        try:
            row = list(self._stored(values))
        except KeyError:  # not every field (the validator's values always have them all)
            row = [values.get(name) for name in self._names]
        for index in self._scaled:
            row[index] = to_hundredths(row[index])
        get = values.get
        append = row.append
        for name, make in self._companions:
            text = get(name)
            append(make(text) if text else None)
        if checked.issues:
            row.extend(warning_columns(checked))
        else:
            row += NO_WARNINGS
        for index, processor, memo in self._processors:
            value = row[index]
            if value is not None:
                stored = memo.get(value)
                if stored is None:
                    stored = processor(value)
                    if len(memo) < MEMO_LIMIT:
                        memo[value] = stored
                row[index] = stored
        row += self._tail
        return tuple(row)

    def insert(self, connection: Connection, rows: Sequence[PreparedRow]) -> list[int]:
        """Insert prepared rows inside the caller's transaction, each with its audit entry;
        village uses are counted once per batch. Returns the new ids in order."""
        if not rows:
            return []
        if self.sqlite:
            ids = self._insert_sqlite(connection, rows)
        else:
            statement = insert(self.table).returning(self.table.c.id, sort_by_parameter_order=True)
            columns = self.columns
            params = [dict(zip(columns, row, strict=True)) for row in rows]
            ids = list(connection.scalars(statement, params))
            self._audit(connection, ids)
        if self._place is not None:
            township, village = self._place
            places = Counter((row[township], row[village]) for row in rows)
            villages.remember(connection, places, self.now)
        return ids

    def _insert_sqlite(self, connection: Connection, rows: Sequence[PreparedRow]) -> list[int]:
        """A plain ``executemany`` of tuples: SQLAlchemy's per-row parameter handling costs as
        much as SQLite's own work for 100,000 rows. Inside our write transaction SQLite gives
        each new row the next rowid (one more than the largest), so the ids are known without
        RETURNING; that is checked, not assumed. The audit entries are then one
        ``INSERT … SELECT`` over that range of ids, in id order."""
        table = self.table
        highest = f'SELECT coalesce(max(id), 0) FROM "{table.name}"'
        first = int(connection.exec_driver_sql(highest).scalar() or 0)
        names = ", ".join(f'"{name}"' for name in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        connection.exec_driver_sql(statement, list(rows))
        last = int(connection.exec_driver_sql(highest).scalar() or 0)
        if last - first != len(rows):
            raise RuntimeError(f"{table.name}: expected {len(rows)} new rowids, got {last - first}")
        audit.write_entries_for(
            connection,
            table,
            (table.c.id > first, table.c.id <= last),
            operator=self.operator,
            ledger=self.ledger.key,
            action=self.action,
            changes=None,
            at=self.now,
        )
        return list(range(first + 1, last + 1))

    def _audit(self, connection: Connection, ids: Sequence[int]) -> None:
        entries = [
            {
                "at": self.now,
                "operator": self.operator,
                "ledger": self.ledger.key,
                "record_id": rid,
                "action": self.action,
                "changes": None,
            }
            for rid in ids
        ]
        connection.execute(insert(AuditEntry), entries)


def _bind_processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a value of this column before the driver sees it, if
    anything."""
    column_type = table.c[name].type.dialect_impl(dialect)
    return column_type.bind_processor(dialect)
