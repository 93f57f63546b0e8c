"""Two desks, two processes, one database: nothing interleaves and nothing is lost.

Each desk is a real ``hebi-desktop`` process (or a small Python child using the same
services), so the database's own locking is what is tested, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from tests.cli_helpers import ROOT
from tests.exchange.helpers import FIRST_DATA_ROW, calamine_rows
from tests.samples import housing

ROWS = 20_000
pytestmark = pytest.mark.slow


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hebi_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=600)
    assert "Traceback" not in out + err, err
    return process.returncode, out + err


@pytest.fixture(scope="module")
def _made(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, Path]]:
    return {}


@pytest.fixture
def rows(engine_name: str) -> int:
    """20,000 rows on the server; fewer on SQLite, whose file lock is tested elsewhere too."""
    return ROWS if engine_name == "postgresql" else ROWS // 10


@pytest.fixture
def workbooks(
    rows: int, _made: dict[int, tuple[Path, Path]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """Two housing workbooks of ``rows`` rows each, as two townships would send them."""
    if rows not in _made:
        folder = tmp_path_factory.mktemp("workbooks")
        made = []
        for seed in (11, 12):
            with Book.open(folder / f"source-{seed}.sqlite", backups=folder) as source:
                fill_demo(source, rows, seed=seed, ledgers=("housing",))
                target = folder / f"housing-{seed}.xlsx"
                request = ExportRequest(("housing",), record_submission=False, all_places=True)
                export_workbook(source, request, target)
                made.append(target)
        _made[rows] = (made[0], made[1])
    return _made[rows]


CHILD_EDIT = """
import sys, time
from pathlib import Path
from hebi_desktop.services.book import Book
from hebi_desktop.errors import StaleRecord
url, record_id, remark, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
with Book.open(url) as book:
    service = book.records("housing")
    record = service.get(record_id)
    (folder / f"read-{remark}").touch()
    while not (folder / "go").exists():
        time.sleep(0.02)
    try:
        service.update(record.id, {**record.values, "remarks": remark}, record.version)
        print("saved")
    except StaleRecord as refused:
        print("refused", refused)
"""


def test_two_desks_saving_one_record_one_is_refused(
    book: Book, db_url: str, tmp_path: Path
) -> None:
    saved = book.records("housing").create(housing()).record
    book.close()
    desks = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD_EDIT, db_url, str(saved.id), remark, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )
        for remark in ("甲", "乙")
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"read-{r}").exists() for r in ("甲", "乙")):
        assert time.monotonic() < deadline and all(d.poll() is None for d in desks)
        time.sleep(0.05)
    (tmp_path / "go").touch()  # both hold the same version: both try to save now
    outputs = [d.communicate(timeout=120)[0].strip() for d in desks]
    assert sorted(line.split()[0] for line in outputs) == ["refused", "saved"], outputs
    winner = ("甲", "乙")[[line.split()[0] for line in outputs].index("saved")]
    with Book.open(db_url) as reopened:
        service = reopened.records("housing")
        final = service.get(saved.id)
        assert final.values["remarks"] == winner  # the saved edit, not a silent overwrite
        assert final.version == saved.version + 1
        assert [e.action for e in service.history(saved.id)] == ["create", "update"]


def test_two_desks_importing_at_once_interleave_nothing(
    book: Book, db_url: str, workbooks: tuple[Path, Path], rows: int
) -> None:
    book.close()
    desks = [start("import", "housing", str(path), "--db", db_url) for path in workbooks]
    results = [finish(desk) for desk in desks]
    with Book.open(db_url) as reopened:
        stored = reopened.records("housing").count()
    done = [code == 0 for code, _text in results]
    # Both complete, or one is refused as a whole: never a part of one.
    assert any(done), results
    assert stored == rows * sum(done), results
    for code, text in results:
        assert code == 0 or "未写入" in text or "重复" in text, text


def test_an_export_during_an_import_sees_all_of_it_or_none(
    book: Book, db_url: str, workbooks: tuple[Path, Path], rows: int, tmp_path: Path
) -> None:
    book.records("housing").create(housing())
    importing = start("import", "housing", str(workbooks[0]), "--db", db_url)
    seen: list[int] = []
    during = 0
    number = 0
    while importing.poll() is None or not seen:
        running = importing.poll() is None
        number += 1
        target = tmp_path / f"export-{number}.xlsx"
        request = ExportRequest(("housing",), record_submission=False, all_places=True)
        seen.append(export_workbook(book, request, target).rows["housing"])
        during += running
    code, text = finish(importing)
    assert code == 0, text
    assert during >= 1  # at least one export ran while the import was writing
    assert set(seen) <= {1, rows + 1}, seen
    # The last file read back holds exactly the rows its count said.
    cells = calamine_rows(target, get_ledger("housing").title)[FIRST_DATA_ROW - 1 :]
    numbered = [row for row in cells if isinstance(row[0], int | float) and row[0] != ""]
    assert len(numbered) == seen[-1] == rows + 1
