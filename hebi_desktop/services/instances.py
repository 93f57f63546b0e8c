"""Which program windows are running, without Qt: the single-instance lock file.

The window (``ui/single_instance.py``) holds a lock file per database in the data
folder, named after a hash of the database URL and holding the owner's process id.
Commands such as ``restore`` read it to refuse while a window has the database open;
a lock whose process is gone (after a crash) does not count.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from hebi_desktop import APP_NAME
from hebi_desktop.paths import working_dir


def server_name(db_url: str) -> str:
    """The local socket name for ``db_url``: the same database gives the same name.

    The user name is part of the hash, so two users of one PC never meet.
    """
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    key = db_url.lower() if os.name == "nt" else db_url  # Windows paths ignore case
    digest = hashlib.sha256(f"{user}\0{key}".encode()).hexdigest()[:20]
    return f"{APP_NAME}-{digest}"


def lock_path(db_url: str, lock_dir: Path | None = None) -> Path:
    folder = lock_dir if lock_dir is not None else working_dir("")
    return Path(folder) / f"{server_name(db_url)}.lock"


def alive(pid: int) -> bool:
    """True while the process ``pid`` runs."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000 | 0x00100000, False, pid)  # query, synchronize
        if not handle:
            return False
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == 0x102)  # WAIT_TIMEOUT
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def window_pid(db_url: str, lock_dir: Path | None = None) -> int | None:
    """The process id of another live window that has ``db_url`` open, else ``None``."""
    try:
        first_line = lock_path(db_url, lock_dir).read_text(errors="replace").splitlines()[0]
        pid = int(first_line.strip())
    except (OSError, IndexError, ValueError):
        return None
    if pid == os.getpid() or not alive(pid):
        return None
    return pid
