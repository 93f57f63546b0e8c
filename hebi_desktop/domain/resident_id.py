"""Resident ID numbers (居民身份证号码, GB 11643) through python-stdnum.

``stdnum.cn.ric.validate`` also insists that the area code existed in the
person's birth year. That refuses real numbers: a farmer born in 1950 in 淇县
carries 410622 although the code dates from 1986, because the code is the place
of registration when the number was issued. So we use stdnum's pieces (compact,
check digit, area-code table) and accept an area code that is known at any time.
The birth date is read directly: stdnum's reader runs its general-purpose cleaner
again on every call, which dominated the time of importing 100,000 rows.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric


class IdNumberError(ValueError):
    """The number is not a valid resident ID; ``str()`` is the Chinese reason."""


_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XXX")


def normalize(raw: str) -> str:
    """Trim, drop inner spaces, full-width digits to half-width, ``x`` to ``X``."""
    if len(raw) == 18 and raw.isascii() and raw.isalnum():
        return raw.upper()  # the usual case, without stdnum's general-purpose cleaner
    # stdnum's compact() only trims the ends; "410622 19800101 007X" is common in sheets.
    return "".join(ric.compact(raw.translate(_FULL_WIDTH)).split())


def _birth_date_of(number: str) -> dt.date:
    """The 8 digits after the area code as a date (ValueError if impossible)."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


@lru_cache(maxsize=8192)
def _area_known(area: str) -> bool:
    info = numdb.get("cn/loc").info(area)
    return any("county" in props for _part, props in info)


def validate(raw: str, today: dt.date | None = None) -> str:
    """Return the normalized number or raise :class:`IdNumberError` with the reason."""
    number = normalize(raw)
    if len(number) != 18:
        raise IdNumberError(f"应为18位，实际为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("前17位须为数字，最后一位为数字或X")
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise IdNumberError(f"校验位错误（按前17位计算，第18位应为{expected}）")
    try:
        birth = _birth_date_of(number)
    except ValueError:
        raise IdNumberError("第7至14位不是有效的出生日期") from None
    if birth.year < 1900 or birth > (today or dt.date.today()):
        raise IdNumberError("出生日期不合理")
    if not _area_known(number[:6]):
        raise IdNumberError(f"前6位地区码“{number[:6]}”不存在")
    return number


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except IdNumberError:
        return False
    return True


def birth_date(number: str) -> dt.date | None:
    """Birth date of a valid number, ``None`` for anything else."""
    try:
        return _birth_date_of(number)
    except ValueError:
        return None


def gender(number: str) -> str | None:
    """男 or 女 from the 17th digit (odd for men), ``None`` for a short number."""
    if len(number) < 17 or not number[16].isdigit():
        return None
    return "男" if int(number[16]) % 2 else "女"


def age_on(number: str, day: dt.date) -> int | None:
    """Whole years of age on ``day``."""
    born = birth_date(number)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask(number: str) -> str:
    """410622********123X: keeps area code and the last four, as 脱敏 copies do."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(area: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (area code, birth date, 3-digit sequence) — for sample data."""
    body = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
