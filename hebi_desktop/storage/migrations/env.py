"""Alembic environment: run by :func:`hebi_desktop.storage.migrate.upgrade` with an open
connection (``config.attributes["connection"]``), or from the ``alembic`` command line
for writing new revisions (``alembic -c hebi_desktop/storage/migrations/alembic.ini``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from hebi_desktop.storage.engine import resolve_url
from hebi_desktop.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or resolve_url(None)
    engine = create_engine(url)
    with engine.connect() as connection:
        run_with(connection)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run()
