"""Typed values → worksheet cells, the formula guard and 脱敏 (masking).

openpyxl turns any string that starts with ``=`` into a live formula and a string like
``#N/A`` into an error cell. Nothing a clerk typed may ever become either, so every
text that could be read that way is written as an explicit text cell (data type ``s``)
with Excel's "quote prefix", which also keeps it text when someone edits the cell later.
This module is the one way into a cell for every workbook the program writes: the
export's column converters, and :func:`safe_value` for reports and summaries
(``tests/exchange/test_formula_safety.py`` finds every writer and feeds it formulas).

Converters are built once per column and reuse one styled write-only cell per column:
in write-only mode a row is serialised as soon as it is appended, so a cell object can
carry the next row's value right after. This keeps the per-cell cost at what bare
openpyxl pays for a plain value.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import NO, YES, Field, Kind

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
DECIMAL_FORMAT = "0.00"

# First characters that make spreadsheet programs read a text as a formula.
FORMULA_STARTS = frozenset("=+-@")
_ERROR_TEXTS = frozenset(ERROR_CODES)
_LEADING_BLANKS = " \t\r\n\u3000"

Converter = Callable[[Any], Any]


def clean_text(text: str) -> str:
    """Drop the control characters an .xlsx file cannot hold (a pasted form feed, say)."""
    if text.isprintable():
        return text
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def is_risky(text: str) -> bool:
    """Whether a text would be taken for a formula or an error value (also behind leading
    blanks: a spreadsheet program trims a pasted "\t=cmd|..." and runs it)."""
    return text[:1] in FORMULA_STARTS or text in _ERROR_TEXTS or _risky_after_blanks(text)


def _risky_after_blanks(text: str) -> bool:
    return text[:1] in _LEADING_BLANKS and text.lstrip(_LEADING_BLANKS)[:1] in FORMULA_STARTS


def display_width(text: str) -> int:
    """Width in Excel's character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def mask_id(number: str) -> str:
    """410622********123X — area code and the last four kept, as 脱敏 copies show it."""
    return resident_id.mask(number)


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile; 0392-***1234 for a landline (area code kept)."""
    if "-" in phone:
        area, rest = phone.split("-", 1)
        return f"{area}-{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def text_cell(ws: WriteOnlyWorksheet, value: str, number_format: str | None = None) -> Any:
    """One cell that is text whatever it looks like (the formula guard), for odd cells."""
    cell = WriteOnlyCell(ws)
    _set_text(cell, value)
    if number_format:
        cell.number_format = number_format
    if is_risky(value):
        cell.quotePrefix = True
    return cell


def safe_value(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """What a report or summary row holds for ``value``: text stays text (never a formula
    or an error value), numbers and dates stay what they are.

    A cell the caller prepared (a styled title, say) is kept, turned back into text if
    openpyxl took its value for a formula.
    """
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, str):
        text = clean_text(value)
        return text_cell(ws, text) if is_risky(text) else text
    if isinstance(value, dt.datetime | dt.date):
        return _dated(ws, value)
    if isinstance(value, Cell):
        if isinstance(value.value, str):
            _set_text(value, clean_text(value.value))
            value.quotePrefix = value.quotePrefix or is_risky(value.value)
        return value
    return safe_value(ws, str(value))


def safe_row(ws: WriteOnlyWorksheet, values: Any) -> list[Any]:
    """:func:`safe_value` for each value of a row."""
    return [safe_value(ws, value) for value in values]


def _set_text(cell: Any, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # openpyxl made it "f" (=…) or "e" (#N/A); text it stays


def _put(cell: Any, value: Any, data_type: str) -> Any:
    """Give a column's reusable cell its next value, of a type known in advance.

    Assigning ``cell.value`` would infer the type again for every one of 100,000 rows
    (and turn text starting with = into a formula); the type is known from the field.
    Text has been through :func:`clean_text` and is far below Excel's 32,767 characters.
    """
    cell._value = value
    cell.data_type = data_type
    return cell


def text_converter(ws: WriteOnlyWorksheet) -> Converter:
    """Free text: plain strings, risky ones through a guarded text cell."""
    guard = WriteOnlyCell(ws)
    guard.quotePrefix = True

    def convert(value: Any) -> Any:
        text = clean_text(value if type(value) is str else str(value))
        if is_risky(text):
            return _put(guard, text, "s")
        return text

    return convert


def _styled(ws: WriteOnlyWorksheet, number_format: str) -> Any:
    cell = WriteOnlyCell(ws)
    cell.number_format = number_format
    return cell


class _Names(dict[str, str]):
    """Division code → name; an unknown code shows as itself."""

    def __missing__(self, code: str) -> str:
        return code


def stored_converter(
    ws: WriteOnlyWorksheet, field: Field, *, mask: bool = False
) -> Converter | None:
    """What turns one non-empty value of ``field``, as the database holds it, into what the
    row holds; ``None`` when the value goes in as it is (integers, choices, school years).

    Money and areas arrive as whole hundredths.
    """
    kind = field.kind
    if kind in (Kind.ID_NUMBER, Kind.PHONE):
        text = _styled(ws, TEXT_FORMAT)
        masker = (mask_id if kind is Kind.ID_NUMBER else mask_phone) if mask else None

        def convert_code(value: Any) -> Any:
            shown = clean_text(str(value))
            return _put(text, masker(shown) if masker else shown, "s")

        return convert_code
    if kind is Kind.DATE:
        if mask and field.derived:
            return _nothing  # 出生日期 would give away what the masked ID hides
        date_cell = _styled(ws, DATE_FORMAT)

        def convert_date(value: Any) -> Any:
            return _put(date_cell, value, "d")

        return convert_date
    if kind in (Kind.MONEY, Kind.DECIMAL):
        number = _styled(ws, MONEY_FORMAT if kind is Kind.MONEY else DECIMAL_FORMAT)

        def convert_number(hundredths: Any) -> Any:
            # a float prints back exactly ("%.16g") for any amount with two decimals
            return _put(number, hundredths / 100, "n")

        return convert_number
    if kind is Kind.YES_NO:
        return {True: YES, False: NO}.__getitem__
    if kind in (Kind.COUNTY, Kind.TOWNSHIP):
        return _Names({d.code: d.name for d in divisions().all}).__getitem__
    if kind in (Kind.INTEGER, Kind.CHOICE, Kind.SCHOOL_YEAR):
        return None  # numbers and fixed spellings: never taken for a formula
    return text_converter(ws)


def _nothing(_value: Any) -> None:
    return None


def plain_value(value: Any) -> Any:
    """A raw value read from a sheet, as it should be copied back (report workbooks)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def copy_cell(ws: WriteOnlyWorksheet, value: Any, *, as_text: bool = False) -> Any:
    """A cell that reproduces a value read from a clerk's sheet (for the report copy)."""
    value = plain_value(value)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = clean_text(value)
        if as_text or is_risky(text):
            return text_cell(ws, text, TEXT_FORMAT if as_text else None)
        return text
    if isinstance(value, dt.datetime | dt.date):
        return _dated(ws, value)
    if as_text:
        return text_cell(ws, str(value), TEXT_FORMAT)
    if isinstance(value, int | float | Decimal | bool):
        return value
    return clean_text(str(value))


def _dated(ws: WriteOnlyWorksheet, value: dt.date) -> Any:
    cell = _styled(ws, DATE_FORMAT if type(value) is dt.date else "yyyy-mm-dd hh:mm")
    cell.value = value
    return cell
