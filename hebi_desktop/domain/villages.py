"""Hebi's village-level units (统计用区划代码), for checking and completing village names.

Village names in ledgers stay free text: villages merge and rename, so a name missing
from this list is only ever a hint (a likely typo with the nearest known name), never a
refusal. Names are compared the way clerks write them: 王庄村, 王庄村民委员会 and 王庄
all mean the same village; a typo is matched by characters and, failing that, by pinyin
(汪庄村 for 王庄村).
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache

from hebi_desktop.domain.pinyin import sort_key
from hebi_desktop.paths import resource

VILLAGES_FILE = ("data", "hebi_villages.csv")
# Suffixes clerks add or drop; the longest first so 村民委员会 is removed whole.
_SUFFIXES = ("社区居民委员会", "居民委员会", "村民委员会", "委员会", "社区", "村委会", "村")
_CUTOFF = 0.6
# The hint shown beside a village name the township's list does not have.
UNKNOWN_VILLAGE = "不在本乡镇的村名单中"


@dataclass(frozen=True, slots=True)
class KnownVillage:
    code: str  # 12 digits
    name: str  # official: 王庄村民委员会
    short_name: str  # as written in ledgers: 王庄村
    township_code: str


def core(name: str) -> str:
    """The part of a village name that identifies it: 王庄村民委员会 → 王庄."""
    text = "".join(name.split())
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _spelled(name: str) -> str:
    """The pinyin of a name's core, without tones (sort_key gives syllables with tones)."""
    syllables = sort_key(core(name)).split(" ", 1)[0].split("!")
    return " ".join(s.rstrip("012345") for s in syllables)


class Villages:
    """The reference list, grouped by township."""

    def __init__(self, rows: list[KnownVillage]) -> None:
        self.all = tuple(rows)
        self._by_township: dict[str, list[KnownVillage]] = {}
        for village in rows:
            self._by_township.setdefault(village.township_code, []).append(village)
        self._cores = {
            township: {core(v.short_name): v for v in villages}
            for township, villages in self._by_township.items()
        }

    def of(self, township_code: str | None) -> tuple[KnownVillage, ...]:
        return tuple(self._by_township.get(township_code or "", ()))

    def names(self, township_code: str | None) -> list[str]:
        """The short names (王庄村) of a township's villages, in code order."""
        return [v.short_name for v in self.of(township_code)]

    def has_list(self, township_code: str | None) -> bool:
        return bool(self._by_township.get(township_code or ""))

    def is_known(self, township_code: str | None, name: str | None) -> bool:
        """Whether ``name`` is one of the township's villages (in any usual spelling).

        A township without any listed village accepts every name: nothing to compare with.
        """
        if not name or not self.has_list(township_code):
            return True
        return core(name) in self._cores[township_code or ""]

    def suggest(self, township_code: str | None, name: str | None) -> str | None:
        """The nearest known village's short name for an unknown ``name``, if any is near."""
        if not name or self.is_known(township_code, name):
            return None
        cores = self._cores.get(township_code or "", {})
        typed = core(name)
        close = difflib.get_close_matches(typed, list(cores), n=1, cutoff=_CUTOFF)
        if close:
            return cores[close[0]].short_name
        spelled = {_spelled(c): v for c, v in cores.items()}
        close = difflib.get_close_matches(_spelled(typed), list(spelled), n=1, cutoff=0.8)
        return spelled[close[0]].short_name if close else None

    def hint(self, township_code: str | None, name: str | None) -> str | None:
        """The clerk's hint for a name not among the township's villages, else None:
        不在本乡镇的村名单中，是否为“王庄村”？ (the question only when a known name is near).

        A hint, not an error: the name may be a new or renamed village, so callers save it.
        """
        if not name or self.is_known(township_code, name):
            return None
        nearest = self.suggest(township_code, name)
        return f"{UNKNOWN_VILLAGE}，是否为“{nearest}”？" if nearest else UNKNOWN_VILLAGE


def load_villages_file() -> list[KnownVillage]:
    with resource(*VILLAGES_FILE).open(encoding="utf-8", newline="") as handle:
        return [
            KnownVillage(row["code"], row["name"], row["short_name"], row["township_code"])
            for row in csv.DictReader(handle)
        ]


@cache
def known_villages() -> Villages:
    return Villages(load_villages_file())
