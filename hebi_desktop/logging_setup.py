"""Logs go to a rotating file in the data folder, so a clerk can send it when asked."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

from hebi_desktop.paths import logs_dir
from hebi_desktop.secrets import mask_address

LOG_FILE_NAME = "hebi-desktop.log"

# An 18-character resident ID number anywhere in a line (not inside a longer number).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_ids(text: str) -> str:
    """Resident ID numbers as 脱敏 copies show them (410622********123X)."""
    return _ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks ID numbers and database passwords, also in tracebacks:
    a log file is sent to support staff, and an ID number or a password in an exception's
    text must not travel with it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_address(mask_ids(super().format(record)))


_configured = False
# Where this run's log is written; None when the data folder cannot be written.
log_file: Path | None = None


def configure_logging(verbose: bool = False) -> None:
    global _configured, log_file
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    formatter = MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        path = logs_dir() / LOG_FILE_NAME
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        # A read-only data folder must not stop the program, nor print English warnings
        # (logging's last resort) on the clerk's terminal: what matters is said in Chinese.
        root.addHandler(logging.NullHandler())
    else:
        log_file = path
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        root.addHandler(stream)
