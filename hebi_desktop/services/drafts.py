"""Half-filled forms kept in the database so a crash or power cut does not lose them.

The form saves what the clerk has typed about once a second; at the next start the
program offers each draft back. Values are kept as the clerk typed them (text, 是/否,
dates and amounts as strings), not as checked values: a draft may hold a half-typed
ID number that no parser would accept yet, and it must come back exactly so.
Each save is one short transaction, so a power cut leaves either the old draft or
the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from hebi_desktop.storage.models import Draft

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DraftInfo:
    """One saved draft: which ledger and record it belongs to, and the typed-in values."""

    id: int
    ledger: str
    record_id: int | None  # None: a new record
    values: dict[str, Any]  # JSON values: str, int, bool or None (dates/amounts as text)
    updated_at: dt.datetime
    base_version: int | None = None  # the record version the edit started from

    @property
    def is_new(self) -> bool:
        return self.record_id is None


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot keep {type(value).__name__} in a draft")


def _encode(values: Mapping[str, Any], base_version: int | None) -> str:
    payload = {"values": dict(values), "base_version": base_version}
    return json.dumps(payload, ensure_ascii=False, default=_json_default, sort_keys=True)


def _decode(text: str) -> tuple[dict[str, Any], int | None]:
    try:
        payload = json.loads(text)
    except ValueError:
        log.warning("ignoring a draft that is not valid JSON")
        return {}, None
    if isinstance(payload, dict) and isinstance(payload.get("values"), dict):
        version = payload.get("base_version")
        return payload["values"], version if isinstance(version, int) else None
    if isinstance(payload, dict):  # a bare mapping of values
        return payload, None
    return {}, None


class DraftService:
    """Save, list and discard the drafts of a :class:`Book`."""

    def __init__(self, book: Book) -> None:
        self._book = book

    def save(
        self,
        ledger_key: str,
        record_id: int | None,
        values: Mapping[str, Any],
        draft_id: int | None = None,
        base_version: int | None = None,
    ) -> int:
        """Keep ``values`` and return the draft's id.

        With ``draft_id`` the existing draft is replaced (the form saves the same draft
        again and again); if it was discarded meanwhile a new one is made.
        """
        text = _encode(values, base_version)
        now = dt.datetime.now()
        with self._book.writing() as connection:
            if draft_id is not None:
                changed = connection.execute(
                    update(Draft)
                    .where(Draft.id == draft_id)
                    .values(
                        ledger=ledger_key, record_id=record_id, values_json=text, updated_at=now
                    )
                ).rowcount
                if changed == 1:
                    return draft_id
            result = connection.execute(
                insert(Draft).values(
                    ledger=ledger_key, record_id=record_id, values_json=text, updated_at=now
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def discard(self, draft_id: int) -> None:
        """Forget a draft (saved or cancelled form); unknown ids are ignored."""
        with self._book.writing() as connection:
            connection.execute(delete(Draft).where(Draft.id == draft_id))

    def get(self, draft_id: int) -> DraftInfo | None:
        with self._book.reading() as connection:
            row = connection.execute(select(Draft).where(Draft.id == draft_id)).first()
        return None if row is None else self._info(row)

    def list(self, ledger_key: str | None = None) -> list[DraftInfo]:
        """Drafts, oldest first; only those of one ledger when ``ledger_key`` is given."""
        query = select(Draft).order_by(Draft.updated_at, Draft.id)
        if ledger_key is not None:
            query = query.where(Draft.ledger == ledger_key)
        with self._book.reading() as connection:
            return [self._info(row) for row in connection.execute(query)]

    @staticmethod
    def _info(row: Any) -> DraftInfo:
        mapping = row._mapping
        values, version = _decode(mapping["values_json"])
        return DraftInfo(
            id=mapping["id"],
            ledger=mapping["ledger"],
            record_id=mapping["record_id"],
            values=values,
            updated_at=mapping["updated_at"],
            base_version=version,
        )
