"""County collection speed: 12 township submissions of 10,000 rows per ledger, < 1 minute.

    python bench/collect.py [--rows 10000] [--keep FOLDER] [--rounds N]

Set-up (not timed): sample records for every township of 浚县 (the county with the most
townships, eleven) are written to one township-side database, and each township's three
ledgers are exported with the program's own export (one workbook per township, with its
submission metadata). The twelfth submission is the first township's corrected full
submission, sent again after the others, so the run also replaces 30,000 records.

Timed: ``collect_files`` of the twelve workbooks into an empty county database (read,
clean, validate, county/township checks, content verification, one transaction per file;
the next file is read in a helper process while one is written, and the processor time
of both is printed),
and the bare baseline beside it: python-calamine reading the same sheets and sqlite3
inserting the same rows (one transaction per file, the corrected file's township retired
first) into tables with the same indexes. Printed: both times, rows per second, the ratio
(goal <= 2.0x) and whether collect is under the bound. Both write SQLCipher-encrypted
databases, as the program makes every new database (what encryption itself costs is
measured by bench/encryption.py). Timings on a shared machine are noisy: the two are run
in alternating rounds and the medians compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_calamine import CalamineWorkbook

from hebi_desktop.county.collect import collect_files
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.domain.villages import core, known_villages
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.exchange.importer import BULK_CACHE_KIB
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import COUNTY, OPERATOR, SCOPE, SCOPE_COUNTY
from hebi_desktop.storage.cipher import connect, is_plain, key_for

COUNTY_CODE = "410621"  # 浚县
LEDGERS = ("housing", "water", "education")
BOUND_SECONDS = 60.0
GOAL_RATIO = 2.0


def township_rows(
    maker: SampleMaker, ledger: str, township: str, count: int
) -> Iterator[dict[str, Any]]:
    declaration = get_ledger(ledger)
    villages = known_villages().names(township) or ["东关村", "西关村", "南街村"]
    seen: set[tuple[Any, ...]] = set()
    index = 0
    while len(seen) < count:
        index += 1
        values = declaration.draw_sample(maker, index)
        village = villages[index % len(villages)]
        values.update(county_code=COUNTY_CODE, township_code=township, village=village)
        if ledger == "water":
            values["project_name"] = f"{core(village)}第{index % 97 + 1}供水站"
        key = tuple(values.get(n) for n in declaration.natural_key)
        if key not in seen:
            seen.add(key)
            yield values


def build_submissions(folder: Path, rows: int) -> list[Path]:
    townships = [t.code for t in divisions().townships_of(COUNTY_CODE)]
    source = Book.open(folder / "townships.sqlite")
    source.settings.set(OPERATOR, "基准")
    source.settings.set(COUNTY, COUNTY_CODE)
    maker = SampleMaker(12)
    for ledger in LEDGERS:
        service = source.records(ledger)
        for township in townships:
            checked = [service.check(v) for v in township_rows(maker, ledger, township, rows)]
            with source.writing() as connection:
                service.insert_checked(connection, checked, "基准", dt.datetime.now())
    files = []
    for township in townships:
        request = ExportRequest(LEDGERS, RecordQuery(township_code=township))
        target = folder / f"{township}.xlsx"
        files.append(export_workbook(source, request, target).path)
    # the first township's corrected full submission: one record changed
    service = source.records("housing")
    first = service.ids(RecordQuery(township_code=townships[0], sort="id"))[0]
    record = service.get(first)
    service.update(first, {**record.values, "remarks": "更正"}, record.version)
    request = ExportRequest(LEDGERS, RecordQuery(township_code=townships[0]))
    files.append(export_workbook(source, request, folder / "corrected.xlsx").path)
    source.close()
    return files


def fresh(database: Path) -> Path:
    """``database`` removed with its companions (a --keep folder holds earlier runs')."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


def bare_collect(files: list[Path], database: Path) -> float:
    """Seconds for calamine + sqlite3 to read and insert the same rows (see the docstring)."""
    Book.open(fresh(database)).close()  # the program's schema: the same tables and indexes
    # sqlite3's API through the program's driver, with the database's key: the county's
    # database is encrypted as every new database is, and the baseline writes the same file
    connection = connect(database, key_for(database))
    connection.execute(f"PRAGMA cache_size={BULK_CACHE_KIB}")  # as the program's collect writes
    now = dt.datetime.now().isoformat(sep=" ")
    started = time.perf_counter()
    seen: set[str] = set()
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        with connection:  # one transaction per file
            for key in LEDGERS:
                ledger = get_ledger(key)
                table = ledger.table_name
                name = next(n for n in workbook.sheet_names if ledger.title in n)
                rows = workbook.get_sheet_by_name(name).to_python()
                top = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
                by_header = {f.header: f.name for f in ledger.stored_fields}
                positions = [(i, by_header[h]) for i, h in enumerate(rows[top]) if h in by_header]
                columns = [n for _i, n in positions]
                extra = ["version", "flagged", "created_at", "created_by", "updated_at",
                         "updated_by"]  # fmt: skip
                statement = (
                    f"INSERT INTO {table} ({', '.join(columns + extra)}) "
                    f"VALUES ({', '.join('?' * (len(columns) + len(extra)))})"
                )
                data = []
                for row in rows[top + 1 :]:
                    if not row or row[0] == "合计":
                        break
                    data.append([row[i] for i, _n in positions] + [1, 0, now, "b", now, "b"])
                township = data[0][columns.index("township_code")] if data else ""
                if f"{key}{township}" in seen:  # the corrected full file replaces its township
                    connection.execute(
                        f"UPDATE {table} SET deleted_at = ? "
                        "WHERE township_code = ? AND deleted_at IS NULL",
                        (now, township),
                    )
                seen.add(f"{key}{township}")
                connection.executemany(statement, data)
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def timed_collect(files: list[Path], database: Path) -> tuple[float, list[Any]]:
    county = Book.open(fresh(database))
    county.settings.set(OPERATOR, "基准")
    county.settings.set(COUNTY, COUNTY_CODE)
    county.settings.set(SCOPE, SCOPE_COUNTY)
    started, cpu = time.perf_counter(), _cpu_seconds()
    results = collect_files(county, files)
    seconds = time.perf_counter() - started
    county.close()
    # the next file is read in a helper process while one is written: say what it used
    print(f"  collect used {_cpu_seconds() - cpu:.1f} s of processor time", flush=True)
    return seconds, results


def _cpu_seconds() -> float:
    """Processor time of this process and the helper processes it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--keep", type=Path, help="build the files in this folder and keep them")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (medians)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        townships = [t.code for t in divisions().townships_of(COUNTY_CODE)]
        kept = [folder / f"{t}.xlsx" for t in townships] + [folder / "corrected.xlsx"]
        if args.keep and all(path.exists() for path in kept):
            files = kept  # built by an earlier run with --keep (compare two versions fairly)
        else:
            files = build_submissions(folder, args.rows)
        print(f"set-up: {len(files)} workbooks in {time.perf_counter() - started:.1f} s")
        collect_times, bare_times = [], []
        for round_ in range(args.rounds):
            county = folder / f"county-{round_}.sqlite"
            seconds, results = timed_collect(files, county)
            collect_times.append(seconds)
            bare_times.append(bare_collect(files, folder / f"bare-{round_}.sqlite"))
            print(
                f"round {round_ + 1}: collect {seconds:.1f} s, bare {bare_times[-1]:.1f} s, "
                f"ratio {seconds / bare_times[-1]:.2f}",
                flush=True,
            )
        kind = "plain" if is_plain(county) else "SQLCipher-encrypted"
    seconds, bare = statistics.median(collect_times), statistics.median(bare_times)
    print(f"databases: {kind}, the program's and the baseline's alike")
    total = sum(p.rows_read for r in results for p in r.parts)
    refused = [r.path.name for r in results if not r.ok]
    verdict = "OK" if seconds < BOUND_SECONDS and not refused else "TOO SLOW OR REFUSED"
    print(
        f"collect: {len(results)} files, {total} rows in {seconds:.1f} s "
        f"({total / seconds:,.0f} rows/s; bound {BOUND_SECONDS:.0f} s): {verdict}"
    )
    ratio = seconds / bare
    print(
        f"bare calamine + sqlite3: {bare:.1f} s; collect / bare = {ratio:.2f}x "
        f"(goal <= {GOAL_RATIO:.1f}x): {'OK' if ratio <= GOAL_RATIO else 'ABOVE GOAL'}"
    )
    if refused:
        print("refused:", ", ".join(refused))
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
