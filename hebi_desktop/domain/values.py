"""Turning what a clerk typed (or a spreadsheet held) into typed values.

One parser per field is built once from its declaration and then applied to
every value: the form, the command line and the importer all clean values here,
so "2024年5月9日" or "Ａ级" mean the same thing wherever they are entered.
Parsers raise :class:`ValueProblem` with the Chinese reason (without the header;
validation prefixes it).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import NO, YES, Field, Kind

Parser = Callable[[Any], Any]

CENT = Decimal("0.01")


class ValueProblem(ValueError):
    """A value that cannot be used; ``str()`` is the Chinese reason."""


SHOWN_LIMIT = 50  # characters of an offending value an error line repeats

# Invisible characters that change how text displays or is stored: C0/C1 controls (NUL…)
# and the bidirectional overrides that make "王五\u202e..." read backwards.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ALLOWED_CONTROLS = "\t\n\r"


def _is_hidden(ch: str) -> bool:
    return (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS) or ch in _BIDI


# The same set as one character class (category Cc is exactly U+0000–U+001F and
# U+007F–U+009F): one regex search instead of a Python call per character, because every
# text value of every record passes here on import and on ``check``.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI + "]")


def hidden_character(text: str) -> str | None:
    """The first control or bidi-override character in ``text``, else ``None``."""
    found = _HIDDEN.search(text)
    return None if found is None else found.group()


def shown(value: Any, limit: int = SHOWN_LIMIT) -> str:
    """``value`` as an error line may repeat it: hidden characters spelled out, cut short.

    A cell of 100,000 characters must not become a 100,000-character error line, and a
    right-to-left override must not turn the message around.
    """
    text = value if isinstance(value, str) else _text(value)
    if hidden_character(text) is not None:
        text = "".join(f"<U+{ord(ch):04X}>" if _is_hidden(ch) else ch for ch in text)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}…（共{len(text)}字）"


# Zero-width characters (spaces, joiners, the byte-order mark): "张\u200b三" looks like
# "张三" on every screen, so it must be "张三" in the database, in search, duplicate
# checks and cross-checks. Pasted from web pages and chat programs.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def visible(text: str) -> str:
    """``text`` without zero-width characters (text that looks the same is the same)."""
    return _ZERO_WIDTH.sub("", text) if _ZERO_WIDTH.search(text) else text


def half_width(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width (NFKC), zero-width
    characters removed, trimmed."""
    return unicodedata.normalize("NFKC", visible(text)).strip()


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return visible(str(raw)).strip()


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text_parser(field: Field) -> Parser:
    limit = field.max_length

    def parse(raw: Any) -> str:
        value = visible(raw).strip() if type(raw) is str else _text(raw)
        if len(value) > limit:
            raise ValueProblem(f"不能超过{limit}个字（现有{len(value)}个）")
        hidden = hidden_character(value)
        if hidden is not None:
            raise ValueProblem(
                f"含有不可见的控制字符（U+{ord(hidden):04X}），请删除后重新输入"
                "（常见于从网页或其他软件复制的文字）"
            )
        return value

    return parse


def id_number_parser(field: Field) -> Parser:
    def parse(raw: Any) -> str:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raise ValueProblem(
                "在表格中被存成了数字，后几位已丢失；请把该列设为“文本”格式，重新录入完整号码"
            )
        try:
            return resident_id.validate(visible(str(raw)))
        except resident_id.IdNumberError as problem:
            raise ValueProblem(str(problem)) from None

    return parse


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
_PHONE_SEPARATORS = str.maketrans({" ": None, "－": "-", "—": "-", "(": None, ")": "-"})


def phone_parser(field: Field) -> Parser:
    def parse(raw: Any) -> str:
        if isinstance(raw, float | int) and not isinstance(raw, bool):
            raw = _text(raw)
            if not _MOBILE.fullmatch(raw):
                raise ValueProblem("在表格中被存成了数字，区号的0已丢失；请把该列设为“文本”格式")
        value = half_width(str(raw)).translate(_PHONE_SEPARATORS).strip("-")
        if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
            return value
        raise ValueProblem(
            f"“{shown(raw)}”不是有效的电话号码（11位手机号，或带区号的固定电话如0392-1234567）"
        )

    return parse


