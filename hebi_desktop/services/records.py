"""Create, change, delete, restore and find the records of one ledger.

Every write is one transaction that also writes its audit entry; a write either
happens whole or not at all. Duplicates are checked inside the same (write-locked)
transaction, and a partial unique index on the natural key backs that up.
Edits carry the version the clerk saw: a stale one is refused, never applied.
"""

from __future__ import annotations

import builtins
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Dialect, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hebi_desktop.domain.fields import Issue, Ledger
from hebi_desktop.domain.validation import Checked, validator_for
from hebi_desktop.errors import (
    DuplicateRecord,
    RecordNotFound,
    StaleRecord,
    ValidationFailed,
)
from hebi_desktop.services import audit, villages
from hebi_desktop.services.convert import from_row, to_row, with_derived
from hebi_desktop.services.querying import RecordQuery, order_clauses, where_clauses
from hebi_desktop.services.row_writer import WARNING_SEPARATOR, NewRows, warning_columns
from hebi_desktop.storage.models import RosterHintRow, record_model

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Transactions

log = logging.getLogger(__name__)

# A record's state (second keying): entered, verified by a second keying, submitted.
ENTERED_LABEL = "已录入"
VERIFIED_LABEL = "已复核"
SUBMITTED_LABEL = "已报送"
STATE_CHANGE = "复核状态"  # the audit line of a change of state


@dataclass(slots=True)
class Record:
    """One stored record: its values (stored and derived) and bookkeeping."""

    id: int
    version: int
    values: dict[str, Any]
    flagged: bool
    warnings: list[str]
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
    deleted_at: dt.datetime | None = None
    verified_at: dt.datetime | None = None  # second keying (services/verification.py)
    verified_by: str | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


@dataclass(slots=True)
class SaveResult:
    record: Record
    warnings: list[Issue] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now()


