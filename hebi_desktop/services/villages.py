"""Villages remembered per township, most used first, for autocomplete."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hebi_desktop.domain.villages import known_villages
from hebi_desktop.storage.models import Village

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Transactions


def remember(connection: Connection, uses: Counter[tuple[str, str]], at: dt.datetime) -> None:
    """Count the uses of each (township code, village) inside the caller's transaction."""
    if not uses:
        return
    rows = [
        {"township_code": t, "name": v, "use_count": n, "last_used": at}
        for (t, v), n in uses.items()
    ]
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        statement = module.insert(Village)
        statement = statement.on_conflict_do_update(
            index_elements=["township_code", "name"],
            set_={
                "use_count": Village.use_count + statement.excluded.use_count,
                "last_used": statement.excluded.last_used,
            },
        )
        connection.execute(statement, rows)  # executemany: one compiled statement
        return
    for row in rows:  # any other database: plain portable statements
        changed = connection.execute(
            update(Village)
            .where(Village.township_code == row["township_code"], Village.name == row["name"])
            .values(use_count=Village.use_count + row["use_count"], last_used=at)
        ).rowcount
        if not changed:
            connection.execute(insert(Village).values(row))


class VillageService:
    def __init__(self, book: Transactions) -> None:
        self._book = book

    def names(self, township_code: str | None) -> list[str]:
        """Villages of a township (all townships with ``None``), most used first."""
        query = select(Village.name).order_by(Village.use_count.desc(), Village.name)
        if township_code:
            query = query.where(Village.township_code == township_code)
        with self._book.reading() as connection:
            return list(dict.fromkeys(connection.scalars(query)))

    def completions(self, township_code: str | None) -> list[str]:
        """What the village field offers: the names this desk used (most used first), then
        the township's villages from the reference list, so a new desk completes real
        names from the first day."""
        listed = known_villages().names(township_code) if township_code else []
        return list(dict.fromkeys([*self.names(township_code), *listed]))
