"""The headline figures the city reports, computed from the ledger declarations' measures.

One aggregate query per ledger (optionally grouped by township), portable SQL:
``stats``, the 汇总 sheet and the overview page all read the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, func, select

from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.domain.queries import Aggregate, Measure
from hebi_desktop.services.querying import RecordQuery, condition_clause, where_clauses
from hebi_desktop.storage.models import record_model

if TYPE_CHECKING:
    from sqlalchemy import Table

    from hebi_desktop.services.transactions import Reading


@dataclass(frozen=True, slots=True)
class Figure:
    measure: Measure
    value: Decimal

    def text(self) -> str:
        return f"{self.value:.{self.measure.decimals}f}"


@dataclass(frozen=True, slots=True)
class FigureRow:
    """Figures for one group (a township, a stage, or the whole ledger)."""

    label: str
    code: str | None
    figures: tuple[Figure, ...]

    def value(self, key: str) -> Decimal:
        return next(f.value for f in self.figures if f.measure.key == key)


def _measure_column(ledger: Ledger, table: Table, measure: Measure) -> ColumnElement[Any]:
    today = dt.date.today()
    condition = (
        and_(*(condition_clause(table, c, today) for c in measure.conditions))
        if measure.conditions
        else None
    )
    if measure.aggregate is Aggregate.COUNT:
        if condition is None:
            return func.count()
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
    assert measure.field is not None  # every aggregate but COUNT names its field
    column = table.c[measure.field]
    if measure.aggregate is Aggregate.COUNT_DISTINCT:
        target = column if condition is None else case((condition, column), else_=None)
        return func.count(func.distinct(target))
    target = column if condition is None else case((condition, column), else_=0)
    return func.coalesce(func.sum(target), 0)


def _figure(ledger: Ledger, measure: Measure, raw: Any) -> Figure:
    value = Decimal(int(raw or 0))
    if measure.field and ledger.field(measure.field).kind in (Kind.MONEY, Kind.DECIMAL):
        value /= 100  # stored as hundredths
    if measure.divisor != 1:
        value /= measure.divisor
    # Half up (四舍五入), as Excel's ROUND: 1.505 万元 is reported as 1.51, not 1.50.
    step = Decimal(1).scaleb(-measure.decimals)
    return Figure(measure, value.quantize(step, rounding=ROUND_HALF_UP))


class StatsService:
    def __init__(self, book: Reading) -> None:
        self._book = book

    def _rows(
        self, ledger: Ledger, query: RecordQuery | None, group: str | None
    ) -> list[tuple[str | None, tuple[Figure, ...]]]:
        table = record_model(ledger).__table__
        columns = [_measure_column(ledger, table, m) for m in ledger.measures]
        statement = select(*columns).where(*where_clauses(ledger, table, query or RecordQuery()))
        if group:
            statement = (
                select(table.c[group], *columns)
                .where(*where_clauses(ledger, table, query or RecordQuery()))
                .group_by(table.c[group])
                .order_by(table.c[group])
            )
        with self._book.reading() as connection:
            result = connection.execute(statement).all()
        rows: list[tuple[str | None, tuple[Figure, ...]]] = []
        for row in result:
            key, values = (row[0], row[1:]) if group else (None, row)
            rows.append(
                (
                    key,
                    tuple(
                        _figure(ledger, m, v) for m, v in zip(ledger.measures, values, strict=True)
                    ),
                )
            )
        return rows

    def headline(self, ledger: Ledger, query: RecordQuery | None = None) -> FigureRow:
        ((_key, figures),) = self._rows(ledger, query, None)
        return FigureRow("合计", None, figures)

    def by_township(self, ledger: Ledger, query: RecordQuery | None = None) -> list[FigureRow]:
        from hebi_desktop.domain.divisions import divisions

        table = divisions()
        rows = self._rows(ledger, query, "township_code")
        return sorted(
            (FigureRow(table.name(code), code, figures) for code, figures in rows),
            key=lambda r: r.code or "",
        )

    def by_breakdown(self, ledger: Ledger, query: RecordQuery | None = None) -> list[FigureRow]:
        """Figures per value of the ledger's breakdown field, in choice-list order."""
        if not ledger.breakdown:
            return []
        choices = ledger.field(ledger.breakdown).choices
        rows = self._rows(ledger, query, ledger.breakdown)
        order = {c: i for i, c in enumerate(choices)}
        return sorted(
            (FigureRow(key or "未填", key, figures) for key, figures in rows),
            key=lambda r: order.get(r.code or "", len(order)),
        )
