"""How the importer cleans a spreadsheet's cells before the ledger's parsers see them, and
where a sheet's records end.

Shared by the importer, a county's collect and the helper process that reads and checks a
big sheet (exchange/sheet_process.py), so that a row is cleaned the same way wherever it
is checked. Light to import: no database, no Excel library.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Field, Kind
from hebi_desktop.domain.values import to_decimal
from hebi_desktop.exchange.headers import normalize_header

# A row whose first filled cell starts like this ends the records (totals, signatures, notes).
FOOTER_STARTS = ("合计", "总计", "填报人", "填表人", "制表人", "审核人", "负责人", "说明", "注:")

_FULL_WIDTH_ALNUM = str.maketrans(
    {
        **{0xFF10 + i: 0x30 + i for i in range(10)},
        **{0xFF21 + i: 0x41 + i for i in range(26)},
        **{0xFF41 + i: 0x61 + i for i in range(26)},
    }
)


def _text(value: Any) -> Any:
    if type(value) is str:
        return value.translate(_FULL_WIDTH_ALNUM).strip()
    return value


def _scaled(scale: Decimal) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return to_decimal(value) * scale
        except (ValueError, InvalidOperation):
            return value  # the validator names the problem

    return convert


def _township(value: Any) -> Any:
    """Township names may drop 镇/乡/街道 when that leaves them unique (北阳 → 北阳镇)."""
    if type(value) is not str:
        return value
    value = value.strip()
    return _township_prefixes().get(value, value)


_PREFIXES: dict[str, str] = {}


def _township_prefixes() -> dict[str, str]:
    if not _PREFIXES:
        names: dict[str, set[str]] = {}
        for township in divisions().townships:
            for suffix in ("街道办事处", "街道", "镇", "乡"):
                if township.name.endswith(suffix) and len(township.name) > len(suffix) + 1:
                    names.setdefault(township.name[: -len(suffix)], set()).add(township.name)
        _PREFIXES.update(
            {short: next(iter(full)) for short, full in names.items() if len(full) == 1}
        )
    return _PREFIXES


def clean_for(f: Field, scale: Decimal | None) -> Callable[[Any], Any] | None:
    """What a cell of ``f``'s column goes through before the field's parser, if anything:
    money in 万元 scaled to 元, text with full-width letters and digits made half-width,
    township names completed."""
    if scale is not None:
        return _scaled(scale)
    if f.kind is Kind.TEXT:
        return _text
    if f.kind is Kind.TOWNSHIP:
        return _township
    return None


def is_footer(cells: list[Any]) -> bool:
    """Whether this row ends the records (a 合计 row, the signatures)."""
    for value in cells:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return False
        return normalize_header(value).startswith(FOOTER_STARTS)
    return False
