"""How a typed value is shown to a clerk (tables, messages, CLI output)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import NO, YES, Field, Kind


def display_value(field: Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    kind = field.kind
    if kind is Kind.YES_NO:
        return YES if value else NO
    if kind in (Kind.COUNTY, Kind.TOWNSHIP):
        return divisions().name(value) or str(value)
    if kind in (Kind.MONEY, Kind.DECIMAL) and isinstance(value, Decimal | int | float):
        return f"{Decimal(value):.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def wan_yuan(amount: Decimal) -> str:
    """元 → 万元 with two decimals, as the city reports funds."""
    return f"{(amount / Decimal(10000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
