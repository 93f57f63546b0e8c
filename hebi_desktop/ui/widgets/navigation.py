"""The list of pages on the left of the main window, generated from the ledger registry.

概览 first, then one entry per ledger (``ledger.nav_title``, its icon), then 核查 (and on a
county desk 汇总报送), 导入导出 and 设置: a fourth ledger declaration gets its entry without
any change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.ui.icons import icon, ledger_icon
from hebi_desktop.ui.style import FOCUS_COLOR

OVERVIEW = "overview"
EXCHANGE = "exchange"
SETTINGS = "settings"
COLLECT = "collect"  # 汇总报送, on a county desk
CROSSCHECK = "crosscheck"  # 核查
LEDGER_PREFIX = "ledger:"
KEY_ROLE = Qt.ItemDataRole.UserRole


def ledger_page_key(ledger_key: str) -> str:
    return f"{LEDGER_PREFIX}{ledger_key}"


def ledger_of(page_key: str) -> str | None:
    """The ledger key of a ledger page's key, None for the other pages."""
    return page_key.removeprefix(LEDGER_PREFIX) if page_key.startswith(LEDGER_PREFIX) else None


@dataclass(frozen=True, slots=True)
class NavEntry:
    key: str
    title: str
    icon: QIcon
    ledger: Ledger | None = None


def nav_entries(county_desk: bool = False) -> list[NavEntry]:
    entries = [NavEntry(OVERVIEW, "概览", icon("overview"))]
    entries.extend(
        NavEntry(ledger_page_key(lg.key), lg.nav_title, ledger_icon(lg), lg) for lg in all_ledgers()
    )
    if county_desk:
        entries.append(NavEntry(COLLECT, "汇总报送", icon("collect")))
    entries.append(NavEntry(CROSSCHECK, "核查", icon("crosscheck")))
    entries.append(NavEntry(EXCHANGE, "导入导出", icon("exchange")))
    entries.append(NavEntry(SETTINGS, "设置", icon("settings")))
    return entries


class NavigationList(QListWidget):
    """One row per page; the page key is in each item's ``KEY_ROLE`` data."""

    def __init__(self, entries: list[NavEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries = entries
        self.setObjectName("navigation")
        self.setIconSize(QSize(24, 24))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSpacing(2)
        # The platform's dotted focus line is off (outline: 0); the current entry gets the
        # program's focus ring instead while the list has the keyboard focus.
        self.setStyleSheet(
            "#navigation { background: #eef2f6; border: none; outline: 0; font-size: 11pt; }"
            "#navigation::item { padding: 8px 6px; border-radius: 4px; color: #263238;"
            " border: 2px solid transparent; }"
            "#navigation::item:hover { background: #dde6ef; }"
            "#navigation::item:selected { background: #c9dcf2; color: #0d47a1; }"
            f"#navigation::item:focus {{ border: 2px solid {FOCUS_COLOR}; }}"
        )
        for entry in entries:
            item = QListWidgetItem(entry.icon, entry.title, self)
            item.setData(KEY_ROLE, entry.key)
            item.setToolTip(entry.ledger.title if entry.ledger else entry.title)
        width = max(self.sizeHintForColumn(0), 96) + 28
        self.setFixedWidth(width)

    def keys(self) -> list[str]:
        return [entry.key for entry in self.entries]

    def row_of(self, key: str) -> int:
        return self.keys().index(key)

    def key_at(self, row: int) -> str | None:
        item = self.item(row)
        return None if item is None else item.data(KEY_ROLE)

    def select(self, key: str) -> None:
        self.setCurrentRow(self.row_of(key))
