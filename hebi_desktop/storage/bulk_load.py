"""A big import into a small table: its secondary indexes built once at the end.

SQLite keeps every index of a table up to date row by row. For 100,000 new records in a
table with eight indexes on names, pinyin keys, dates and ID numbers, most of the write
is spent inserting into those B-trees at random places, and the more so the bigger they
grow. When a write adds at least as many rows as the table already holds, dropping the
non-unique indexes first and creating them again afterwards (SQLite then sorts each once)
is faster, and equally correct: it all happens inside the caller's one transaction, so
a failure or a crash rolls the indexes back with the rows, and other connections go on
reading the last committed state, indexes included. Unique indexes stay, so that every
row is still checked against them as it is written. The indexes are created again from
their own stored definitions, exactly as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

log = logging.getLogger(__name__)

REBUILD_FROM_ROWS = 20_000  # smaller writes update the indexes as they go
# The page cache while the indexes are built: SQLCipher sorts in memory (its temporary
# files never reach the disk unencrypted), so the big cache of the rows' write gives way.
BUILD_CACHE_KIB = -16384


@contextmanager
def indexes_built_after(connection: Connection, table: str, incoming: int) -> Iterator[None]:
    """Inside the caller's write transaction: ``incoming`` new rows go into ``table``."""
    if connection.dialect.name != "sqlite" or incoming < REBUILD_FROM_ROWS:
        yield
        return
    held = int(connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar() or 0)
    if incoming < held:
        yield
        return
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (table,),
    ).all()
    secondary = [(name, sql) for name, sql in found if not _is_unique(sql)]
    for name, _sql in secondary:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield  # on an error the caller's transaction rolls back, the indexes with it
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={BUILD_CACHE_KIB}")
    for _name, sql in secondary:
        connection.exec_driver_sql(sql)
    connection.exec_driver_sql(f"PRAGMA cache_size={int(previous or -2000)}")
    log.info("%s: %d indexes built after %d new rows", table, len(secondary), incoming)


def _is_unique(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE UNIQUE")