# What the columns hold on every database (INTEGER is 32-bit on PostgreSQL; money and areas
# are hundredths in a BIGINT): a field without its own maximum is still capped, so a mistyped
# 20-digit number is refused with a message instead of failing when it is saved.
INTEGER_LIMIT = 2_147_483_647
DECIMAL_LIMIT = Decimal("999999999999.99")


def _check_range(field: Field, value: int | Decimal) -> None:
    low, high = field.minimum, field.maximum
    if field.max_this_year:
        high = dt.date.today().year
    if high is None:
        high = INTEGER_LIMIT if isinstance(value, int) else DECIMAL_LIMIT
    if low is not None and (value <= low if field.min_exclusive else value < low):
        raise ValueProblem(f"应{'大于' if field.min_exclusive else '不小于'}{low}（现为{value}）")
    if high is not None and value > high:
        raise ValueProblem(f"应不大于{high}（现为{value}）")


def integer_parser(field: Field) -> Parser:
    def parse(raw: Any) -> int:
        if type(raw) is int:
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        else:
            text = half_width(_text(raw))
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueProblem(f"“{shown(raw)}”不是整数")
            value = int(text)
        _check_range(field, value)
        return value

    return parse


def to_decimal(raw: Any) -> Decimal:
    """A number with at most two decimals, or :class:`ValueProblem`."""
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, float):
        # Excel keeps doubles; 1234.5 arrives as 1234.5, 0.1 + 0.2 as 0.30000000000000004.
        value = Decimal(repr(raw))
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(value - rounded) < Decimal("1e-9"):
            value = rounded
    else:
        text = half_width(_text(raw)).replace(",", "").replace("¥", "").replace("元", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(f"“{shown(raw)}”不是数字") from None
    if not value.is_finite():
        raise ValueProblem(f"“{shown(raw)}”不是数字")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueProblem(f"最多两位小数（现为{value}）")
    return value.quantize(CENT)


def decimal_parser(field: Field) -> Parser:
    def parse(raw: Any) -> Decimal:
        value = to_decimal(raw)
        _check_range(field, value)
        return value

    return parse


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def to_date(raw: Any) -> dt.date:
    """A date from a date cell, an Excel serial number or the common ways of writing one."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 20000 < raw < 80000:  # an Excel serial day number (1954..2119)
            return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raw = _text(raw)
    text = half_width(str(raw))
    match = _DATE_TEXT.fullmatch(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        # "2024-05-09 00:00:00" as text from a datetime cell
        match = _DATE_TEXT.fullmatch(text.split(" ")[0]) if " " in text else None
    if match is None:
        raise ValueProblem(f"“{shown(raw)}”不是日期（应写作如2024-05-09）")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(f"“{shown(raw)}”不是有效日期") from None


def _date_rules(field: Field, value: dt.date) -> dt.date:
    if value.year < 1900:
        raise ValueProblem(f"日期{value.isoformat()}早于1900年")
    if field.not_future and value > dt.date.today():
        raise ValueProblem(f"不能晚于今天（现为{value.isoformat()}）")
    return value


def date_parser(field: Field) -> Parser:
    def parse(raw: Any) -> dt.date:
        return _date_rules(field, to_date(raw))

    return parse


def choice_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    """Every accepted spelling → its choice: exact, half-width, and unambiguous prefixes.

    "A" → "A级" and "高职" → "高职（专科）", but "中职" (two projects start with it) is not
    accepted; exact spellings always win over prefixes.
    """
    lookup: dict[str, str] = {}
    ambiguous: set[str] = set()
    for choice in choices:
        for length in range(1, len(choice)):
            prefix = choice[:length]
            for key in {prefix, half_width(prefix)}:
                if key in lookup and lookup[key] != choice:
                    ambiguous.add(key)
                lookup[key] = choice
    for key in ambiguous:
        del lookup[key]
    for choice in choices:
        lookup[half_width(choice)] = choice
        lookup[half_width(choice).replace(" ", "")] = choice
        lookup[choice] = choice
    return lookup


def choice_parser(field: Field) -> Parser:
    lookup = choice_lookup(field.choices)

    def parse(raw: Any) -> str:
        text = visible(raw).strip() if type(raw) is str else _text(raw)
        found = lookup.get(text) or lookup.get(half_width(text).replace(" ", ""))
        if found is None:
            raise ValueProblem(f"“{shown(text)}”不在可选值中（可选：{'、'.join(field.choices)}）")
        return found

    return parse


_YES_NO = {
    YES: True,
    NO: False,
    "Y": True,
    "N": False,
    "1": True,
    "0": False,
    "TRUE": True,
    "FALSE": False,
}


def yes_no_parser(field: Field) -> Parser:
    def parse(raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        found = _YES_NO.get(half_width(_text(raw)).upper())
        if found is None:
            raise ValueProblem(f"“{shown(raw)}”应为“是”或“否”")
        return found

    return parse


_SCHOOL_YEAR = re.compile(r"(\d{4})\s*(?:-|/|~|～|—|－|至|－)\s*(\d{2}|\d{4})\s*(?:学年)?")


def school_year_parser(field: Field) -> Parser:
    def parse(raw: Any) -> str:
        text = half_width(_text(raw))
        match = _SCHOOL_YEAR.fullmatch(text)
        if match is None:
            raise ValueProblem(f"“{shown(raw)}”应写作如2024-2025")
        first, second = int(match.group(1)), match.group(2)
        second_year = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
        if second_year != first + 1:
            raise ValueProblem(f"“{shown(raw)}”的后一年应为前一年加1（如{first}-{first + 1}）")
        if not 2000 <= first <= dt.date.today().year + 1:
            raise ValueProblem(f"学年{first}-{second_year}不在合理范围内")
        return f"{first}-{second_year}"

    return parse


def county_parser(field: Field) -> Parser:
    table = divisions()

    def parse(raw: Any) -> str:
        text = _text(raw)
        if text in table.by_code and table.by_code[text].level == "county":
            return text
        found = table.county_by_name(text)
        if found is None:
            names = "、".join(d.name for d in table.counties)
            raise ValueProblem(f"“{shown(text)}”不是鹤壁市的县区（可选：{names}）")
        return found.code

    return parse


def township_parser(field: Field) -> Parser:
    table = divisions()

    def parse(raw: Any) -> str:
        text = _text(raw)
        if text in table.by_code and table.by_code[text].level == "township":
            return text
        found = table.township_by_name(text)
        if found is None:
            raise ValueProblem(f"“{shown(text)}”不是鹤壁市的乡镇（街道）")
        return found.code

    return parse


_FACTORIES: dict[Kind, Callable[[Field], Parser]] = {
    Kind.TEXT: text_parser,
    Kind.ID_NUMBER: id_number_parser,
    Kind.PHONE: phone_parser,
    Kind.INTEGER: integer_parser,
    Kind.DECIMAL: decimal_parser,
    Kind.MONEY: decimal_parser,
    Kind.DATE: date_parser,
    Kind.CHOICE: choice_parser,
    Kind.YES_NO: yes_no_parser,
    Kind.SCHOOL_YEAR: school_year_parser,
    Kind.COUNTY: county_parser,
    Kind.TOWNSHIP: township_parser,
}


def make_parser(field: Field) -> Parser:
    return _FACTORIES[field.kind](field)


def stored_parser(field: Field) -> Parser:
    """:func:`make_parser` for a value read back from the database.

    A value that arrives with its column's Python type (a date from a DATE column, a Decimal
    made from whole hundredths) needs no parsing, only the rules its type does not
    guarantee: the 1900 floor, not-future and ranges. Anything else (SQLite stores whatever an
    UPDATE wrote, and every text column can hold any text) goes through the full parser, so
    the problems found are the same as :func:`make_parser`'s.
    """
    parse = make_parser(field)
    kind = field.kind
    if kind is Kind.DATE:

        def parse_date(raw: Any) -> Any:
            return _date_rules(field, raw) if type(raw) is dt.date else parse(raw)

        return parse_date
    if kind in (Kind.DECIMAL, Kind.MONEY):

        def parse_decimal(raw: Any) -> Any:
            # Whole hundredths: finite, with exactly two decimals (see services/convert.py).
            if type(raw) is Decimal and raw.as_tuple().exponent == -2:
                _check_range(field, raw)
                return raw
            return parse(raw)

        return parse_decimal
    # Integer and yes/no parsers already take an int or a bool as it is (range still checked).
    return parse
