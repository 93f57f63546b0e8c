"""Roster check speed: 100,000 records against rosters of 200,000 people, < 10 s.

    python bench/rosters.py [--records 100000] [--people 200000]

Set-up (not timed): demo records, half housing checks and half education subsidies, and
rosters of every kind holding about 95% of the records that claim that kind, filled up with
other people to 200,000 in all (so about one claim in twenty is a hint).

Timed: ``check_rosters`` over every live record (all four roster rules), and the bare
library doing the core of the same work: ``sqlite3`` reading the roster ID numbers into a
set and testing each record's ID number against it. Printed: both times and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.rosters import ROSTER_KINDS
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.roster_checks import check_rosters
from hebi_desktop.services.settings import OPERATOR

BOUND_SECONDS = 10.0


def build(path: Path, records: int, people: int) -> None:
    book = Book.open(path)
    book.settings.set(OPERATOR, "基准")
    fill_demo(book, records // 2, ledgers=("housing", "education"), city_wide=True)
    claims: dict[str, list[str]] = {kind.key: [] for kind in ROSTER_KINDS}
    with book.reading() as connection:
        for table, column, categories in (
            ("housing_checks", "household_category", "housing_categories"),
            ("education_subsidies", "family_category", "education_categories"),
        ):
            for number, category in connection.exec_driver_sql(
                f"SELECT id_number, {column} FROM {table}"
            ):
                for kind in ROSTER_KINDS:
                    if category in getattr(kind, categories):
                        claims[kind.key].append(number)
    chance = random.Random(7)
    per_kind = people // len(ROSTER_KINDS)
    for number, kind in enumerate(ROSTER_KINDS):
        # about 1 in 20 claims is not on the roster (a hint each), as in a real county
        chosen = {n for n in claims[kind.key] if chance.random() > 0.05}
        sequence = 0
        while len(chosen) < per_kind:
            sequence += 1
            born = dt.date(1940, 1, 1) + dt.timedelta(days=sequence // 1000 + number * 9)
            chosen.add(resident_id.make("410622", born, sequence % 1000))
        rows = [
            {
                "row": index + 3,
                "id_number": person,
                "name": "某某",
                "status": "死亡" if index % 97 == 0 else "正常",
                "ended": index % 97 == 0,
            }
            for index, person in enumerate(sorted(chosen))
        ]
        book.rosters.store(kind.key, None, dt.date(2024, 1, 1), f"{kind.name}.xlsx", [rows])
    book.close()


def bare(path: Path) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    listed = {row[0] for row in connection.execute("SELECT id_number FROM roster_people")}
    found = 0
    for table in ("housing_checks", "education_subsidies"):
        for (number,) in connection.execute(
            f"SELECT id_number FROM {table} WHERE deleted_at IS NULL"
        ):
            found += number in listed
    connection.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "rosters.sqlite"
        started = time.perf_counter()
        build(path, args.records, args.people)
        print(f"set-up: {args.records} records, {args.people} roster people in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        book = Book.open(path)
        started = time.perf_counter()
        result = check_rosters(book, save=True)
        seconds = time.perf_counter() - started
        book.close()
        baseline = bare(path)
    verdict = "OK" if seconds < BOUND_SECONDS else "TOO SLOW"
    print(
        f"check --rosters: {result.records} records, {result.rosters} rosters, "
        f"{len(result.hints)} hints in {seconds:.2f} s (bound {BOUND_SECONDS:.0f} s): {verdict}"
    )
    print(f"bare sqlite3 set lookup: {baseline:.2f} s; ratio {seconds / baseline:.1f}x")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
