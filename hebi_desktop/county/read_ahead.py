"""The next submission read in a helper process while this one writes the last.

A county takes in a dozen workbooks in a run, one after another: each is read and checked
(Python, holding the interpreter lock) and then written (SQLite). Reading the next file in
a helper process while this one writes the previous lets the two share a desk PC's cores;
with threads they would only take turns. The files are still judged and written here, one
at a time, in their order, each against what the county holds after the ones before it:
reading a file does not depend on the county's records, so where it is read changes
nothing that is found.

Small runs (a file or two, or files of a few thousand rows) are read here: starting the
helper costs about a second. If the helper cannot be started or stops, the remaining
files are read here and the log says so.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Generic, TypeVar

from hebi_desktop.exchange import sheet_process

log = logging.getLogger(__name__)

T = TypeVar("T")

WORTH_FROM_BYTES = 3_000_000  # the run's files together (a 10,000-row workbook is ~1 MB)


def worth_a_helper(paths: Sequence[Path]) -> bool:
    """Whether reading ``paths`` ahead in a helper pays for starting one."""
    if len(paths) < 2 or os.environ.get(sheet_process.OFF) == "1":
        return False
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # refused in its turn, with the reason
    return total >= WORTH_FROM_BYTES


class ReadAhead(Generic[T]):
    """``take(k)`` gives file k read; with a helper, file k + 1 is read meanwhile.

    ``elsewhere(path)`` runs in the helper (a module-level function, or a partial of one,
    with arguments that pickle); ``here(k)`` reads file k in this process.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        here: Callable[[int], T],
        elsewhere: Callable[[Path], T],
        helper: bool,
    ) -> None:
        self._paths = list(paths)
        self._here = here
        self._elsewhere = elsewhere
        self._futures: dict[int, Future[T]] = {}
        self._pool: ProcessPoolExecutor | None = None
        if helper:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )

    def take(self, index: int) -> T:
        if self._pool is not None:
            try:
                future = self._start(index)
                self._start(index + 1)
                if future is not None:
                    self._futures.pop(index, None)
                    return future.result()
            except (BrokenProcessPool, OSError, RuntimeError) as error:
                log.warning("reading the files here: helper stopped (%s)", type(error).__name__)
                self._stop()
        return self._here(index)

    def _start(self, index: int) -> Future[T] | None:
        if self._pool is None or not 0 <= index < len(self._paths):
            return None
        if index not in self._futures:
            self._futures[index] = self._pool.submit(self._elsewhere, self._paths[index])
        return self._futures[index]

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures.clear()

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop()
