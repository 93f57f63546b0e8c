"""Excel exchange speed, printed as ratios against the bare libraries in the same run.

    python bench/exchange.py [--rows 100000] [--ledger housing] [--repeat 3]
                             [--curve 100000,300000,1000000] [--curve-repeat 1]
                             [--only-import]

It builds a demo database with ``--rows`` records in one ledger, then measures, each
in a fresh child process (so peak memory is that of the work alone, honestly counted
as the child's maximum resident set size):

- export: ``export_workbook`` of the whole ledger, against the same work done plainly:
  ``sqlite3`` reading the live rows, codes turned into names, openpyxl (write-only)
  writing them with '@' text cells for ID numbers and phones, date cells and formatted
  money;
- import: ``import_workbook`` of that workbook into an empty database (read, clean,
  validate, write; a big sheet is read by a helper process while the rows are checked:
  the peak memory is what both processes held at once, and their processor time is
  printed beside the wall time), against python-calamine reading the file plus ``sqlite3``
  ``executemany`` inserting the same rows into the same table (same schema and indexes).

Then the import curve: the same import against the same bare baseline at each size of
``--curve`` (default 100,000, 300,000 and 1,000,000 rows; ``--curve ""`` skips it), so
that time per row and memory can be seen to stay flat. Its workbooks are exported once from
demo databases and kept in ``hebi-bench-cache`` in the temporary folder (a million rows take
several minutes to make); later runs reuse them. ``--only-import`` measures the curve alone
(``--curve 100000 --curve-repeat 5`` is the 100,000-row import without the exports).

Also the export as the clerk makes it, recording the submission (what it sent, for the next
incremental one), with the recording step timed on its own.

Bounds (the issues'): export ≤ 1.3 × bare, peak memory of the export < 300 MB, recording
the submission ≤ 5 % of the export's time,
import ≤ 2.0 × bare at every size, the import's time per row within 15 % across the curve,
its peak memory ≤ 500 MB at 1,000,000 rows. The measurements run interleaved ``--repeat``
times (default 5; ``--curve-repeat``, default 1, for the curve); the median of each is
compared, and its spread printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

EXPORT_BOUND = 1.3
IMPORT_BOUND = 2.0
MEMORY_BOUND_MB = 300
RECORD_BOUND = 0.05  # recording the submission, as a share of the export's time
IMPORT_MEMORY_BOUND_MB = 500  # at the curve's largest point
FLAT_BOUND = 0.15  # the import's time per row: (slowest - fastest) / fastest across the curve
CURVE = "100000,300000,1000000"


def peak_mb() -> float | None:
    """This process's peak resident set size in MB (None where unknown): VmHWM on Linux,
    the high-water mark of this program alone (``ru_maxrss`` would also count what the
    parent held when it forked this child); elsewhere ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.exists():
        return _status_kb(status, "VmHWM:") / 1024
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _status_kb(status: Path, key: str) -> int:
    try:
        for line in status.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass  # a helper that has just ended
    return 0


