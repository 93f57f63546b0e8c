"""Opening a database: which one (``--db``, ``HEBI_DESKTOP_DB``, or the default file)
and how SQLite is set up so that nothing is lost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, pool
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from hebi_desktop.paths import DB_ENV_VAR, default_database_path
from hebi_desktop.secrets import mask_address
from hebi_desktop.storage.cipher import key_for

BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 10
ENCRYPTED_CACHE_KB = 32_768  # per connection, for an encrypted database (default: 2,000)
# libpq's file parameters (the CA file of sslmode=verify-full, a client certificate): shown
# as typed, "C:/台账/root.crt", not %-escaped, since a message may ask the clerk to check them.
FILE_PARAMETERS = ("sslrootcert", "sslcert", "sslkey", "sslcrl", "sslcrldir")


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from a path or URL; ``None`` means the env variable, then the
    server address saved in the settings, then the default file."""
    from hebi_desktop.storage.desk_choice import chosen_database

    chosen = (
        str(db)
        if db
        else os.environ.get(DB_ENV_VAR) or chosen_database() or str(default_database_path())
    )
    if "://" in chosen:
        return chosen
    path = Path(chosen).expanduser().resolve()
    # Escaped, so a folder named "台账%1" or "a#b" is not read as URL syntax.
    return URL.create("sqlite", database=path.as_posix()).render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """The database as shown anywhere (messages, logs, window title): never a password.

    A SQLite file is shown as its path; a server URL with ``***`` in place of an
    embedded password, in the user-info or in a password-like query parameter
    (:func:`domain.secrets.mask_address`). The one place that decides how a URL is shown.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not parseable: keep only what follows the credentials, if any.
        return mask_address(url.rsplit("@", 1)[-1])
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    shown = parsed.difference_update_query(FILE_PARAMETERS).render_as_string(hide_password=True)
    for key in FILE_PARAMETERS:
        value = parsed.query.get(key, ())
        for one in (value,) if isinstance(value, str) else value:
            shown += f"{'&' if '?' in shown else '?'}{key}={one}"
    return mask_address(shown)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; ``None`` for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    database = parsed.database
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        # sqlite:///file:PATH?mode=ro&uri=true — SQLite's URI form (a read-only open, say).
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database)


def _configure_sqlite(engine: Engine, encrypted: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (below): pysqlite's own transaction handling
        # would otherwise run DDL and SAVEPOINTs outside our transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # journal_mode must be set outside any transaction, hence here, on connect.
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss,
        # and a township PC's power is not to be trusted. The cost is one fsync a commit.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if encrypted:
            # SQLite's page cache holds pages decrypted: a larger one (it grows only as
            # used) spares decrypting the same pages again on the next list or count.
            cursor.execute(f"PRAGMA cache_size=-{ENCRYPTED_CACHE_KB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writers take the write lock up front (IMMEDIATE) so two writers wait for each
        # other (busy_timeout) instead of failing when a read upgrades to a write.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """The engine for ``url``. ``hide_parameters``: a failed statement's message (and so
    any log line or traceback) never carries the row's values, names or ID numbers.

    A SQLite file is opened with its key (storage/cipher.py): a new file gets the desk's
    key and so is encrypted; a plain file (an older version's) opens without one. Raises
    cipher.KeyMissing when no key this desk knows opens the file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        key = key_for(path) if path is not None else None
        if key is not None:
            # The pysqlcipher dialect gives every new connection the key before anything
            # else; the key lives only in the engine, never in ``url`` (shown, logged).
            parsed = parsed.set(drivername="sqlite+pysqlcipher", password=f"x'{key.hex()}'")
        # No folder is made here: a typo'd --db must not create folders (see adoption.py).
        engine = create_engine(
            parsed,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
            # What pysqlite picks for a file; pysqlcipher would pick one connection a thread.
            poolclass=pool.QueuePool if path is not None else None,
        )
        _configure_sqlite(engine, encrypted=key is not None)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # An unreachable server is reported after seconds, not after the OS's minutes.
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    # sslmode and other libpq options in the URL's query pass through to the driver;
    # the password comes from the URL, PGPASSWORD or the pgpass file (libpq's own rules).
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True)


def reader(engine: Engine) -> Engine:
    """The same engine, each read transaction seeing one moment of the database.

    SQLite's WAL readers already do; on a server REPEATABLE READ gives the same, so a
    list or an export never shows half of another desk's import. Readers never wait.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, beginning each transaction ready to write."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")
