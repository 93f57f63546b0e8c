"""Restore never loses data: refused while the database is open, checked before it
touches the working file, WAL content included, and the working file untouched on failure.

The "open elsewhere" cases use a real second process, as a clerk's open window is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.services.instances import lock_path
from hebi_desktop.storage.backup import BackupError, DatabaseInUse
from hebi_desktop.storage.checksums import sha256_file, write_manifest
from hebi_desktop.storage.engine import resolve_url
from tests.cli_helpers import ROOT, run
from tests.raw_db import raw_connect
from tests.samples import housing


def on_day(day: int) -> dict:
    return housing(check_date=dt.date(2020, 1, 1) + dt.timedelta(days=day))


def records_in(path: Path) -> int:
    with closing(raw_connect(path)) as connection:
        return connection.execute("SELECT count(*) FROM housing_checks").fetchone()[0]


def fingerprint(database: Path) -> dict[str, str]:
    """The bytes of the database and its -wal/-shm, as hashes."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            found[suffix or "db"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def database_and_backup(tmp_path: Path) -> tuple[Path, Path]:
    """A database with 2 records and a backup of it taken when it had 1."""
    database = tmp_path / "ledgers.sqlite"
    with Book.open(database) as book:
        book.records("housing").create(on_day(1))
        saved = book.backup(tmp_path / "saved.sqlite")
        book.records("housing").create(on_day(2))
    return database, saved


HOLDER = textwrap.dedent(
    """
    import sys, datetime as dt
    from hebi_desktop.services.book import Book
    from tests.samples import housing
    book = Book.open(sys.argv[1])
    book.count_all()  # a window that has shown its records holds a pooled connection
    print("ready", flush=True)
    sys.stdin.readline()  # the clerk saves a record after the restore attempt
    book.records("housing").create(housing(check_date=dt.date(2021, 3, 3)))
    book.close()
    print("saved", flush=True)
    """
)


@pytest.fixture
def holder(database_and_backup: tuple[Path, Path]) -> Iterator[subprocess.Popen[str]]:
    """Another process with the database open, as the window is."""
    database, _ = database_and_backup
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_restore_is_refused_while_another_process_has_the_database_open(
    database_and_backup: tuple[Path, Path], holder: subprocess.Popen[str]
) -> None:
    database, saved = database_and_backup
    before = fingerprint(database)

    done = run("restore", str(saved), "--db", str(database))

    assert done.returncode == 1
    assert "正在" in done.stderr and "关闭" in done.stderr
    assert fingerprint(database) == before
    assert not Path(f"{database}.restoring").exists()
    # The other process saves afterwards; its record is kept, not lost to a restore.
    out, _ = holder.communicate("\n", timeout=60)
    assert "saved" in out and holder.returncode == 0
    assert records_in(database) == 3


def test_restore_is_refused_while_a_window_holds_the_lock(
    database_and_backup: tuple[Path, Path],
) -> None:
    database, saved = database_and_backup
    window = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = lock_path(resolve_url(database))
        lock.write_text(f"{window.pid}\nhebi-desktop\nhost\n")
        done = run("restore", str(saved), "--db", str(database))
        assert done.returncode == 1
        assert "程序窗口" in done.stderr
        assert records_in(database) == 2
    finally:
        window.kill()
        window.wait()
    # The window is gone (crashed): its stale lock does not stop the restore.
    done = run("restore", str(saved), "--db", str(database))
    assert done.returncode == 0, done.stderr
    assert records_in(database) == 1


def newer(saved: Path) -> Path:
    """A backup as a newer program makes it (its checksum manifest matches)."""
    with closing(raw_connect(saved)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    write_manifest(saved, sha256_file(saved))
    return saved


def test_a_backup_from_a_newer_program_is_refused_before_anything_changes(
    database_and_backup: tuple[Path, Path], data_dir: Path
) -> None:
    database, saved = database_and_backup
    newer(saved)
    before = fingerprint(database)

    done = run("restore", str(saved), "--db", str(database))

    assert done.returncode == 1
    assert "更新版本" in done.stderr
    assert fingerprint(database) == before
    assert records_in(database) == 2
    assert not Path(f"{database}.restoring").exists()


def test_restore_from_a_copy_of_a_live_database_includes_its_wal(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite"
    with Book.open(live) as book:
        with book.reading() as connection:
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        # Keep the WAL unfolded: the copy is taken while the program runs.
        keeper = raw_connect(live)
        keeper.execute("PRAGMA wal_autocheckpoint=0")
        book.engine.dispose()
        book.records("housing").create(on_day(1))
        book.records("housing").create(on_day(2))
        copy = tmp_path / "copy.sqlite"
        shutil.copyfile(live, copy)
        shutil.copyfile(f"{live}-wal", f"{copy}-wal")
        keeper.close()
    assert os.path.getsize(f"{copy}-wal") > 0
    database = tmp_path / "ledgers.sqlite"
    Book.open(database).close()

    done = run("restore", str(copy), "--db", str(database))

    assert done.returncode == 0, done.stderr
    assert "housing 2 条" in done.stdout
    assert records_in(database) == 2


def test_the_window_and_the_command_share_one_restore(
    database_and_backup: tuple[Path, Path],
) -> None:
    database, saved = database_and_backup
    book = Book.open(database)
    other = Book.open(database)  # e.g. a second desk's command still running
    other.count_all()
    with pytest.raises(DatabaseInUse) as refused:
        backups.restore_backup(book, saved)
    reopened = refused.value.book  # type: ignore[attr-defined]
    assert reopened.records("housing").count() == 2
    other.close()
    outcome = backups.restore_backup(reopened, saved)
    assert outcome.book.records("housing").count() == 1
    outcome.book.close()


def test_a_failed_restore_leaves_the_database_byte_for_byte(
    database_and_backup: tuple[Path, Path], tmp_path: Path
) -> None:
    database, saved = database_and_backup
    before = fingerprint(database)
    broken = tmp_path / "broken.sqlite"
    data = bytearray(saved.read_bytes())
    data[5000:9000] = b"\xff" * 4000
    broken.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.sqlite"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
    for bad in (broken, foreign, newer(saved)):
        with pytest.raises(BackupError):
            backups.restore_database(resolve_url(database), bad)
        assert fingerprint(database) == before
    assert not list(tmp_path.glob("*.restoring*"))