class TreeMemory:
    """The most this process and its helper processes held at once (a big sheet is read by
    a helper while this process checks and writes): their resident sets summed every
    20 ms on Linux, never less than this process's own high-water mark."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        if Path("/proc/self/task").exists():
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        me = Path("/proc/self")
        while not self._stop.wait(0.02):
            total = _status_kb(me / "status", "VmRSS:")
            for task in (me / "task").iterdir():
                try:
                    children = (task / "children").read_text().split()
                except OSError:
                    continue
                for child in children:
                    total += _status_kb(Path("/proc") / child / "status", "VmRSS:")
            self.peak_kb = max(self.peak_kb, total)

    def mb(self) -> float | None:
        own = peak_mb()
        if own is None:
            return None
        return max(own, self.peak_kb / 1024)


# --- the children ---------------------------------------------------------------------


def raw_connection(path: str) -> Any:
    """The bare library's connection: sqlite3's API (sqlcipher3), with the database's key
    when it is encrypted, as the program's own database is by default, and the same page
    cache the program's import writes with (a baseline with SQLite's small default cache
    spills index pages mid-transaction and would flatter the ratio)."""
    from hebi_desktop.exchange.importer import BULK_CACHE_KIB
    from hebi_desktop.storage.cipher import connect, key_for

    connection = connect(Path(path), key_for(Path(path)))
    connection.execute(f"PRAGMA cache_size={BULK_CACHE_KIB}")
    return connection


def child_export(db: str, ledger: str, target: str) -> dict[str, Any]:
    from hebi_desktop.exchange.export import ExportRequest, export_workbook
    from hebi_desktop.services.book import Book

    book = Book.open(db)
    started = time.perf_counter()
    request = ExportRequest((ledger,), record_submission=False, all_places=True)  # whole city
    result = export_workbook(book, request, Path(target))
    seconds = time.perf_counter() - started
    book.close()
    return {"seconds": seconds, "rows": result.rows[ledger]}


def child_export_recorded(db: str, ledger: str, target: str) -> dict[str, Any]:
    """The export as the clerk makes it, recording the submission; the record step timed
    on its own (wrapped here) so its share does not drown in the export's spread."""
    from hebi_desktop.exchange import export as export_module
    from hebi_desktop.exchange.export import ExportRequest, export_workbook
    from hebi_desktop.services.book import Book

    record = export_module._record
    spent: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        record(*args, **kwargs)
        spent.append(time.perf_counter() - started)

    export_module._record = timed
    book = Book.open(db)
    started = time.perf_counter()
    result = export_workbook(book, ExportRequest((ledger,)), Path(target))
    seconds = time.perf_counter() - started
    book.close()
    return {"seconds": seconds, "rows": result.rows[ledger], "record_s": sum(spent)}


def child_bare_export(db: str, ledger_key: str, target: str) -> dict[str, Any]:
    """The same work done plainly: read the live rows with ``sqlite3``, turn codes into
    names, and write them with openpyxl write-only: text cells ('@') for ID numbers and
    phones, date cells, money as numbers with a format; title, header and total rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from hebi_desktop.domain.divisions import divisions
    from hebi_desktop.domain.fields import NO, YES, Kind
    from hebi_desktop.domain.registry import get_ledger

    ledger = get_ledger(ledger_key)
    names = {d.code: d.name for d in divisions().all}
    fields = [f for f in ledger.fields if f.stored]
    started = time.perf_counter()
    connection = raw_connection(db)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(ledger.title)
    ws.append([ledger.title])
    ws.append(["填报单位：", "填报人："])
    ws.append(["序号", *(f.header for f in fields)])

    def cell(value: Any, number_format: str) -> WriteOnlyCell:
        made = WriteOnlyCell(ws, value=value)
        made.number_format = number_format
        return made

    query = (
        f"SELECT {', '.join(f.name for f in fields)} FROM {ledger.table_name} "
        "WHERE deleted_at IS NULL ORDER BY id"
    )
    count = 0
    for count, stored in enumerate(connection.execute(query), start=1):
        row: list[Any] = [count]
        for f, value in zip(fields, stored, strict=True):
            if value is None:
                row.append(None)
            elif f.kind in (Kind.COUNTY, Kind.TOWNSHIP):
                row.append(names[value])
            elif f.kind is Kind.YES_NO:
                row.append(YES if value else NO)
            elif f.kind in (Kind.ID_NUMBER, Kind.PHONE):
                row.append(cell(value, "@"))
            elif f.kind is Kind.DATE:
                row.append(cell(dt.date.fromisoformat(value), "yyyy-mm-dd"))
            elif f.kind in (Kind.MONEY, Kind.DECIMAL):
                row.append(cell(value / 100, "#,##0.00"))
            else:
                row.append(value)
        ws.append(row)
    ws.append(["合计", f"共{count}条"])
    workbook.save(target)
    connection.close()
    return {"seconds": time.perf_counter() - started, "rows": count}


def child_import(source: str, ledger: str, db: str) -> dict[str, Any]:
    from hebi_desktop.exchange.importer import import_workbook
    from hebi_desktop.services.book import Book

    with TreeMemory() as memory:
        book = Book.open(db)
        started, cpu = time.perf_counter(), _cpu_seconds()
        result = import_workbook(book, ledger, Path(source))
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        book.close()
    if result.errors:
        raise SystemExit(f"import reported errors: {result.errors[:3]}")
    return {"seconds": seconds, "rows": result.inserted, "cpu": cpu, "tree_mb": memory.mb()}


def _cpu_seconds() -> float:
    """Processor time of this process and the helpers it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def child_bare_import(source: str, ledger_key: str, db: str) -> dict[str, Any]:
    import sqlcipher3 as sqlite3  # the program's driver (sqlite3's API)
    from python_calamine import CalamineWorkbook

    from hebi_desktop.domain.registry import get_ledger
    from hebi_desktop.services.book import Book

    ledger = get_ledger(ledger_key)
    Book.open(db).close()  # the same schema (and indexes) as the real import writes into
    path = db
    positions = [i + 1 for i, f in enumerate(ledger.fields) if f.stored]
    names = [f.name for f in ledger.fields if f.stored]
    columns = [*names, "version", "flagged", "created_at", "created_by", "updated_at", "updated_by"]
    now = dt.datetime.now().isoformat(sep=" ")
    sqlite3.register_adapter(dt.date, dt.date.isoformat)
    sqlite3.register_adapter(dt.datetime, lambda d: d.isoformat(sep=" "))

    started, cpu = time.perf_counter(), _cpu_seconds()
    sheet = CalamineWorkbook.from_path(source).get_sheet_by_name(ledger.title)
    rows = sheet.iter_rows()
    for _ in range(3):  # title, 填报 row, header row
        next(rows)
    tail = (1, False, now, "bench", now, "bench")
    records = [
        tuple(row[p] if row[p] != "" else None for p in positions) + tail
        for row in rows
        if row[0] != "合计"
    ]
    connection = raw_connection(path)
    connection.executemany(
        f"INSERT INTO {ledger.table_name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})",
        records,
    )
    connection.commit()
    connection.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(records), "cpu": _cpu_seconds() - cpu}


