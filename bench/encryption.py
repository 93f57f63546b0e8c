"""What encryption costs: the same work on a plain and on an encrypted database.

    python bench/encryption.py [--rows 100000] [--runs 5]

One plain database is filled with ``--rows`` housing records (``fill_demo``) and an
encrypted copy made of it (``sqlcipher_export``, as the first-start migration does), so
both hold the same rows. Then, each in fresh processes and interleaved so that a slow
spell hits both alike: the window's start until it is first exposed (bench/desk.py), the
ledger page's first visit (bench/desk.py), an export of every record and an import of
that workbook into a new database of the same kind (bench/exchange.py). The medians are
printed with the ratio encrypted / plain; the aim is at most 1.15 for each. Timings are
printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BOUND = 1.15
LABELS = {
    "window_s": "启动到窗口出现",
    "page_s": "首次打开台账页",
    "export_s": "导出",
    "import_s": "导入",
}


def plain_file(path: Path) -> Path:
    """A new plain database file (the program keeps a plain file plain)."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
    return path


def main(argv: list[str] | None = None) -> int:
    import desk
    import exchange

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="housing records")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--only",
        default=",".join(LABELS),
        help="what to measure: window_s,page_s,export_s,import_s",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hebi-bench-cipher-") as folder:
        root = Path(folder)
        data = root / "data"
        data.mkdir()
        os.environ["HEBI_DESKTOP_DATA_DIR"] = str(data)
        os.environ["HEBI_DESKTOP_KEY_DIR"] = str(root / "keys")
        os.environ["HEBI_DESKTOP_KEEP_PLAIN"] = "1"  # the window must not encrypt "plain"
        env = desk._environment(data)
        plain = plain_file(root / "plain.sqlite")
        exchange.run_child("demo", str(plain), str(args.rows), "housing", env=env)
        from hebi_desktop.storage.cipher import encrypted_copy
        from hebi_desktop.storage.keys import desk_key

        encrypted = root / "encrypted.sqlite"
        encrypted_copy(plain, encrypted, desk_key())
        print(f"{args.rows} housing records in each database", flush=True)

        wanted = [key for key in LABELS if key in args.only.split(",")]
        runs: dict[str, dict[str, list[float]]] = {
            kind: {key: [] for key in wanted} for kind in ("plain", "encrypted")
        }
        pair = [("plain", plain), ("encrypted", encrypted)]
        for attempt in range(max(args.runs, 1)):
            # Interleaved, and each kind goes first every other time: a slow spell or a
            # warm cache favours neither.
            for kind, db in pair if attempt % 2 == 0 else pair[::-1]:
                times = runs[kind]
                if "window_s" in times:
                    times["window_s"].append(desk.measure_window(db, data)["window_s"])
                if "page_s" in times:
                    page = desk.run_child("page-and-search", [str(db), "housing", "王"], data)
                    times["page_s"].append(page["page_s"])
                workbook = root / f"{kind}.xlsx"
                if "export_s" in times or "import_s" in times:
                    out = exchange.run_child("export", str(db), "housing", str(workbook), env=env)
                    if "export_s" in times:
                        times["export_s"].append(out["seconds"])
                if "import_s" in times:
                    target = root / f"in-{kind}-{attempt}.sqlite"
                    if kind == "plain":
                        plain_file(target)
                    done = exchange.run_child(
                        "import", str(workbook), "housing", str(target), env=env
                    )
                    times["import_s"].append(done["seconds"])
                print(
                    f"run {attempt + 1} {kind}: "
                    + ", ".join(f"{key} {values[-1]:.3f}" for key, values in times.items()),
                    flush=True,
                )

    print(
        f"medians of {args.runs} runs, seconds (fastest–slowest); aim: encrypted ≤ {BOUND} × plain"
    )
    within = True
    for key in runs["plain"]:
        label = LABELS[key]
        plain_runs, encrypted_runs = runs["plain"][key], runs["encrypted"][key]
        ratio = statistics.median(encrypted_runs) / statistics.median(plain_runs)
        within = within and ratio <= BOUND
        print(
            f"{label}: plain {statistics.median(plain_runs):.3f} "
            f"({min(plain_runs):.3f}–{max(plain_runs):.3f}), encrypted "
            f"{statistics.median(encrypted_runs):.3f} "
            f"({min(encrypted_runs):.3f}–{max(encrypted_runs):.3f}), ratio {ratio:.2f}"
        )
    print("within the bound" if within else "OUTSIDE the bound")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
