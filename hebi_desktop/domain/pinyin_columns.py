"""Which columns of a ledger are kept with a pinyin sort key and pinyin initials.

A name or place column sorts in pinyin order and a clerk finds 张秀英 by typing ``zxy``.
Working these out per row at query time would read every row; instead each such column
has a stored companion written with the record (``<name>_pinyin``, ``<name>_initials``),
indexed and compared like any other column. The choice follows the declaration: the
ledger's name, key and search columns and the 行政村 place column, where they are text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.domain.pinyin import initials, sort_key

SORT_SUFFIX = "_pinyin"
INITIALS_SUFFIX = "_initials"
PLACE_TEXT_FIELDS = ("village",)


def sort_column(name: str) -> str:
    return name + SORT_SUFFIX


def initials_column(name: str) -> str:
    return name + INITIALS_SUFFIX


def _text_fields(ledger: Ledger, names: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        field = ledger.by_name.get(name)
        if field is not None and field.kind is Kind.TEXT and field.stored:
            seen[name] = None
    return tuple(seen)


@cache
def pinyin_sorted(ledger: Ledger) -> tuple[str, ...]:
    """Fields that sort by pinyin: name, key and search columns, and the village."""
    return _text_fields(
        ledger,
        (ledger.name_field, *ledger.key_columns, *ledger.search_fields, *PLACE_TEXT_FIELDS),
    )


@cache
def initials_searched(ledger: Ledger) -> tuple[str, ...]:
    """Search fields a clerk can also find by pinyin initials (names, not ID numbers)."""
    return _text_fields(ledger, ledger.search_fields)


@cache
def companion_columns(ledger: Ledger) -> tuple[str, ...]:
    """The stored companions of a row, in the order :func:`companion_values` gives them."""
    return (
        *(sort_column(name) for name in pinyin_sorted(ledger)),
        *(initials_column(name) for name in initials_searched(ledger)),
    )


@cache
def companion_makers(ledger: Ledger) -> tuple[tuple[str, Callable[[str], str]], ...]:
    """(field, function) for each companion column, in :func:`companion_columns` order."""
    return (
        *((name, sort_key) for name in pinyin_sorted(ledger)),
        *((name, initials) for name in initials_searched(ledger)),
    )


def companion_values(ledger: Ledger, values: Mapping[str, Any]) -> list[str | None]:
    """The companion columns of one row in :func:`companion_columns` order (an import
    makes 100,000 of them)."""
    get = values.get
    return [make(text) if (text := get(name)) else None for name, make in companion_makers(ledger)]


def pinyin_values(ledger: Ledger, values: Mapping[str, Any]) -> dict[str, str | None]:
    """The companion columns of one row, computed from its stored values."""
    return dict(zip(companion_columns(ledger), companion_values(ledger, values), strict=True))
