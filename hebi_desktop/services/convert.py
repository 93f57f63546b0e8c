"""Between typed domain values and database rows (money and area as whole hundredths)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.domain.pinyin_columns import pinyin_values

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def to_hundredths(value: Decimal | None) -> int | None:
    return None if value is None else int(value * HUNDRED)


def from_hundredths(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / HUNDRED).quantize(CENT)


@cache
def scaled_fields(ledger: Ledger) -> tuple[str, ...]:
    return tuple(f.name for f in ledger.stored_fields if f.kind in (Kind.MONEY, Kind.DECIMAL))


@cache
def stored_names(ledger: Ledger) -> tuple[str, ...]:
    return tuple(f.name for f in ledger.stored_fields)


def to_row(ledger: Ledger, values: Mapping[str, Any]) -> dict[str, Any]:
    """The stored columns of ``values``, with the pinyin sort keys and initials beside them."""
    row = {name: values.get(name) for name in stored_names(ledger)}
    for name in scaled_fields(ledger):
        row[name] = to_hundredths(row[name])
    row.update(pinyin_values(ledger, values))
    return row


def stored_values(ledger: Ledger, values: Mapping[str, Any]) -> tuple[Any, ...]:
    """The stored columns of ``values`` in :func:`stored_names` order, as the database holds
    them (hundredths for scaled kinds): the form an export's content hash is taken over."""
    row = [values.get(name) for name in stored_names(ledger)]
    for index in _scaled_positions(ledger):
        row[index] = to_hundredths(row[index])
    return tuple(row)


@cache
def _scaled_positions(ledger: Ledger) -> tuple[int, ...]:
    scaled = set(scaled_fields(ledger))
    return tuple(i for i, name in enumerate(stored_names(ledger)) if name in scaled)


def from_row(ledger: Ledger, row: Mapping[Any, Any]) -> dict[str, Any]:
    values = {name: row[name] for name in stored_names(ledger)}
    for name in scaled_fields(ledger):
        values[name] = from_hundredths(values[name])
    return values


@cache
def derivers(ledger: Ledger) -> tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...]:
    return tuple((f.name, f.derive) for f in ledger.fields if f.derive is not None)


def with_derived(ledger: Ledger, values: dict[str, Any]) -> dict[str, Any]:
    """Add the derived columns (性别, 出生日期) computed from the stored ones."""
    for name, derive in derivers(ledger):
        values[name] = derive(values)
    return values
