"""Checking the ledgers against the rosters, and the 已核实 marks that silence a hint.

The rosters' people are read once into dictionaries (200,000 people take a fraction of a
second), then every live record of the ledgers the rules read is streamed by and
checked in memory: no query per record. A roster kind and area may have several versions
(a newer roster replaces the older, which is kept); a record is compared with the version
in force on its date, the earliest one for a date before all of them. A re-import with
the same as-of date withdraws the earlier copy entirely.

A hint marked "已核实，情况属实" stays hidden while the record is unchanged: the mark
keeps a fingerprint of the record's stored values, and any edit changes it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, delete, insert, select

from hebi_desktop.domain.fields import Ledger, Values
from hebi_desktop.domain.record_ref import RecordRef
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.domain.roster_rules import OnRoster, RosterRule, roster_rule, rules_for
from hebi_desktop.errors import Cancelled, RecordNotFound, UserError
from hebi_desktop.services import audit
from hebi_desktop.services.convert import from_row, stored_names
from hebi_desktop.services.rosters import RosterInfo, roster_info
from hebi_desktop.storage.models import (
    HintConfirmation,
    Roster,
    RosterHintRow,
    RosterPerson,
    record_model,
)

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Operated

log = logging.getLogger(__name__)

BATCH = 5000
CONFIRM_ACTION = "confirm"


class _Version:
    """One roster version in force from its as-of date, with its people by ID number."""

    def __init__(self, info: RosterInfo) -> None:
        self.info = info
        self.label = info.label  # read once per record with a hint: computed once
        self.people: dict[str, OnRoster] = {}

    def find(self, id_number: str) -> OnRoster | None:
        return self.people.get(id_number)


class _Lookup:
    """The rosters by kind and area, each area's versions ordered by as-of date."""

    def __init__(self, versions: Iterable[_Version]) -> None:
        self.by_kind_area: dict[tuple[str, str | None], list[_Version]] = {}
        for version in versions:
            key = (version.info.kind, version.info.area_code)
            self.by_kind_area.setdefault(key, []).append(version)
        self.days: dict[tuple[str, str | None], list[dt.date]] = {}
        for key, listed in self.by_kind_area.items():
            listed.sort(key=lambda v: v.info.as_of)
            self.days[key] = [v.info.as_of for v in listed]

        self.places: dict[tuple[str, Any, Any], list[tuple[list[dt.date], list[_Version]]]] = {}

    def covering(self, kind: str, values: Values, day: dt.date) -> list[_Version]:
        place = (kind, values.get("county_code"), values.get("township_code"))
        areas = self.places.get(place)
        if areas is None:  # a few dozen places: each one's rosters are looked up once
            areas = self.places[place] = [
                (self.days[(kind, area)], self.by_kind_area[(kind, area)])
                for area in (None, place[1], place[2])
                if (kind, area) in self.by_kind_area
            ]
        return [listed[max(bisect.bisect_right(days, day) - 1, 0)] for days, listed in areas]


def _effective(rosters: Sequence[RosterInfo]) -> list[RosterInfo]:
    """Every version of each kind and area but those a later import of the same as-of date
    replaced (a corrected copy withdraws the earlier one)."""
    latest: dict[tuple[str, str | None, dt.date], RosterInfo] = {}
    for roster in rosters:
        key = (roster.kind, roster.area_code, roster.as_of)
        if key not in latest or roster.id > latest[key].id:
            latest[key] = roster
    return sorted(latest.values(), key=lambda r: r.id)


def _load(connection: Connection) -> _Lookup:
    rosters = [roster_info(row) for row in connection.execute(select(Roster.__table__))]
    versions = {r.id: _Version(r) for r in _effective(rosters)}
    if versions:
        people = cast(Table, RosterPerson.__table__)
        statement = select(
            people.c.roster_id, people.c.id_number, people.c.ended, people.c.status
        ).where(people.c.roster_id.in_(list(versions)))
        cache: dict[tuple[int, bool, str | None], OnRoster] = {}
        for roster_id, number, ended, status in connection.execute(statement):
            version = versions[roster_id]
            key = (roster_id, bool(ended), status if ended else None)
            entry = cache.get(key)
            if entry is None:
                entry = cache[key] = OnRoster(version.label, bool(ended), status)
            version.people[number] = entry
    return _Lookup(versions.values())


def fingerprint(ledger: Ledger, row: Mapping[Any, Any]) -> str:
    """A digest of a record's stored values as read from its table: changes on any edit."""
    values = [str(row[name]) for name in stored_names(ledger)]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RosterHint:
    rule: RosterRule
    record: RecordRef
    message: str  # Chinese; names the roster and its date, never a person

    @property
    def ledger(self) -> Ledger:
        return get_ledger(self.record.ledger)