class RecordService:
    def __init__(
        self,
        book: Transactions,
        ledger: Ledger,
        *,
        history: audit.AuditService,
        operator: Callable[[], str],
    ) -> None:
        """``history`` reads the audit trail; ``operator`` names who saves when the caller
        does not (the settings' 填报人, read at each save so a change applies at once)."""
        self.book = book
        self._history = history
        self._operator = operator
        self.ledger = ledger
        self.model = record_model(ledger)
        self.table = self.model.__table__
        self.validator = validator_for(ledger)

    # --- checking -----------------------------------------------------------------

    def check(self, raw: Mapping[str, Any]) -> Checked:
        """Validate without saving (the form calls this as the clerk types)."""
        return self.validator.check(raw)

    def find_duplicate(
        self,
        values: Mapping[str, Any],
        exclude_id: int | None = None,
        connection: Connection | None = None,
    ) -> Record | None:
        """The live record with the same natural key, if any."""
        if any(values.get(name) is None for name in self.ledger.natural_key):
            return None
        c = self.table.c
        query = select(self.table).where(
            c.deleted_at.is_(None), *(c[n] == values[n] for n in self.ledger.natural_key)
        )
        if exclude_id is not None:
            query = query.where(c.id != exclude_id)
        if connection is not None:
            row = connection.execute(query.limit(1)).first()
        else:
            with self.book.reading() as reading:
                row = reading.execute(query.limit(1)).first()
        return None if row is None else self._record(row)

    def duplicate_error(self, values: Mapping[str, Any], existing: Record) -> DuplicateRecord:
        name_field = self.ledger.field(self.ledger.name_field)
        label = f"{name_field.header}{existing.values.get(self.ledger.name_field) or ''}"
        return DuplicateRecord(self.ledger.key_text(values), existing.id, label)

    def _checked_or_raise(self, raw: Mapping[str, Any]) -> Checked:
        checked = self.validator.check(raw)
        if not checked.ok:
            raise ValidationFailed(checked.errors)
        return checked

    # --- writes -------------------------------------------------------------------

    def create(self, raw: Mapping[str, Any], operator: str | None = None) -> SaveResult:
        checked = self._checked_or_raise(raw)
        operator = operator or self._operator()
        now = _now()
        row = self._row(checked, operator, now)
        row.update(version=1, created_at=now, created_by=operator)
        with self.book.writing() as connection:
            existing = self.find_duplicate(checked.values, connection=connection)
            if existing is not None:
                raise self.duplicate_error(checked.values, existing)
            record_id = self._insert(connection, row)
            audit.write_entry(
                connection,
                operator=operator,
                ledger=self.ledger.key,
                record_id=record_id,
                action="create",
                changes={k: [None, v] for k, v in checked.values.items() if v is not None},
                at=now,
            )
            self._remember_village(connection, checked.values, now)
        return SaveResult(self.get(record_id), checked.warnings)

    def update(
        self,
        record_id: int,
        raw: Mapping[str, Any],
        expected_version: int,
        operator: str | None = None,
    ) -> SaveResult:
        checked = self._checked_or_raise(raw)
        operator = operator or self._operator()
        now = _now()
        with self.book.writing() as connection:
            old = self._fetch(connection, record_id)
            if old is None:
                raise RecordNotFound(record_id)
            if old.deleted or old.version != expected_version:
                raise StaleRecord(record_id)
            existing = self.find_duplicate(checked.values, record_id, connection)
            if existing is not None:
                raise self.duplicate_error(checked.values, existing)
            row = self._row(checked, operator, now)
            row["version"] = expected_version + 1
            unverified = self._unverify(old, checked, row)
            changed = connection.execute(
                update(self.table)
                .where(self.table.c.id == record_id, self.table.c.version == expected_version)
                .values(row)
            ).rowcount
            if changed != 1:
                raise StaleRecord(record_id)
            self._forget_roster_hints(connection, record_id)
            old_values = {k: old.values.get(k) for k in checked.values}
            audit.write_entry(
                connection,
                operator=operator,
                ledger=self.ledger.key,
                record_id=record_id,
                action="update",
                changes=audit.changed_fields(old_values, checked.values) | unverified,
                at=now,
            )
            self._remember_village(connection, checked.values, now)
        return SaveResult(self.get(record_id), checked.warnings)

    def delete(
        self, record_id: int, expected_version: int | None = None, operator: str | None = None
    ) -> Record:
        """Soft delete: the record leaves every list and export but can be restored."""
        return self._set_deleted(record_id, expected_version, operator, delete=True)

    def restore(self, record_id: int, operator: str | None = None) -> Record:
        """Bring back a deleted record, unless an equal live record was entered since."""
        return self._set_deleted(record_id, None, operator, delete=False)

    def delete_many(
        self, versions: Mapping[int, int | None], operator: str | None = None
    ) -> list[Record]:
        """Soft-delete several records in one transaction: all of them, or none.

        ``versions`` maps each record id to the version the clerk saw (``None``: any).
        """
        return self._set_deleted_many(versions, operator, delete=True)

    def restore_many(self, record_ids: Iterable[int], operator: str | None = None) -> list[Record]:
        """Restore several deleted records in one transaction: all of them, or none."""
        return self._set_deleted_many(dict.fromkeys(record_ids), operator, delete=False)

    def _set_deleted(
        self, record_id: int, expected_version: int | None, operator: str | None, *, delete: bool
    ) -> Record:
        return self._set_deleted_many({record_id: expected_version}, operator, delete=delete)[0]

    def _set_deleted_many(
        self, versions: Mapping[int, int | None], operator: str | None, *, delete: bool
    ) -> list[Record]:
        operator = operator or self._operator()
        now = _now()
        with self.book.writing() as connection:
            for record_id, expected_version in versions.items():
                self._set_deleted_in(
                    connection, record_id, expected_version, operator, now, delete=delete
                )
        return self.fetch(list(versions))

    def _set_deleted_in(
        self,
        connection: Connection,
        record_id: int,
        expected_version: int | None,
        operator: str,
        now: dt.datetime,
        *,
        delete: bool,
    ) -> None:
        old = self._fetch(connection, record_id)
        if old is None:
            raise RecordNotFound(record_id)
        if old.deleted == delete or (
            expected_version is not None and old.version != expected_version
        ):
            raise StaleRecord(record_id)
        if not delete:
            existing = self.find_duplicate(old.values, record_id, connection)
            if existing is not None:
                raise self.duplicate_error(old.values, existing)
        connection.execute(
            update(self.table)
            .where(self.table.c.id == record_id)
            .values(
                deleted_at=now if delete else None,
                version=old.version + 1,
                updated_at=now,
                updated_by=operator,
            )
        )
        audit.write_entry(
            connection,
            operator=operator,
            ledger=self.ledger.key,
            record_id=record_id,
            action="delete" if delete else "restore",
            changes=None,
            at=now,
        )

    def insert_checked(
        self,
        connection: Connection,
        checked_rows: Iterable[Checked],
        operator: str,
        now: dt.datetime,
        action: str = "import",
    ) -> list[int]:
        """Insert already validated rows inside the caller's transaction (the importer's).

        Each row gets an audit entry; village uses are counted and written once per batch.
        """
        writer = self.new_rows(connection.dialect, operator, now, action)
        return writer.insert(connection, [writer.prepare(checked) for checked in checked_rows])

    def new_rows(
        self, dialect: Dialect, operator: str, now: dt.datetime, action: str = "import"
    ) -> NewRows:
        """A writer of new records whose rows can be prepared before the write transaction
        (the importer prepares each row as it reads it) and inserted a batch at a time."""
        return NewRows(self.ledger, self.table, dialect, operator, now, action)

    def update_checked(
        self,
        connection: Connection,
        record_id: int,
        checked: Checked,
        operator: str,
        now: dt.datetime,
        action: str = "import",
    ) -> None:
        """Replace a live record's values with already validated ones inside the caller's
        transaction (the importer's ``--on-duplicate update``), with its audit entry."""
        old = self._fetch(connection, record_id)
        if old is None or old.deleted:
            raise RecordNotFound(record_id)
        row = self._row(checked, operator, now)
        row["version"] = old.version + 1
        unverified = self._unverify(old, checked, row)
        connection.execute(update(self.table).where(self.table.c.id == record_id).values(row))
        self._forget_roster_hints(connection, record_id)
        audit.write_entry(
            connection,
            operator=operator,
            ledger=self.ledger.key,
            record_id=record_id,
            action=action,
            changes=audit.changed_fields(
                {k: old.values.get(k) for k in checked.values}, checked.values
            )
            | unverified,
            at=now,
        )
        self._remember_village(connection, checked.values, now)

    def _forget_roster_hints(self, connection: Connection, record_id: int) -> None:
        """The record changed: the last roster check's hints about it may no longer hold
        (the next check finds them again if they do)."""
        hints = RosterHintRow.__table__.c
        connection.execute(
            delete(RosterHintRow).where(
                hints.ledger == self.ledger.key, hints.record_id == record_id
            )
        )

    def _unverify(self, old: Record, checked: Checked, row: dict[str, Any]) -> dict[str, Any]:
        """A verified record whose verified field changes is 已录入 again: clear the mark
        in ``row`` and return the audit line saying so (else nothing)."""
        if not old.verified or all(
            old.values.get(name) == checked.values.get(name) for name in self.ledger.verify_fields
        ):
            return {}
        row.update(verified_at=None, verified_by=None)
        return {STATE_CHANGE: [VERIFIED_LABEL, ENTERED_LABEL]}

    def _row(self, checked: Checked, operator: str, now: dt.datetime) -> dict[str, Any]:
        row = to_row(self.ledger, checked.values)
        flagged, warnings = warning_columns(checked)
        row.update(flagged=flagged, warnings=warnings, updated_at=now, updated_by=operator)
        return row

    def _insert(self, connection: Connection, row: dict[str, Any]) -> int:
        try:
            result = connection.execute(insert(self.table).values(row))
        except IntegrityError:  # the partial unique index caught a race we did not
            existing = self.find_duplicate(from_row(self.ledger, row), connection=connection)
            if existing is not None:
                raise self.duplicate_error(from_row(self.ledger, row), existing) from None
            raise
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def _remember_village(
        self, connection: Connection, values: Mapping[str, Any], now: dt.datetime
    ) -> None:
        villages.remember(connection, Counter([(values["township_code"], values["village"])]), now)

    # --- reads --------------------------------------------------------------------

    def _record(self, row: Row[Any]) -> Record:
        mapping = row._mapping
        return Record(
            id=mapping["id"],
            version=mapping["version"],
            values=with_derived(self.ledger, from_row(self.ledger, mapping)),
            flagged=bool(mapping["flagged"]),
            warnings=mapping["warnings"].split(WARNING_SEPARATOR) if mapping["warnings"] else [],
            created_at=mapping["created_at"],
            created_by=mapping["created_by"],
            updated_at=mapping["updated_at"],
            updated_by=mapping["updated_by"],
            deleted_at=mapping["deleted_at"],
            verified_at=mapping["verified_at"],
            verified_by=mapping["verified_by"],
        )

    def _fetch(self, connection: Connection, record_id: int) -> Record | None:
        row = connection.execute(select(self.table).where(self.table.c.id == record_id)).first()
        return None if row is None else self._record(row)

    def get(self, record_id: int) -> Record:
        """The record, deleted or not; :class:`RecordNotFound` if it never existed."""
        with self.book.reading() as connection:
            record = self._fetch(connection, record_id)
        if record is None:
            raise RecordNotFound(record_id)
        return record

    def count(self, query: RecordQuery | None = None) -> int:
        query = query or RecordQuery()
        statement = (
            select(func.count())
            .select_from(self.table)
            .where(*where_clauses(self.ledger, self.table, query))
        )
        with self.book.reading() as connection:
            return int(connection.scalar(statement) or 0)

    def ids(self, query: RecordQuery | None = None) -> list[int]:
        """Ids of every matching record in display order: cheap even for 100,000 rows,
        so a table can hold ids and fetch rows lazily."""
        query = query or RecordQuery()
        statement = (
            select(self.table.c.id)
            .where(*where_clauses(self.ledger, self.table, query))
            .order_by(*order_clauses(self.ledger, self.table, query))
        )
        with self.book.reading() as connection:
            return list(connection.scalars(statement))

    def fetch(self, ids: Sequence[int]) -> list[Record]:
        """Records for ``ids`` (deleted or not), in the order given; missing ids are skipped."""
        if not ids:
            return []
        found: dict[int, Record] = {}
        hints = RosterHintRow.__table__.c
        with self.book.reading() as connection:
            for start in range(0, len(ids), 500):  # stay under parameter limits
                chunk = list(ids[start : start + 500])
                for row in connection.execute(select(self.table).where(self.table.c.id.in_(chunk))):
                    record = self._record(row)
                    found[record.id] = record
                hinted = select(hints.record_id, hints.message).where(
                    hints.ledger == self.ledger.key, hints.record_id.in_(chunk)
                )
                for record_id, message in connection.execute(hinted.order_by(hints.id)):
                    record = found[record_id]
                    record.flagged = True  # 待核实: the last roster check's hint
                    record.warnings.append(message)
        return [found[i] for i in ids if i in found]

    def list(
        self, query: RecordQuery | None = None, offset: int = 0, limit: int | None = None
    ) -> list[Record]:
        query = query or RecordQuery()
        statement = (
            select(self.table)
            .where(*where_clauses(self.ledger, self.table, query))
            .order_by(*order_clauses(self.ledger, self.table, query))
            .offset(offset)
        )
        if limit is not None:
            statement = statement.limit(limit)
        with self.book.reading() as connection:
            return [self._record(row) for row in connection.execute(statement)]

    def iter_items(
        self,
        query: RecordQuery | None = None,
        batch: int = 2000,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(id, values)`` (with derived columns) of every matching record, streamed in
        batches — what an export reads, without holding a whole ledger in memory."""
        query = query or RecordQuery()
        statement = (
            select(self.table)
            .where(*where_clauses(self.ledger, self.table, query))
            .order_by(*order_clauses(self.ledger, self.table, query))
        )
        with self.book.reading() as connection:
            result = connection.execution_options(yield_per=batch).execute(statement)
            for partition in result.partitions(batch):
                if cancelled is not None and cancelled():
                    return
                for row in partition:
                    mapping = row._mapping
                    yield mapping["id"], with_derived(self.ledger, from_row(self.ledger, mapping))

    def history(self, record_id: int) -> builtins.list[audit.HistoryEntry]:
        return self._history.history(self.ledger.key, record_id)

    def sums(self, query: RecordQuery | None = None) -> dict[str, Decimal]:
        """Money totals of the matching records (the 合计 row)."""
        query = query or RecordQuery()
        names = [f.name for f in self.ledger.money_fields]
        if not names:
            return {}
        statement = select(*(func.coalesce(func.sum(self.table.c[n]), 0) for n in names)).where(
            *where_clauses(self.ledger, self.table, query)
        )
        with self.book.reading() as connection:
            totals = connection.execute(statement).one()
        return {
            n: (Decimal(int(t)) / 100).quantize(Decimal("0.01"))
            for n, t in zip(names, totals, strict=True)
        }
