"""A child Python process for crash tests: it writes to a database, the test kills it
part-way and then looks at what the file holds.

The child runs in the repository folder, so it imports this checkout of the program,
and it never outlives its test, even when an assertion fails before the kill.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def wal_size(path: Path) -> int:
    """Bytes in the database's write-ahead log: it grows when an uncommitted write spills."""
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


@contextmanager
def child_python(code: str, *arguments: str) -> Iterator[subprocess.Popen[str]]:
    """``python -c code arguments…`` with its output piped as text; killed on the way out
    if it still runs."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
