"""The audit trail: every create, update, delete and restore, with old and new values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, Connection, Table, insert, literal, select

from hebi_desktop.storage.models import AuditEntry

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Transactions

ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "restore": "恢复",
    "import": "导入",
    "collect": "汇总接收",
    "collect_ed": "汇总接收（报送被改动过，经确认接收）",
    "replaced": "被新报送替换",
    "attach": "添加附件",
    "detach": "删除附件",
    "reattach": "恢复附件",
    "confirm": "核实提醒",
}


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    raise TypeError(type(value))


def dump_changes(changes: dict[str, Any] | None) -> str | None:
    if changes is None:
        return None
    return json.dumps(changes, ensure_ascii=False, default=_json_default, sort_keys=True)


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: dt.datetime
    operator: str
    action: str
    changes: dict[str, list[Any]]

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def write_entry(
    connection: Connection,
    *,
    operator: str,
    ledger: str,
    record_id: int,
    action: str,
    changes: dict[str, Any] | None,
    at: dt.datetime,
) -> None:
    """Add one audit entry inside the caller's transaction."""
    connection.execute(
        insert(AuditEntry).values(
            at=at,
            operator=operator,
            ledger=ledger,
            record_id=record_id,
            action=action,
            changes=dump_changes(changes),
        )
    )


def write_entries_for(
    connection: Connection,
    table: Table,
    where: Sequence[ColumnElement[bool]],
    *,
    operator: str,
    ledger: str,
    action: str,
    changes: dict[str, Any] | None,
    at: dt.datetime,
) -> int:
    """An audit entry for every record of ``table`` that ``where`` selects, in id order, in
    one ``INSERT … SELECT`` inside the caller's transaction (100,000 entries built row by
    row in Python cost more than the database's own work). Returns how many were written."""
    audit = cast(Table, AuditEntry.__table__)
    entries = (
        select(
            literal(at, audit.c.at.type),
            literal(operator, audit.c.operator.type),
            literal(ledger, audit.c.ledger.type),
            table.c.id,
            literal(action, audit.c.action.type),
            literal(dump_changes(changes), audit.c.changes.type),
        )
        .where(*where)
        .order_by(table.c.id)
    )
    columns = ("at", "operator", "ledger", "record_id", "action", "changes")
    return int(connection.execute(insert(audit).from_select(columns, entries)).rowcount)


class AuditService:
    def __init__(self, book: Transactions) -> None:
        self._book = book

    def history(self, ledger: str, record_id: int) -> list[HistoryEntry]:
        """The record's entries, oldest first."""
        query = (
            select(AuditEntry.at, AuditEntry.operator, AuditEntry.action, AuditEntry.changes)
            .where(AuditEntry.ledger == ledger, AuditEntry.record_id == record_id)
            .order_by(AuditEntry.id)
        )
        with self._book.reading() as connection:
            return [
                HistoryEntry(at, operator, action, json.loads(changes) if changes else {})
                for at, operator, action, changes in connection.execute(query)
            ]