@dataclass
class RosterCheck:
    hints: list[RosterHint] = field(default_factory=list)
    records: int = 0  # records checked
    confirmed: int = 0  # hints hidden by an 已核实 mark on an unchanged record
    rosters: int = 0  # roster versions compared with


def _confirmations(connection: Connection, ledger: Ledger) -> dict[tuple[int, str], str]:
    table = cast(Table, HintConfirmation.__table__)
    statement = (
        select(table.c.record_id, table.c.rule, table.c.fingerprint)
        .where(table.c.ledger == ledger.key)
        .order_by(table.c.id)
    )
    return {(rid, rule): print_ for rid, rule, print_ in connection.execute(statement)}


def _ref(ledger: Ledger, row: Mapping[Any, Any]) -> RecordRef:
    return RecordRef(
        ledger.key,
        row["id"],
        row["township_code"],
        row["village"] or "",
        row[ledger.name_field] or "",
        row.get("id_number"),
    )


def check_rosters(
    book: Operated,
    ledgers: Sequence[Ledger] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    save: bool = False,
) -> RosterCheck:
    """Every roster hint of every live record (those marked 已核实 and unchanged left out).

    With ``save`` the hints replace those of the last check, so 待核实 lists the records.
    """
    result = RosterCheck()
    chosen = [(ledger, rules_for(ledger)) for ledger in (ledgers or all_ledgers())]
    chosen = [(ledger, rules) for ledger, rules in chosen if rules]
    with book.reading() as connection:
        lookup = _load(connection)
        result.rosters = sum(len(v) for v in lookup.by_kind_area.values())
        if not result.rosters:
            return result
        for ledger, rules in chosen:
            confirmed = _confirmations(connection, ledger)
            table = record_model(ledger).__table__
            statement = select(table).where(table.c.deleted_at.is_(None)).order_by(table.c.id)
            rows = connection.execution_options(yield_per=BATCH).execute(statement)
            for partition in rows.partitions(BATCH):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                for row in partition:
                    mapping = row._mapping
                    result.records += 1
                    values = from_row(ledger, mapping)
                    for rule in rules:
                        message = rule.check(ledger, values, lookup)
                        if message is None:
                            continue
                        mark = confirmed.get((mapping["id"], rule.code))
                        if mark is not None and mark == fingerprint(ledger, mapping):
                            result.confirmed += 1
                            continue
                        result.hints.append(RosterHint(rule, _ref(ledger, mapping), message))
                if progress is not None:
                    progress(result.records, 0)
    if save:
        _save_hints(book, [ledger for ledger, _rules in chosen], result.hints)
    log.info(
        "roster check: %d records, %d hints, %d confirmed",
        result.records,
        len(result.hints),
        result.confirmed,
    )
    return result


def _save_hints(book: Operated, ledgers: Sequence[Ledger], hints: Sequence[RosterHint]) -> None:
    table = cast(Table, RosterHintRow.__table__)
    now = dt.datetime.now()
    rows = [
        {
            "ledger": hint.record.ledger,
            "record_id": hint.record.record_id,
            "rule": hint.rule.code,
            "message": hint.message,
            "checked_at": now,
        }
        for hint in hints
    ]
    with book.writing() as connection:
        connection.execute(delete(table).where(table.c.ledger.in_([x.key for x in ledgers])))
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])


def confirm_hint(
    book: Operated,
    ledger: str | Ledger,
    record_id: int,
    rule: str,
    reason: str,
    operator: str | None = None,
) -> None:
    """Mark a hint "已核实，情况属实" with the reason, audited; hidden until the record changes."""
    ledger = get_ledger(ledger) if isinstance(ledger, str) else ledger
    try:
        declared = roster_rule(rule)
    except KeyError:
        raise UserError(f"没有名为“{rule}”的名单核查规则") from None
    reason = (reason or "").strip()
    if not reason:
        raise UserError("请填写核实的理由（如“已入户核实，名单待更新”）")
    operator = operator or book.operator
    now = dt.datetime.now()
    table = record_model(ledger).__table__
    with book.writing() as connection:
        row = connection.execute(select(table).where(table.c.id == record_id)).first()
        if row is None or row._mapping["deleted_at"] is not None:
            raise RecordNotFound(record_id)
        connection.execute(
            insert(HintConfirmation).values(
                ledger=ledger.key,
                record_id=record_id,
                rule=declared.code,
                fingerprint=fingerprint(ledger, row._mapping),
                reason=reason,
                operator=operator,
                at=now,
            )
        )
        hints = cast(Table, RosterHintRow.__table__).c
        connection.execute(
            delete(RosterHintRow).where(
                hints.ledger == ledger.key,
                hints.record_id == record_id,
                hints.rule == declared.code,
            )
        )
        audit.write_entry(
            connection,
            operator=operator,
            ledger=ledger.key,
            record_id=record_id,
            action=CONFIRM_ACTION,
            changes={"核实": [None, f"{declared.label}：已核实，情况属实（{reason}）"]},
            at=now,
        )
