"""The next workbook's sheets parsed on a thread while this one's rows are checked.

A county collects a dozen workbooks one after another. calamine parses a sheet without
holding Python's interpreter lock, so while the rows of one workbook are checked and
written, a thread parses the next workbook's sheets: the two share a desk PC's cores
instead of taking turns. One workbook ahead at most, so memory holds two at a time.

Preloading changes nothing that is read: a workbook that would be refused (too big once
decompressed, password-protected, damaged, a sheet big enough to be streamed) is simply
not preloaded, and is then opened, checked and refused as before, in its turn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from hebi_desktop.exchange.limits import Limits, check_archive, estimated_size

log = logging.getLogger(__name__)

Preloaded = dict[str, Any]  # sheet name → calamine's parsed sheet


class SheetPreloader:
    """Parses ``paths[k + 1]`` while the caller works on ``paths[k]`` (see :meth:`take`)."""

    def __init__(self, paths: Sequence[Path], limits: Limits | None = None) -> None:
        self._paths = list(paths)
        self._limits = limits or Limits()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hebi-preload")
        self._futures: dict[int, Future[Preloaded | None]] = {}

    def take(self, index: int) -> Preloaded | None:
        """The parsed sheets of ``paths[index]`` (waiting for them if need be), or None
        when that workbook must be opened the ordinary way; starts on the next one."""
        future = self._start(index)
        self._start(index + 1)
        self._futures.pop(index, None)
        return future.result() if future is not None else None

    def _start(self, index: int) -> Future[Preloaded | None] | None:
        if not 0 <= index < len(self._paths):
            return None
        if index not in self._futures:
            self._futures[index] = self._executor.submit(_parsed, self._paths[index], self._limits)
        return self._futures[index]

    def close(self) -> None:
        """Stop: a parse under way is finished, the rest are dropped."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._futures.clear()

    def __enter__(self) -> SheetPreloader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _parsed(path: Path, limits: Limits) -> Preloaded | None:
    """Every sheet of an ordinary workbook within the limits; None for anything else."""
    try:
        if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
            return None
        check_archive(path, limits)  # before anything is decompressed, as on opening
        workbook = CalamineWorkbook.from_path(str(path))
        sheets: Preloaded = {}
        for name in workbook.sheet_names:
            size = estimated_size(path, name)
            if size is not None and size[0] * size[1] > limits.stream_cells:
                continue  # streamed in its turn, never held whole
            sheets[name] = workbook.get_sheet_by_name(name)
        return sheets
    except Exception as error:
        log.info("not preloaded: %s (%s)", path.name, type(error).__name__)
        return None
