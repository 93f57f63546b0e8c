"""Validated rows kept between reading a sheet and writing it, in bounded memory.

The importer reads and checks every row before it takes the database's write lock (so
other desks can keep saving while a big sheet is read). The rows it will write wait
here: in memory up to ``in_memory`` rows, beyond that pickled in batches into a temporary
file that is deleted when the spool is closed.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Any

IN_MEMORY = 5_000  # about 3 KB a checked row: 15 MB, then a temporary file
BATCH = 10_000


class Spool:
    """An append-only sequence of items, replayed once in order by :meth:`batches`."""

    def __init__(self, in_memory: int = IN_MEMORY, batch: int = BATCH) -> None:
        self.in_memory = in_memory
        self.batch = batch
        self.count = 0
        self._memory: list[Any] = []
        self._pending: list[Any] = []
        self._file: IO[bytes] | None = None

    def append(self, item: Any) -> None:
        self.count += 1
        if self._file is None and len(self._memory) < self.in_memory:
            self._memory.append(item)
            return
        self._pending.append(item)
        if len(self._pending) >= self.batch:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            # closed (and so deleted) by close(), which the importer's ``with`` calls
            self._file = tempfile.TemporaryFile(prefix="hebi-import-")  # noqa: SIM115
        pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending = []

    def batches(self) -> Iterator[list[Any]]:
        """The items in the order appended, ``batch`` at a time (fewer at the end)."""
        for start in range(0, len(self._memory), self.batch):
            yield self._memory[start : start + self.batch]
        if self._file is not None:
            self._file.seek(0)
            while True:
                try:
                    yield pickle.load(self._file)
                except EOFError:
                    break
        if self._pending:
            yield self._pending

    def close(self) -> None:
        self._memory = []
        self._pending = []
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
