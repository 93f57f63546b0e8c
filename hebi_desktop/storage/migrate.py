"""Bringing a database to the current schema at start-up, after a backup.

A SQLite file that already holds data is copied to the backups folder before any
revision runs, so a failed or unwanted upgrade can always be undone. Every
revision runs inside one transaction: SQLite DDL is transactional, so a crash
half-way leaves the old schema intact.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from hebi_desktop.paths import migrations_dir
from hebi_desktop.storage.backup import backup_file, timestamped_name
from hebi_desktop.storage.engine import sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# Alembic (with Mako and Pygments) takes a third of a second to import: it is loaded only
# when the stored revision differs from the head, which is read from the revision files.
_REVISION = re.compile(r"^revision(?:\s*:[^=]+)?\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


class NewerDatabase(Exception):
    """The database is at a revision this program does not know: a newer version wrote it."""

    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.revision = revision


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def _head_from_files() -> str | None:
    """The one revision no other revision file names as its parent; None when the files
    cannot tell (no sources, several heads): then Alembic decides."""
    revisions, parents = _revisions_from_files()
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def _revisions_from_files() -> tuple[set[str], set[str]]:
    """The revision ids of the revision files, and those named as parents."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return revisions, parents


def head_revision() -> str | None:
    head = _head_from_files()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database (None for a new one), read with plain SQL."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        stored = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(stored) > 1:  # branches: let Alembic explain
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    return stored[0][0] if stored else None


def is_known(revision: str) -> bool:
    """True when this program's migrations know ``revision`` (so it is not newer)."""
    return _known(revision)


def _known(revision: str) -> bool:
    if revision in _revisions_from_files()[0]:
        return True  # without importing Alembic; it decides only the doubtful cases
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

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
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup
