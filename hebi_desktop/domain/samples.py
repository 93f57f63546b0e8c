"""Drawing realistic values for sample records (``demo``, measurements, the self-test).

Each ledger declaration says what one of its records looks like (``Ledger.example`` and
``Ledger.sample``); this module only supplies the ingredients they draw from: valid ID
numbers of Hebi's counties, real townships, plausible names, dates, amounts and phones.
Nothing here knows a particular ledger, so a new ledger needs no edit here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.divisions import Division, divisions
from hebi_desktop.domain.villages import known_villages

if TYPE_CHECKING:
    from hebi_desktop.domain.fields import Ledger

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段"
)
GIVEN = (
    "建国红梅秀英桂兰志强海燕丽娟玉兰春花文华明亮振华淑珍俊杰子涵欣怡浩然梓萱雨泽思远"
    "佳怡宇航一诺梦琪博文"
)
VILLAGE_PATTERNS = (
    "{s}庄村",
    "{s}家营村",
    "东{s}村",
    "西{s}村",
    "前{s}村",
    "后{s}村",
    "{s}屯村",
    "大{s}庄村",
)
ID_AREAS = ("410602", "410603", "410611", "410621", "410622")

# The place of every example record: 淇县 (410622), 北阳镇 (410622102), a village in it.
EXAMPLE_PLACE: dict[str, Any] = {
    "county_code": "410622",
    "township_code": "410622102",
    "village": "王庄村",
}

# Draws that would never produce a new natural key mean the ledger's sample cannot make
# that many distinct records; give up with a clear message instead of looping for ever.
MAX_FRUITLESS_DRAWS = 10_000


class SampleMaker:
    """A seeded source of realistic values; the same seed gives the same records."""

    def __init__(
        self,
        seed: int,
        today: dt.date | None = None,
        townships: Sequence[Division] | None = None,
    ) -> None:
        """``townships``: where the records lie (default: all of Hebi's)."""
        self.random = random.Random(seed)
        self.today = today or dt.date.today()
        self.townships = list(townships) if townships else divisions().townships
        self._serial = 0

    def name(self) -> str:
        r = self.random
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))

    def place(self) -> dict[str, Any]:
        township = self.random.choice(self.townships)
        pattern = self.random.choice(VILLAGE_PATTERNS)
        surname = self.random.choice(SURNAMES[:30])
        listed = known_villages().names(township.code)  # real villages, where listed
        if listed:
            # Chosen from the same two draws as a made-up name, so the rest of the sample
            # data (and every figure computed from it) stays as it was.
            index = VILLAGE_PATTERNS.index(pattern) * 30 + SURNAMES.index(surname)
            village = listed[index % len(listed)]
        else:
            village = pattern.format(s=surname)
        return {
            "county_code": township.parent_code,
            "township_code": township.code,
            "village": village,
        }

    def id_number(self, born: dt.date) -> str:
        self._serial += 1
        return resident_id.make(self.random.choice(ID_AREAS), born, self._serial)

    def date_within(self, days: int, before: dt.date | None = None) -> dt.date:
        end = before or self.today
        return end - dt.timedelta(days=self.random.randrange(days))

    def phone(self) -> str | None:
        if self.random.random() < 0.2:
            return None
        return f"1{self.random.choice('3578')}{self.random.randrange(10**9):09d}"

    def money(self, low: int, high: int) -> Decimal:
        return Decimal(self.random.randrange(low * 100, high * 100, 50)) / 100

    def rows(self, ledger: Ledger, count: int) -> Iterator[dict[str, Any]]:
        """``count`` sample records of ``ledger`` with distinct natural keys."""
        seen: set[tuple[Any, ...]] = set()
        index = 0
        fruitless = 0
        while len(seen) < count:
            index += 1
            values = ledger.draw_sample(self, index)
            key = tuple(values.get(name) for name in ledger.natural_key)
            if key in seen:
                fruitless += 1
                if fruitless > MAX_FRUITLESS_DRAWS:
                    raise ValueError(
                        f"ledger {ledger.key}: its sample cannot make {count} records with "
                        f"different natural keys {ledger.natural_key}"
                    )
                continue
            fruitless = 0
            seen.add(key)
            yield values


def varied_example(ledger: Ledger, make: SampleMaker, index: int) -> dict[str, Any]:
    """The ledger's example with a drawn place, name and ID: the default ``sample``.

    Enough for a small ledger to appear in ``demo`` with distinct records (its dates stay
    the example's, so rules between them still hold); a ledger wanting realistic spread
    declares its own ``sample``.
    """
    from hebi_desktop.domain.fields import Kind

    values = ledger.example_record(**make.place())
    for field in ledger.stored_fields:
        if field.kind is Kind.ID_NUMBER and values.get(field.name):
            born = resident_id.birth_date(values[field.name]) or dt.date(1970, 1, 1)
            values[field.name] = make.id_number(born)
        elif field.name == ledger.name_field and field.kind is Kind.TEXT:
            values[field.name] = make.name()
    return values
