"""Logs go to a rotating file in the data folder, so a clerk can send it when asked."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from hebi_desktop.paths import logs_dir

LOG_FILE_NAME = "hebi-desktop.log"
_configured = False


def configure_logging(verbose: bool = False) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        file_handler = logging.handlers.RotatingFileHandler(
            logs_dir() / LOG_FILE_NAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        file_handler = None  # a read-only data folder must not stop the program
    if file_handler is not None:
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        root.addHandler(stream)
