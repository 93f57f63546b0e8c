"""Where the program finds its resources and keeps its data.

Resources are looked up in three places so the same code works from a source
checkout, from an installed wheel and from a frozen (PyInstaller) bundle.
"""

from __future__ import annotations

import errno
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


_REASONS = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "所在磁盘是只读的",
    errno.ENOSPC: "磁盘已满",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOENT: "路径中有一段不存在",
}


class UnwritableDataFolder(OSError):
    """The data folder cannot be made or written (a read-only home folder, say).

    ``str()`` is the Chinese message: which folder, and what still works without it. An
    OSError, so every place that already reports a failed file operation reports it too.
    """

    def __init__(self, folder: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror, str(folder))
        self.folder = folder

    def __str__(self) -> str:
        reason = _REASONS.get(self.errno or 0, "无法建立或写入")
        return (
            f"无法写入数据文件夹 {self.folder}（{reason}）。默认数据库、日志和备份都放在这个"
            f"文件夹中，所以现在无法打开默认数据库。仍然可以用 --db 打开其他可写位置的数据库"
            f"文件或共享服务器（录入、导入、导出、打印照常，备份放在该数据库文件旁）；"
            f"也可以把环境变量 {DATA_DIR_ENV_VAR} 设为一个可写的文件夹，"
            "或请管理员开放该文件夹的写入权限"
        )


def data_dir() -> Path:
    """The user's data folder (database, backups, logs), created on first use.

    ``HEBI_DESKTOP_DATA_DIR`` overrides it, which tests and portable installs use.
    :class:`UnwritableDataFolder` when it cannot be made or written.
    """
    override = os.environ.get(DATA_DIR_ENV_VAR)
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UnwritableDataFolder(path, error) from None
    # (Windows marks many folders read-only without meaning it: only the mkdir counts there.)
    if os.name != "nt" and not os.access(path, os.W_OK):
        raise UnwritableDataFolder(path, PermissionError(errno.EACCES, "not writable"))
    return path


def working_dir(name: str) -> Path:
    """A folder for this user's locks or temporary files: in the data folder, or in the
    system's temporary folder when the data folder cannot be written, so that a database
    opened with ``--db`` still works from a read-only home folder."""
    try:
        path = data_dir() / name if name else data_dir()
    except UnwritableDataFolder:
        import tempfile

        path = Path(tempfile.gettempdir()) / f"{APP_NAME}-{_user()}" / (name or "locks")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or str(os.getpid())


def default_database_path() -> Path:
    return data_dir() / "hebi-desktop.sqlite"


def backups_dir() -> Path:
    return _sub_folder("backups")


def logs_dir() -> Path:
    return _sub_folder("logs")


def _sub_folder(name: str) -> Path:
    path = data_dir() / name
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UnwritableDataFolder(path, error) from None
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