def child_demo(db: str, rows: str, ledger: str) -> dict[str, Any]:
    started = time.perf_counter()
    _build_demo(Path(db), int(rows), ledger)
    return {"seconds": time.perf_counter() - started, "rows": int(rows)}


CHILDREN = {
    "demo": child_demo,
    "export": child_export,
    "export-recorded": child_export_recorded,
    "bare-export": child_bare_export,
    "import": child_import,
    "bare-import": child_bare_import,
}


def isolated_env(root: Path) -> dict[str, str]:
    """The environment of a child that keeps its data and keys under ``root``, so a run
    never reads or writes the user's database or key store."""
    env = {
        **os.environ,
        "HEBI_DESKTOP_DATA_DIR": str(root / "data"),
        "HEBI_DESKTOP_KEY_DIR": str(root / "keys"),
    }
    env.pop("HEBI_DESKTOP_DB", None)
    return env


def run_child(kind: str, *arguments: str, env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, *arguments],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The median time with its spread; peak memory is the largest seen in any run."""
    times = [r["seconds"] for r in results]
    chosen = dict(results[0])
    chosen.update(seconds=statistics.median(times), low=min(times), high=max(times))
    peaks = [r["peak_mb"] for r in results if r.get("peak_mb")]
    chosen["peak_mb"] = max(peaks) if peaks else None
    if all("cpu" in r for r in results):
        chosen["cpu"] = statistics.median(r["cpu"] for r in results)
    return chosen


# --- the parent -----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--ledger", default="housing", choices=("housing", "water", "education"))
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--curve", default=CURVE, help="import sizes for the curve, comma-separated ('' skips it)"
    )
    parser.add_argument("--curve-repeat", type=int, default=1, help="runs per curve point")
    parser.add_argument(
        "--only-import",
        action="store_true",
        help="only the import curve (no export measurements; the workbooks are cached)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        result = CHILDREN[kind](*rest)
        result["peak_mb"] = result.pop("tree_mb", None) or peak_mb()
        print(json.dumps(result))
        return 0
    if args.only_import:
        sizes = [int(size) for size in args.curve.split(",") if size.strip()]
        within = import_curve(sizes, args.ledger, args.curve_repeat)
        print("within bounds" if within else "OUTSIDE the bounds")
        return 0 if within else 1

    with tempfile.TemporaryDirectory(prefix="hebi-bench-") as folder:
        root = Path(folder)
        env = isolated_env(root)
        db = root / "demo.sqlite"
        demo = run_child("demo", str(db), str(args.rows), args.ledger, env=env)
        print(
            f"demo database: {args.rows} {args.ledger} rows, {demo['seconds']:.1f} s, "
            f"peak memory {demo['peak_mb'] or 0:.0f} MB"
        )

        workbook = root / "export.xlsx"
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in CHILDREN if k != "demo"}
        for attempt in range(args.repeat):  # interleaved, so that slow spells hit all alike
            runs["export"].append(run_child("export", str(db), args.ledger, str(workbook), env=env))
            recorded = root / "recorded.xlsx"
            runs["export-recorded"].append(
                run_child("export-recorded", str(db), args.ledger, str(recorded), env=env)
            )
            runs["bare-export"].append(
                run_child("bare-export", str(db), args.ledger, str(root / "bare.xlsx"), env=env)
            )
            runs["import"].append(
                run_child(
                    "import", str(workbook), args.ledger, str(root / f"in-{attempt}.db"), env=env
                )
            )
            runs["bare-import"].append(
                run_child(
                    "bare-import",
                    str(workbook),
                    args.ledger,
                    str(root / f"bare-{attempt}.db"),
                    env=env,
                )
            )
        export, bare_export, imported, bare_import = (
            median_run(runs[k]) for k in ("export", "bare-export", "import", "bare-import")
        )
        kind = database_kind(root / "in-0.db")

    record_shares = sorted(r["record_s"] / r["seconds"] for r in runs["export-recorded"])
    record_share = statistics.median(record_shares)
    export_ratio = export["seconds"] / bare_export["seconds"]
    import_ratio = imported["seconds"] / bare_import["seconds"]
    peak = export["peak_mb"]

    def spread(run: dict[str, Any]) -> str:
        return f"{run['seconds']:.1f} s ({run['low']:.1f}–{run['high']:.1f})"

    print(f"medians of {args.repeat} runs (fastest–slowest); {kind}")
    print(
        f"export  {export['rows']} rows: {spread(export)}; sqlite3 + bare openpyxl write-only: "
        f"{spread(bare_export)}"
    )
    print(
        f"import  {imported['rows']} rows: {spread(imported)}; calamine + sqlite3 "
        f"executemany: {spread(bare_import)}"
    )
    print(f"export ratio: {export_ratio:.2f} (bound {EXPORT_BOUND})")
    print(
        f"recording the submission: {record_share:.1%} of the export's time "
        f"({record_shares[0]:.1%}–{record_shares[-1]:.1%}; bound {RECORD_BOUND:.0%})"
    )
    print(
        "export peak memory: "
        + (f"{peak:.0f} MB (bound {MEMORY_BOUND_MB} MB)" if peak else "unknown on this system")
    )
    print(f"import ratio: {import_ratio:.2f} (bound {IMPORT_BOUND})")
    if imported.get("peak_mb"):
        print(f"import peak memory: {imported['peak_mb']:.0f} MB")
    within = (
        export_ratio <= EXPORT_BOUND
        and record_share <= RECORD_BOUND
        and import_ratio <= IMPORT_BOUND
        and (peak is None or peak < MEMORY_BOUND_MB)
    )
    sizes = [int(size) for size in args.curve.split(",") if size.strip()]
    if sizes:
        within = import_curve(sizes, args.ledger, args.curve_repeat) and within
    print("within bounds" if within else "OUTSIDE the bounds")
    return 0 if within else 1


def database_kind(path: Path) -> str:
    """Which kind of database file both sides wrote (the bare baseline opens the file the
    program created, with its key when it has one): like is compared with like."""
    from hebi_desktop.storage.cipher import is_plain

    kind = "plain" if is_plain(path) else "SQLCipher-encrypted"
    return f"databases: {kind}, the program's and the baseline's alike"


def cached_workbook(rows: int, ledger: str) -> Path:
    """The exported workbook of a ``rows``-row demo database, made once and kept."""
    from hebi_desktop import __version__

    cache = Path(tempfile.gettempdir()) / "hebi-bench-cache"
    cache.mkdir(exist_ok=True)
    workbook = cache / f"exchange-{ledger}-{rows}-{__version__}.xlsx"
    if workbook.exists():
        return workbook
    with tempfile.TemporaryDirectory(prefix="hebi-bench-", dir=cache) as folder:
        root = Path(folder)
        env = isolated_env(root)  # the throw-away demo database's key stays here too
        print(f"making the {rows}-row workbook (kept in {cache}) ...", flush=True)
        db = root / "demo.sqlite"
        run_child("demo", str(db), str(rows), ledger, env=env)
        partial = root / "export.xlsx"
        run_child("export", str(db), ledger, str(partial), env=env)
        partial.replace(workbook)
    return workbook


def import_curve(sizes: list[int], ledger: str, repeat: int) -> bool:
    """The import against the bare baseline at each size; whether the bounds hold."""
    workbooks = {rows: cached_workbook(rows, ledger) for rows in sizes}
    points: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="hebi-bench-") as folder:
        root = Path(folder)
        env = isolated_env(root)
        kinds = set()
        for rows in sizes:
            ours: list[dict[str, Any]] = []
            bare: list[dict[str, Any]] = []
            for attempt in range(repeat):
                for kind, runs in (("import", ours), ("bare-import", bare)):
                    db = root / f"{kind}-{rows}-{attempt}.db"
                    runs.append(run_child(kind, str(workbooks[rows]), ledger, str(db), env=env))
                    kinds.add(database_kind(db))
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
            points[rows] = (median_run(ours), median_run(bare))
    print(f"import curve, medians of {repeat} run(s); {'; '.join(sorted(kinds))}")
    print("   rows   import s   bare s   ratio (≤ 2.0)   µs/row   peak MB   CPU s (bare)")
    per_row = []
    within = True
    for rows, (ours_run, bare_run) in points.items():
        ratio = ours_run["seconds"] / bare_run["seconds"]
        micro = ours_run["seconds"] / rows * 1e6
        per_row.append(micro)
        peak = ours_run.get("peak_mb") or 0
        print(
            f"{rows:>8}   {ours_run['seconds']:>7.1f}   {bare_run['seconds']:>6.1f}"
            f"   {ratio:>13.2f}   {micro:>6.0f}   {peak:>7.0f}"
            f"   {ours_run.get('cpu', 0):>5.1f} ({bare_run.get('cpu', 0):.1f})"
        )
        within = within and ratio <= IMPORT_BOUND
    spread = (max(per_row) - min(per_row)) / min(per_row)
    print(f"time per row spread across the curve: {spread:.0%} (bound {FLAT_BOUND:.0%})")
    largest = points[max(points)][0].get("peak_mb")
    if largest and max(points) >= 1_000_000:
        print(f"import peak memory at {max(points)} rows: {largest:.0f} MB (bound 500 MB)")
        within = within and largest <= IMPORT_MEMORY_BOUND_MB
    return within and spread <= FLAT_BOUND


def _build_demo(db: Path, rows: int, ledger: str) -> None:
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.demo import fill_demo

    book = Book.open(db)
    book.settings.set("operator", "测试员")
    book.settings.set("county_code", "410622")
    book.settings.set("township_code", "410622102")
    fill_demo(book, rows, ledgers=(ledger,), city_wide=True)
    book.close()


if __name__ == "__main__":
    sys.exit(main())
