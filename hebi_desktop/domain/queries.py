"""Declarative conditions and figures a ledger defines over its records.

A :class:`Watch` is a list of problems to act on (C/D houses not taken into
renovation, overdue repairs); a :class:`Measure` is a headline figure the city
reports (households checked, funds in 万元). Both are plain data here; the
storage layer turns them into portable SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    IN = "in"  # value is a tuple of accepted values
    IS = "is"  # value is True, False or None
    NOT_TRUE = "not_true"  # False or empty
    OLDER_THAN_DAYS = "older_than_days"  # a date field more than N days before today


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: Op
    value: Any = None


@dataclass(frozen=True, slots=True)
class Watch:
    """A named list of records needing action, opened from the overview."""

    key: str
    label: str
    conditions: tuple[Condition, ...]


class Aggregate(StrEnum):
    COUNT = "count"
    SUM = "sum"
    COUNT_DISTINCT = "count_distinct"


@dataclass(frozen=True, slots=True)
class Measure:
    """One reported figure: a count or sum, optionally over records matching conditions.

    ``divisor`` turns 元 into 万元 (10000) or persons into 万人.
    """

    key: str
    label: str
    aggregate: Aggregate
    field: str | None = None
    conditions: tuple[Condition, ...] = ()
    divisor: int = 1
    decimals: int = 0
