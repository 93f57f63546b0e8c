"""Copying a whole database between engines: the portable backup and moving an office.

A shared PostgreSQL database is backed up as a SQLite file (one file a clerk can keep,
mail or restore anywhere), and a SQLite file can be loaded into a server. Both are the
same operation: copy every table of one open database into another at the same schema
revision, reading one consistent snapshot and writing in one transaction, so the
target holds all of the source or, after any failure, exactly what it held before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Table, delete, func, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from hebi_desktop.errors import UserError
from hebi_desktop.storage.backup import BackupError, check_backup, timestamped_name
from hebi_desktop.storage.blobs import BlobStore, TableStore, backup_folder
from hebi_desktop.storage.cipher import connect, find_key
from hebi_desktop.storage.models import Base

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Database

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
BATCH = 5_000


def copied_tables() -> list[Table]:
    """Every table of the program, parents before children (foreign keys)."""
    return list(Base.metadata.sorted_tables)


@contextlib.contextmanager
def _snapshot(book: Database) -> Iterator[Connection]:
    """A read transaction that sees one moment of the database, never blocking writers."""
    connection = book.engine.connect()
    try:
        if book.engine.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection
    finally:
        connection.close()


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: let new rows continue after the copied ids (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = connection.scalar(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        if sequence:
            top = connection.scalar(select(func.max(table.c.id))) or 0
            connection.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": max(top, 1), "called": top > 0},
            )


def copy_book(
    source: Database, target: Database, progress: Progress | None = None
) -> dict[str, int]:
    """Replace everything in ``target`` by the contents of ``source``; rows per table.

    Both books are open, hence at the program's schema revision. The target is emptied
    and filled in one transaction: a failure half-way leaves it as it was.
    """
    tables = copied_tables()
    copied: dict[str, int] = {}
    with _snapshot(source) as reading:
        present = set(inspect(reading).get_table_names())
        tables = [t for t in tables if t.name in present]
        total = sum(reading.scalar(select(func.count()).select_from(t)) or 0 for t in tables)
        done = 0
        with target.writing() as writing:
            if writing.dialect.name == "postgresql":
                # Other desks may keep reading; their writes wait until the copy is done.
                names = ", ".join(writing.dialect.identifier_preparer.quote(t.name) for t in tables)
                writing.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
            for table in reversed(tables):
                writing.execute(delete(table))
            for table in tables:
                copied[table.name] = 0
                result = reading.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*table.primary_key.columns)
                )
                for batch in result.mappings().partitions(BATCH):
                    writing.execute(insert(table), [dict(row) for row in batch])
                    copied[table.name] += len(batch)
                    done += len(batch)
                    if progress is not None:
                        progress(done, total)
            _reset_sequences(writing, tables)
    log.info("copied %d rows in %d tables", done, len(tables))
    return copied


def copy_contents(source: Database, target: BlobStore) -> int:
    """Put into ``target`` the attachment contents of ``source`` it lacks; how many."""
    from hebi_desktop.storage.models import Attachment

    with source.reading() as connection:
        rows = connection.execute(select(Attachment.sha256, Attachment.original_sha256)).all()
    wanted = {sha for row in rows for sha in row if sha}
    missing = target.missing(wanted)
    for sha in sorted(missing):
        target.put(sha, source.blob_store.get(sha))
    return len(missing)


def portable_backup(book: Database, target: Path, progress: Progress | None = None) -> Path:
    """Write the whole database (any engine) into the SQLite file ``target``.

    Built under a temporary name and moved into place, so a backup file that exists is
    complete; the backup opens anywhere with ``restore`` or ``--db``.
    """
    target = Path(target)
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        copy = type(book).open(partial)  # the same kind of book, for a SQLite file
        try:
            copy_book(book, copy, progress)
            # Self-contained: the attachments go inside the file, for another PC.
            copy_contents(book, TableStore(copy.write_engine))
        finally:
            copy.close()
        # One self-contained file, no WAL beside it; encrypted with the desk's key, so it
        # opens on another PC with the desk's recovery key.
        connection = connect(partial, find_key(partial))
        try:
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as error:
        _discard(partial)
        raise BackupError(f"无法写入备份文件“{target}”：{error.strerror or error}") from None
    except BaseException:
        _discard(partial)
        raise
    log.info("portable backup written to %s", target)
    return target


def _discard(partial: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(str(partial) + suffix).unlink(missing_ok=True)


def restore_into(book: Database, backup: Path, keep_dir: Path) -> Path:
    """Replace the contents of ``book`` (e.g. a server database) by a backup file.

    The backup is checked first and opened from a scratch copy (opening migrates, and the
    clerk's backup file must stay as it was). The current contents are first saved as a
    portable backup in ``keep_dir``, whose path is returned.
    """
    check_backup(Path(backup))
    with tempfile.TemporaryDirectory(prefix="hebi-restore-") as scratch:
        source_file = Path(scratch) / "source.sqlite"
        shutil.copyfile(backup, source_file)
        source = type(book).open(source_file, backups=Path(scratch))
        source.read_attachments_from(backup_folder(Path(backup).parent))
        try:
            kept = portable_backup(book, keep_dir / timestamped_name("before-restore"))
            try:
                copy_book(source, book)
                copy_contents(source, book.blob_store)
            except SQLAlchemyError:
                log.warning("restore into %s failed", book.location, exc_info=True)
                raise UserError(
                    f"无法把“{Path(backup).name}”恢复到{book.location}，数据库未作任何更改"
                ) from None
        finally:
            source.close()
    log.info("restored %s into %s (previous contents: %s)", backup, book.location, kept)
    return kept
