"""Icons from ``resources/icons`` (SVG, sharp at any screen scaling), loaded once each.

A missing file gives an empty icon rather than an error: a fourth ledger without its
own picture still gets a navigation entry.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.paths import resource

FALLBACK_LEDGER_ICON = "overview"


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (an empty icon when there is none)."""
    try:
        path = resource("icons", f"{name}.svg")
    except FileNotFoundError:
        return QIcon()
    return QIcon(str(path)) if path.is_file() else QIcon()


def has_icon(name: str) -> bool:
    return not icon(name).isNull()


def ledger_icon(ledger: Ledger) -> QIcon:
    """The ledger's own icon (named after its key), else a generic one."""
    return icon(ledger.key) if has_icon(ledger.key) else icon(FALLBACK_LEDGER_ICON)


def app_icon() -> QIcon:
    return icon("app")
