"""Where attachment bytes live: stored once per SHA-256, never changed, never removed.

A server database keeps them in ``attachment_contents`` (every desk sees them). A SQLite
desk keeps them in a folder beside the database file, one file per SHA-256, so the main
file stays small and a backup copies only the files it does not have yet. Each file may
be encrypted (AES-256-GCM) with the key a :data:`KeyProvider` gives; ``None`` = plain.

Content is verified against its SHA-256 on every read: a damaged or swapped file is
refused, never shown as the household's photo.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hebi_desktop.storage.models import AttachmentContent

KeyProvider = Callable[[], bytes | None]
ENCRYPTED_SUFFIX = ".enc"
NONCE_BYTES = 12


def no_key() -> bytes | None:
    """The default provider: files are stored plain."""
    return None


class ContentMissing(Exception):
    """The bytes of an attachment are not in the store (``args[0]``: the SHA-256)."""


class ContentDamaged(Exception):
    """Stored bytes do not match their SHA-256, or cannot be decrypted with the key."""


class ContentLocked(Exception):
    """The content is encrypted and no key was given."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    def put(self, sha256: str, data: bytes) -> bool:
        """Store ``data`` under its SHA-256; ``False`` when it was there already."""

    def get(self, sha256: str) -> bytes: ...

    def missing(self, hashes: Iterable[str]) -> set[str]: ...


def folder_beside(database: Path) -> Path:
    """The attachment folder of a SQLite database file: ``台账.sqlite`` → ``台账.sqlite-附件``."""
    return database.with_name(database.name + "-附件")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, flush to disk, then rename: a crash
    leaves either no file or the whole file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def backup_folder(folder: Path) -> Path:
    """The attachment files every backup in ``folder`` shares (content-addressed, so each
    file is copied once, however many backups there are)."""
    return folder / "hebi-desktop-附件"


def copy_missing(source: Path, target: Path) -> int:
    """Copy the content files of ``source`` that ``target`` lacks; how many were copied.

    Stored files never change (named by their SHA-256), so a file present is up to date:
    a backup after a day's work copies that day's photos only.
    """
    if not source.is_dir():
        return 0
    copied = 0
    for relative in FolderStore(source).files():
        if (target / relative).exists():
            continue
        _write_atomically(target / relative, (source / relative).read_bytes())
        copied += 1
    return copied


class FolderStore:
    """Content files under ``root/ab/abcdef…`` (``.enc`` when encrypted).

    ``fallback``: where to look for content that is not in the folder — a SQLite file
    that came from another PC as a portable backup carries it in its own table.
    """

    def __init__(
        self, root: Path, key: KeyProvider = no_key, fallback: BlobStore | None = None
    ) -> None:
        self.root = root
        self.key = key
        self.fallback = fallback

    def path_of(self, sha256: str) -> Path | None:
        """The stored file of ``sha256`` (plain or encrypted), ``None`` if not stored."""
        plain = self.root / sha256[:2] / sha256
        for candidate in (plain, plain.with_name(sha256 + ENCRYPTED_SUFFIX)):
            if candidate.exists():
                return candidate
        return None

    def put(self, sha256: str, data: bytes) -> bool:
        if self.path_of(sha256) is not None:
            return False
        key = self.key()
        target = self.root / sha256[:2] / sha256
        if key is None:
            _write_atomically(target, data)
        else:
            nonce = secrets.token_bytes(NONCE_BYTES)
            sealed = AESGCM(key).encrypt(nonce, data, sha256.encode())
            _write_atomically(target.with_name(sha256 + ENCRYPTED_SUFFIX), nonce + sealed)
        return True

    def get(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        if path is None:
            if self.fallback is not None:
                return self.fallback.get(sha256)
            raise ContentMissing(sha256)
        stored = path.read_bytes()
        if path.suffix == ENCRYPTED_SUFFIX:
            key = self.key()
            if key is None:
                raise ContentLocked(sha256)
            try:
                data = AESGCM(key).decrypt(
                    stored[:NONCE_BYTES], stored[NONCE_BYTES:], sha256.encode()
                )
            except (InvalidTag, ValueError):
                raise ContentDamaged(sha256) from None
        else:
            data = stored
        if sha256_of(data) != sha256:
            raise ContentDamaged(sha256)
        return data

    def missing(self, hashes: Iterable[str]) -> set[str]:
        absent = {sha for sha in hashes if self.path_of(sha) is None}
        if absent and self.fallback is not None:
            return self.fallback.missing(absent)
        return absent

    def files(self) -> list[Path]:
        """Every stored file (for backups), relative to the root."""
        if not self.root.is_dir():
            return []
        return [
            p.relative_to(self.root)
            for p in self.root.glob("??/*")
            if p.is_file() and not p.name.startswith(".")
        ]


class TableStore:
    """Content rows in ``attachment_contents`` of a server database (or of a portable
    SQLite backup, which carries its attachments inside the one file).

    Each ``put`` is its own short transaction: content without an attachment row pointing
    at it is harmless (like a file in the folder store), and a bulk attach of thousands of
    photos then commits its rows in one transaction without holding every photo in memory.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, sha256: str, data: bytes) -> bool:
        table = cast(Table, AttachmentContent.__table__)
        insert = sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert
        statement = (
            insert(table)
            .values(sha256=sha256, size=len(data), content=data)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        with self.engine.begin() as connection:
            return bool(connection.execute(statement).rowcount)

    def get(self, sha256: str) -> bytes:
        with self.engine.connect() as connection:
            data = connection.scalar(
                select(AttachmentContent.content).where(AttachmentContent.sha256 == sha256)
            )
        if data is None:
            raise ContentMissing(sha256)
        data = bytes(data)
        if sha256_of(data) != sha256:
            raise ContentDamaged(sha256)
        return data

    def missing(self, hashes: Iterable[str]) -> set[str]:
        wanted = set(hashes)
        found: set[str] = set()
        listed = sorted(wanted)
        with self.engine.connect() as connection:
            for start in range(0, len(listed), 1000):
                found.update(
                    connection.scalars(
                        select(AttachmentContent.sha256).where(
                            AttachmentContent.sha256.in_(listed[start : start + 1000])
                        )
                    )
                )
        return wanted - found
