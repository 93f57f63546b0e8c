"""A big worksheet read in a second process while this one checks and writes its rows.

Reading a sheet's XML is a third of an import's time and the checks most of the rest, all
of it Python holding one interpreter lock. A desk PC has two cores or more, so a sheet
large enough to be streamed (see :mod:`sheet_stream`) is read by a helper process that
sends its rows back in batches over a pipe; this process checks each batch while the next
is read. The pipe's buffer bounds what waits between the two, so memory stays flat.

Nothing else changes: the rows, their numbers and every refusal (a damaged file, too many
rows) are those the sheet gives when read here; the refusal arrives as the same Chinese
message. When the helper cannot be started at all (a frozen program without
``multiprocessing`` support, a locked-down PC), the sheet is read here instead and the log
says so. Spawned, not forked, on every system: a fork of a process with Qt's threads can
deadlock, and Windows can only spawn.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Generator
from contextlib import suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from hebi_desktop.errors import UserError
from hebi_desktop.exchange.limits import Limits

log = logging.getLogger(__name__)

Row = tuple[int, list[Any]]

BATCH_ROWS = 1_000  # rows per message: large enough to be cheap, small enough to flow
READ_ELSEWHERE_FROM = 20_000  # rows (estimated); a smaller sheet is read faster here
OFF = "HEBI_DESKTOP_READ_HERE"  # set to 1 to read every sheet (and collected file) here


def wanted(estimated_rows: int) -> bool:
    """Whether a sheet of about ``estimated_rows`` rows is worth a helper process."""
    return estimated_rows >= READ_ELSEWHERE_FROM and os.environ.get(OFF) != "1"


def rows_elsewhere(
    path: Path, name: str, estimate: int, limits: Limits, fill_merged_from: int | None
) -> HelperRows | None:
    """The sheet's rows as read by a helper process; None when no helper could be started
    (the caller then reads the sheet itself)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_read,
        args=(sender, str(path), name, estimate, limits, fill_merged_from),
        name="hebi-sheet-reader",
        daemon=True,  # never outlives this program
    )
    try:
        process.start()
    except (OSError, RuntimeError, ValueError) as error:
        log.warning("reading %s here: no helper process (%s)", name, type(error).__name__)
        receiver.close()
        sender.close()
        return None
    sender.close()  # the helper holds the only writing end: its exit ends the pipe
    return HelperRows(receiver, process, name)


class HelperRows:
    """The rows a helper sends, in order; :meth:`close` stops the helper (also before
    the first row is taken, and however the reading ends)."""

    def __init__(
        self, receiver: Connection, process: multiprocessing.process.BaseProcess, name: str
    ) -> None:
        self._receiver = receiver
        self._process = process
        self._name = name
        self._rows = self._received()

    def __iter__(self) -> HelperRows:
        return self

    def __next__(self) -> Row:
        return next(self._rows)

    def close(self) -> None:
        self._rows.close()
        self._receiver.close()  # a helper still writing gets a broken pipe and stops
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)

    def _received(self) -> Generator[Row, None, None]:
        try:
            while True:
                try:
                    kind, payload = self._receiver.recv()
                except EOFError:
                    log.warning("sheet reader stopped early (exit code %s)", self._process.exitcode)
                    raise UserError(
                        f"无法读取工作表“{self._name}”：读取进程意外退出，请重试；"
                        "如仍不行，请重新启动本程序"
                    ) from None
                if kind == "rows":
                    yield from payload
                elif kind == "done":
                    return
                elif kind == "refused":
                    raise UserError(payload)
                else:  # "failed": an unexpected error, named by its type only (no cell values)
                    log.error("sheet reader failed: %s", payload)
                    raise UserError(f"无法读取工作表“{self._name}”：文件可能已损坏") from None
        finally:
            self._receiver.close()


def _read(
    sender: Connection,
    path: str,
    name: str,
    estimate: int,
    limits: Limits,
    fill_merged_from: int | None,
) -> None:
    """The helper: read the sheet here and send its rows, then "done" (or why not)."""
    from hebi_desktop.exchange.sheet_stream import StreamedSheet

    sheet = StreamedSheet(name, Path(path), estimate, limits)
    batch: list[Row] = []
    try:
        for row in sheet.rows_here(fill_merged_from):
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                sender.send(("rows", batch))
                batch = []
        sender.send(("rows", batch))
        sender.send(("done", None))
    except (BrokenPipeError, ConnectionResetError):
        return  # the importer stopped reading (cancelled, or an error in its rows)
    except UserError as refusal:
        _send(sender, ("refused", str(refusal)))
    except Exception as error:
        _send(sender, ("failed", type(error).__name__))
    finally:
        sender.close()


def _send(sender: Connection, message: tuple[str, Any]) -> None:
    with suppress(OSError):  # the importer has gone
        sender.send(message)
