"""Where the program finds its resources and keeps its data.

Resources are looked up in three places so the same code works from a source
checkout, from an installed wheel and from a frozen (PyInstaller) bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

from hebi_desktop import APP_NAME

DB_ENV_VAR = "HEBI_DESKTOP_DB"
DATA_DIR_ENV_VAR = "HEBI_DESKTOP_DATA_DIR"


def resources_dir() -> Path:
    """Return the folder holding icons, reference data and translations."""
    candidates: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    package_dir = Path(__file__).resolve().parent
    candidates.append(package_dir.parent / "resources")  # source checkout / editable install
    candidates.append(package_dir / "_resources")  # regular install
    for candidate in candidates:
        if (candidate / "data").is_dir():
            return candidate
    raise FileNotFoundError(
        "resources folder not found; looked in: " + ", ".join(map(str, candidates))
    )


def resource(*parts: str) -> Path:
    """Path of one resource file, e.g. ``resource("data", "hebi_divisions.csv")``."""
    return resources_dir().joinpath(*parts)


def migrations_dir() -> Path:
    """Alembic's script folder; bundled next to the code in every kind of install."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        bundled = Path(frozen_root) / "hebi_desktop" / "storage" / "migrations"
        if bundled.is_dir():
            return bundled
    return Path(__file__).resolve().parent / "storage" / "migrations"


def data_dir() -> Path:
    """The user's data folder (database, backups, logs), created on first use.

    ``HEBI_DESKTOP_DATA_DIR`` overrides it, which tests and portable installs use.
    """
    override = os.environ.get(DATA_DIR_ENV_VAR)
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "hebi-desktop.sqlite"


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_backup_folder(database: Path | None) -> Path:
    """Where a database's backups go unless the clerk chose a folder: the data folder's
    ``backups`` for the default database, ``<name>-backups`` beside any other file, so a
    demo or a colleague's database never mixes its copies with the real ones."""
    if database is None:
        return backups_dir()
    try:
        is_default = database.resolve() == default_database_path().resolve()
    except OSError:
        is_default = False
    if is_default:
        return backups_dir()
    return database.parent / f"{database.stem}-backups"
