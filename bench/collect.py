"""County collection speed: 12 township submissions of 10,000 rows per ledger, < 1 minute.

    python bench/collect.py [--rows 10000] [--keep FOLDER]

Set-up (not timed): sample records for every township of 浚县 (the county with the most
townships, eleven) are written to one township-side database, and each township's three
ledgers are exported with the program's own export (one workbook per township, with its
submission metadata). The twelfth submission is the first township's corrected full
submission, sent again after the others, so the run also replaces 30,000 records.

Timed: ``collect_files`` of the twelve workbooks into an empty county database (read,
clean, validate, county/township checks, one transaction per file). Printed: the time,
rows per second, and whether it is under the bound. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hebi_desktop.county.collect import collect_files
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.domain.villages import core, known_villages
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import COUNTY, OPERATOR, SCOPE, SCOPE_COUNTY

COUNTY_CODE = "410621"  # 浚县
LEDGERS = ("housing", "water", "education")
BOUND_SECONDS = 60.0


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--keep", type=Path, help="build the files in this folder and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        files = build_submissions(folder, args.rows)
        print(f"set-up: {len(files)} workbooks in {time.perf_counter() - started:.1f} s")
        county = Book.open(folder / "county.sqlite")
        county.settings.set(OPERATOR, "基准")
        county.settings.set(COUNTY, COUNTY_CODE)
        county.settings.set(SCOPE, SCOPE_COUNTY)
        started = time.perf_counter()
        results = collect_files(county, files)
        seconds = time.perf_counter() - started
        county.close()
    total = sum(p.rows_read for r in results for p in r.parts)
    refused = [r.path.name for r in results if not r.ok]
    verdict = "OK" if seconds < BOUND_SECONDS and not refused else "TOO SLOW OR REFUSED"
    print(
        f"collect: {len(results)} files, {total} rows in {seconds:.1f} s "
        f"({total / seconds:,.0f} rows/s; bound {BOUND_SECONDS:.0f} s): {verdict}"
    )
    if refused:
        print("refused:", ", ".join(refused))
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
