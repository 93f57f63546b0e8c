"""Bringing a database to the current schema at start-up, after a backup.

A SQLite file that already holds data is copied to the backups folder before any
revision runs, so a failed or unwanted upgrade can always be undone. Every
revision runs inside one transaction: SQLite DDL is transactional, so a crash
half-way leaves the old schema intact.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, inspect

from hebi_desktop.paths import migrations_dir
from hebi_desktop.storage.backup import backup_file, timestamped_name
from hebi_desktop.storage.engine import sqlite_path

log = logging.getLogger(__name__)


class NewerDatabase(Exception):
    """The database is at a revision this program does not know: a newer version wrote it."""

    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.revision = revision


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_known(revision: str) -> bool:
    """True when this program's migrations know ``revision`` (so it is not newer)."""
    return _known(revision)


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(engine: Engine, backups: Path | None) -> Path | None:
    """Migrate to head. Returns the backup made first, if one was needed."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return None
    if current is not None and not _known(current):
        raise NewerDatabase(current)  # before any backup or change
    backup: Path | None = None
    database = sqlite_path(str(engine.url))
    has_tables = bool(inspect(engine).get_table_names())
    if database is not None and database.exists() and has_tables and backups is not None:
        backup = backup_file(database, backups / timestamped_name(f"before-upgrade-{current}"))
    log.info("migrating database from %s to %s", current, head)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup
