"""Alembic environment: run by :func:`hebi_desktop.storage.migrate.upgrade` with an open
connection (``config.attributes["connection"]``), or from the ``alembic`` command line
for writing new revisions (``alembic -c hebi_desktop/storage/migrations/alembic.ini``).

From the command line it needs no database: unless ``sqlalchemy.url`` is set, it builds a
scratch SQLite file in a temporary folder, brings it to the current head with the existing
revisions, and lets autogenerate compare the models with that, so a new revision holds
exactly what the declarations added since.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from alembic import context
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine

from hebi_desktop.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def scratch_database_at_head(folder: Path) -> Engine:
    """A new SQLite database with every existing revision applied.

    Runs the revisions through a plain MigrationContext rather than a nested
    ``command.upgrade``, which would replace this environment's ``context`` proxy.
    """
    engine = create_engine(f"sqlite:///{folder / 'head.sqlite'}")
    script = ScriptDirectory.from_config(config)

    def to_head(revision: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs("head", revision)

    with engine.begin() as connection:
        migration = MigrationContext.configure(
            connection, opts={"script": script, "fn": to_head, "render_as_batch": True}
        )
        with Operations.context(migration):
            migration.run_migrations()
    return engine


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url:
        with create_engine(url).connect() as connection:
            run_with(connection)
        return
    with tempfile.TemporaryDirectory(prefix="hebi-alembic-") as folder:
        engine = scratch_database_at_head(Path(folder))
        try:
            with engine.connect() as connection:
                run_with(connection)
        finally:
            engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run()
