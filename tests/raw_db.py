"""Raw DB-API connections to the program's database files, encrypted or plain.

Tests that look at a file behind the program's back (another program writing, a
damaged row) connect through the same key lookup the program uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hebi_desktop.storage.cipher import connect, key_for


def raw_connect(path: Path | str, **options: Any) -> Any:
    """A connection to ``path`` with its key (the desk's key for a new file)."""
    return connect(Path(path), key_for(Path(path)), **options)
