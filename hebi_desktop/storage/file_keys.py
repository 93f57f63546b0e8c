"""Secrets derived from a database's key for files kept beside it (attachments).

Apart from ``keys.py`` (where keys are kept) and ``cipher.py`` (how a file is opened with
one), so the three import one way: keys <- cipher <- engine <- this module.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Protocol

from hebi_desktop.storage.cipher import find_key
from hebi_desktop.storage.engine import resolve_url, sqlite_path


class _HasUrl(Protocol):
    @property
    def url(self) -> str: ...


def file_encryption_key(book_or_location: _HasUrl | str | os.PathLike[str]) -> bytes | None:
    """A 32-byte secret of one database, for encrypting files kept beside it.

    Derived (HMAC-SHA-256) from the database's key, so it is as safe as the database and
    recovered with the same recovery key; never the database key itself. ``None`` for a
    plain SQLite file or a server database (nothing to derive from). Accepts an open book
    (anything with ``url``), a SQLAlchemy URL or a file path.
    """
    location = getattr(book_or_location, "url", book_or_location)
    path = sqlite_path(resolve_url(str(location)))
    if path is None or not path.exists():
        return None
    key = find_key(path)
    if key is None:
        return None
    return hmac.new(key, b"hebi-desktop file encryption v1", hashlib.sha256).digest()
