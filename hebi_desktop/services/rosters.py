"""Keeping the county's reference rosters: store one whole, replace by a newer, list them.

A roster arrives as a file the bureau sends every month or quarter. Storing it is one
transaction (the roster and all its people, or nothing). A newer roster of the same kind
and area replaces the one in force, which stays in the database as history: a housing
check made last spring is compared with the roster of last spring. A roster of an older
as-of date than the one in force is kept as history at once.

Rosters are personal data; they live in the database (and so in its backups), and nothing
here writes them to a file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, insert, select, update

from hebi_desktop.domain.divisions import Division, divisions
from hebi_desktop.domain.rosters import ROSTER_KINDS, UnknownRosterKind, roster_kind
from hebi_desktop.errors import UserError
from hebi_desktop.storage.models import Roster, RosterPerson

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Operated

log = logging.getLogger(__name__)

BATCH = 5000
PERSON_COLUMNS = ("row", "id_number", "name", "head_id_number", "head_name", "relation", "status")


@dataclass(frozen=True, slots=True)
class RosterInfo:
    """One stored roster as the list shows it."""

    id: int
    kind: str
    area_code: str | None
    source: str
    as_of: dt.date
    imported_at: dt.datetime
    imported_by: str
    people: int
    replaced_by_id: int | None

    @property
    def kind_name(self) -> str:
        return roster_kind(self.kind).name

    @property
    def area_name(self) -> str:
        return divisions().name(self.area_code) if self.area_code else "全部"

    @property
    def in_force(self) -> bool:
        return self.replaced_by_id is None

    @property
    def label(self) -> str:
        """农村低保名单（淇县，截至2024-06-30）: how messages name a roster."""
        return f"{self.kind_name}名单（{self.area_name}，截至{self.as_of:%Y-%m-%d}）"


@dataclass(frozen=True, slots=True)
class StoreResult:
    roster: RosterInfo
    replaced: tuple[RosterInfo, ...]  # the rosters it replaced (now history)
    superseded_by: RosterInfo | None  # set when a newer roster was already in force


def resolve_kind(name: str) -> str:
    """The kind's key for ``name`` (key or Chinese name), or a Chinese error."""
    try:
        return roster_kind(name).key
    except UnknownRosterKind as error:
        raise UserError(str(error)) from None


def resolve_area(name: str | None) -> str | None:
    """The division code of a county or township given by code or name (None: all)."""
    if name is None or not name.strip():
        return None
    text = name.strip()
    table = divisions()
    if text in table.by_code and table.by_code[text].level in ("county", "township"):
        return text
    found: Division | None = table.county_by_name(text) or table.township_by_name(text)
    if found is None:
        raise UserError(f"“{text}”不是鹤壁市的县区或乡镇名称（也可写区划代码）")
    return found.code


def roster_info(row: Any) -> RosterInfo:
    m = row._mapping
    return RosterInfo(
        m["id"],
        m["kind"],
        m["area_code"],
        m["source"],
        m["as_of"],
        m["imported_at"],
        m["imported_by"],
        m["people"],
        m["replaced_by_id"],
    )


def _same_area(area_code: str | None) -> Any:
    column = Roster.__table__.c.area_code
    return column.is_(None) if area_code is None else column == area_code


class RosterService:
    def __init__(self, book: Operated) -> None:
        self.book = book
        self.table = cast(Table, Roster.__table__)
        self.people = cast(Table, RosterPerson.__table__)

    def store(
        self,
        kind: str,
        area_code: str | None,
        as_of: dt.date,
        source: str,
        batches: Iterable[Sequence[dict[str, Any]]],
        operator: str | None = None,
    ) -> StoreResult:
        """Store a roster and its people in one transaction; replace the one in force."""
        operator = operator or self.book.operator
        now = dt.datetime.now()
        with self.book.writing() as connection:
            roster_id = int(
                connection.execute(
                    insert(self.table).values(
                        kind=kind,
                        area_code=area_code,
                        source=source,
                        as_of=as_of,
                        imported_at=now,
                        imported_by=operator,
                        people=0,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            count = 0
            for batch in batches:
                rows = [
                    {**{c: person.get(c) for c in PERSON_COLUMNS}, "roster_id": roster_id}
                    | {"ended": bool(person.get("ended"))}
                    for person in batch
                ]
                if rows:
                    connection.execute(insert(self.people), rows)
                    count += len(rows)
            connection.execute(
                update(self.table).where(self.table.c.id == roster_id).values(people=count)
            )
            replaced, newer = self._replace(connection, kind, area_code, as_of, roster_id)
            stored = self._get(connection, roster_id)
        log.info("roster %s stored: %d people, replaced %d", kind, count, len(replaced))
        return StoreResult(stored, replaced, newer)

    def _replace(
        self,
        connection: Connection,
        kind: str,
        area_code: str | None,
        as_of: dt.date,
        roster_id: int,
    ) -> tuple[tuple[RosterInfo, ...], RosterInfo | None]:
        c = self.table.c
        current = [
            roster_info(row)
            for row in connection.execute(
                select(self.table).where(
                    c.kind == kind,
                    _same_area(area_code),
                    c.replaced_by_id.is_(None),
                    c.id != roster_id,
                )
            )
        ]
        newer = [r for r in current if r.as_of > as_of]
        if newer:
            keeper = max(newer, key=lambda r: (r.as_of, r.id))
            connection.execute(
                update(self.table).where(c.id == roster_id).values(replaced_by_id=keeper.id)
            )
            return (), keeper
        if current:
            connection.execute(
                update(self.table)
                .where(c.id.in_([r.id for r in current]))
                .values(replaced_by_id=roster_id)
            )
        return tuple(current), None

    def _get(self, connection: Connection, roster_id: int) -> RosterInfo:
        statement = select(self.table).where(self.table.c.id == roster_id)
        return roster_info(connection.execute(statement).one())

    def list(self, include_history: bool = True) -> list[RosterInfo]:
        """The rosters by kind (in declaration order), area, then newest first."""
        statement = select(self.table)
        if not include_history:
            statement = statement.where(self.table.c.replaced_by_id.is_(None))
        with self.book.reading() as connection:
            found = [roster_info(row) for row in connection.execute(statement)]
        order = {k.key: i for i, k in enumerate(ROSTER_KINDS)}
        return sorted(
            found,
            key=lambda r: (order.get(r.kind, 99), r.area_code or "", -r.as_of.toordinal(), -r.id),
        )
