"""Printing speed: each form of a 10,000-record ledger rendered to PDF.

    python bench/print.py [--rows 10000] [--ledger housing]

Builds a demo database with ``--rows`` records in the ledger, then times ``write_pdf``
for each form the ledger declares (reading, sorting, laying out, painting, saving), and
prints the seconds, the pages and the file size. Bound (the issue's): < 30 s per form.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BOUND_SECONDS = 30.0

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--ledger", default="housing")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtGui import QGuiApplication

    from hebi_desktop.domain.printing import Form
    from hebi_desktop.domain.registry import get_ledger
    from hebi_desktop.printing.content import PrintRequest
    from hebi_desktop.printing.pdf import write_pdf
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.demo import fill_demo

    app = QGuiApplication(["bench"])
    ledger = get_ledger(args.ledger)
    assert ledger.print_forms is not None
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        os.environ["HEBI_DESKTOP_DATA_DIR"] = folder
        book = Book.open(Path(folder) / "bench.sqlite")
        book.settings.set("operator", "测试员")
        book.settings.set("county_code", "410622")
        book.settings.set("township_code", "410622102")
        fill_demo(book, args.rows, ledgers=(ledger.key,), city_wide=True)
        for form in Form:
            if not ledger.print_forms.has(form):
                continue
            target = Path(folder) / f"{form}.pdf"
            started = time.perf_counter()
            request = PrintRequest(ledger.key, form, all_places=True)  # the whole demo city
            result = write_pdf(book, request, target)
            seconds = time.perf_counter() - started
            worst = max(worst, seconds)
            size = target.stat().st_size / 1_000_000
            print(
                f"{ledger.key} {form.value:8s} {result.rows:6d} rows  {result.pages:5d} pages  "
                f"{seconds:6.1f} s  {size:5.1f} MB"
            )
        book.close()
    del app
    verdict = "ok" if worst < BOUND_SECONDS else "TOO SLOW"
    print(f"slowest form: {worst:.1f} s (bound {BOUND_SECONDS:.0f} s) {verdict}")
    return 0 if worst < BOUND_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
