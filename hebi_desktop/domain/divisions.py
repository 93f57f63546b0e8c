"""Hebi's counties and townships (统计用区划代码), loaded from the shipped CSV.

The database keeps a copy (records reference division codes by foreign key),
but lookups during validation and import use this in-memory table: it is small,
fixed and needed before any database is open.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from hebi_desktop.paths import resource

DIVISIONS_FILE = ("data", "hebi_divisions.csv")


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str  # city, county or township
    parent_code: str | None


class Divisions:
    """Lookups by code and by name, and the county → townships tree."""

    def __init__(self, rows: list[Division]) -> None:
        self.all = tuple(rows)
        self.by_code = {d.code: d for d in rows}
        self.counties = tuple(d for d in rows if d.level == "county")
        self.townships = tuple(d for d in rows if d.level == "township")
        self._county_by_name = {d.name: d for d in self.counties}
        self._townships_by_name: dict[str, list[Division]] = {}
        for d in self.townships:
            self._townships_by_name.setdefault(d.name, []).append(d)

    def name(self, code: str | None) -> str:
        division = self.by_code.get(code or "")
        return division.name if division else ""

    def townships_of(self, county_code: str) -> tuple[Division, ...]:
        return tuple(d for d in self.townships if d.parent_code == county_code)

    def county_by_name(self, name: str) -> Division | None:
        name = name.strip()
        found = self._county_by_name.get(name)
        if found is None and name:
            # 淇县 may be written 淇县县 rarely, 淇滨 for 淇滨区: accept a unique prefix.
            matches = [d for d in self.counties if d.name.startswith(name)]
            found = matches[0] if len(matches) == 1 else None
        return found

    def township_by_name(self, name: str, county_code: str | None = None) -> Division | None:
        candidates = self._townships_by_name.get(name.strip(), [])
        if county_code:
            candidates = [d for d in candidates if d.parent_code == county_code]
        return candidates[0] if len(candidates) == 1 else None


def load_divisions_file() -> list[Division]:
    with resource(*DIVISIONS_FILE).open(encoding="utf-8", newline="") as handle:
        return [
            Division(row["code"], row["name"], row["level"], row["parent_code"] or None)
            for row in csv.DictReader(handle)
        ]


@cache
def divisions() -> Divisions:
    return Divisions(load_divisions_file())
