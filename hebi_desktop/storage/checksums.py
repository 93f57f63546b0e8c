"""A SHA-256 beside every backup, so a restore can tell a backup whose bytes changed.

A backup on a USB stick can rot: a flipped bit inside a record leaves a file SQLite still
opens and checks as healthy, and would be restored silently. Every backup therefore gets
a manifest ``<backup>.sha256`` in the usual ``sha256sum`` form (``<hex>  <name>``; checked
by hand with ``sha256sum -c`` or ``certutil -hashfile``). A restore recomputes the hash and
refuses a backup that does not match. A backup without a manifest (made by an older
version) is restored as before, and the log says it could not be verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".sha256"


def manifest_of(backup: Path) -> Path:
    return backup.with_name(backup.name + SUFFIX)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(backup: Path, digest: str) -> Path:
    """Write ``backup``'s manifest (atomically: a manifest that exists is complete)."""
    manifest = manifest_of(backup)
    handle, name = tempfile.mkstemp(prefix=f".{manifest.name}.", dir=manifest.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(f"{digest}  {backup.name}\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, manifest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return manifest


def recorded_digest(backup: Path) -> str | None:
    """The SHA-256 recorded for ``backup``; ``None`` when there is no readable manifest."""
    try:
        text = manifest_of(backup).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    first = text.split(maxsplit=1)
    if not first or len(first[0]) != 64:
        return None
    return first[0].lower()


def changed_since_backup(backup: Path) -> bool:
    """True when ``backup``'s bytes differ from its manifest (False without a manifest)."""
    recorded = recorded_digest(backup)
    if recorded is None:
        log.info("backup %s has no checksum manifest; not verified", backup.name)
        return False
    return sha256_file(backup) != recorded


def remove_manifest(backup: Path) -> None:
    with contextlib.suppress(OSError):
        manifest_of(backup).unlink(missing_ok=True)
