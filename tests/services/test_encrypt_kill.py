"""A plain→encrypted migration killed at any moment leaves one complete database.

A real ``hebi-desktop encrypt`` process on a database of about 100,000 rows is killed
with SIGKILL at several points: early, as the encrypted copy appears, half-way through
it, and around the swap. Afterwards the file is either still plain or encrypted, with
every row of every table; the next run finishes the job.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.storage.cipher import ENCRYPTING_SUFFIX, is_plain, table_counts
from tests.cli_helpers import ROOT
from tests.raw_db import raw_connect

ROWS_PER_LEDGER = 34_000  # three ledgers: about 100,000 records


@pytest.fixture(scope="module")
def plain_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A plain database as an older version left it, built once for the module."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "big.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEBI_DESKTOP_DATA_DIR", str(folder / "data"))
        patch.setenv("HEBI_DESKTOP_KEY_DIR", str(folder / "keys"))
        from hebi_desktop.services.book import Book
        from hebi_desktop.services.demo import fill_demo

        with closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA journal_mode = WAL")
        with Book.open(path, create=True) as book:
            book.settings.set("operator", "测试员")
            book.settings.set("county_code", "410622")
            book.settings.set("township_code", "410622102")
            fill_demo(book, ROWS_PER_LEDGER, city_wide=True)
    yield path


def counts(path: Path) -> dict[str, int]:
    with closing(raw_connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return table_counts(connection)


def start_encrypt(db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hebi_desktop", "encrypt", "--db", str(db)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def partial_of(db: Path) -> Path:
    return db.with_name(db.name + ENCRYPTING_SUFFIX)


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def kill_when(process: subprocess.Popen[bytes], moment: Callable[[], bool]) -> bool:
    """SIGKILL ``process`` as soon as ``moment()`` holds; False when it ended first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if moment():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.0005)
    process.kill()
    raise AssertionError("encrypt did not reach the moment in time")


@pytest.mark.slow
def test_a_kill_at_any_point_leaves_one_complete_database(
    plain_database: Path, tmp_path: Path
) -> None:
    expected = counts(plain_database)
    assert sum(expected.values()) >= 100_000
    full = size(plain_database)
    started: list[float] = []

    def after(seconds: float) -> Callable[[], bool]:
        return lambda: time.monotonic() - started[0] > seconds

    moments: dict[str, Callable[[Path], Callable[[], bool]]] = {
        "early": lambda db: after(0.3),
        "copy appears": lambda db: lambda: partial_of(db).exists(),
        "copy half written": lambda db: lambda: size(partial_of(db)) > full // 2,
        "copy complete": lambda db: lambda: size(partial_of(db)) >= full * 0.9,
        "swapped": lambda db: lambda: not is_plain(db) and size(db) > 0,
    }
    states: dict[str, str] = {}
    for name, moment in moments.items():
        db = tmp_path / name.replace(" ", "-") / "ledgers.sqlite"
        db.parent.mkdir()
        shutil.copy(plain_database, db)
        started[:] = [time.monotonic()]
        process = start_encrypt(db)
        killed = kill_when(process, moment(db))
        states[name] = ("killed " if killed else "finished ") + (
            "plain" if is_plain(db) else "encrypted"
        )
        # Either database, complete: every row of every table, healthy.
        assert counts(db) == expected, name
        # The next start finishes (or finds nothing left to do).
        if is_plain(db):
            finish = start_encrypt(db)
            assert finish.wait(120) == 0, finish.stderr.read() if finish.stderr else ""
        assert not is_plain(db)
        assert counts(db) == expected, name
        assert not partial_of(db).exists()
        assert not Path(f"{db}-wal").exists() or not is_plain(db)
    # The kills hit both sides of the swap.
    assert "killed plain" in states.values(), states
    assert any(state.endswith("encrypted") for state in states.values()), states
