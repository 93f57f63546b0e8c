"""All ledgers, discovered from the modules of :mod:`hebi_desktop.domain.ledgers`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from hebi_desktop.domain import ledgers as ledgers_package
from hebi_desktop.domain.fields import Ledger


@cache
def all_ledgers() -> tuple[Ledger, ...]:
    found: list[Ledger] = []
    for module_info in pkgutil.iter_modules(ledgers_package.__path__):
        module = importlib.import_module(f"{ledgers_package.__name__}.{module_info.name}")
        ledger = getattr(module, "LEDGER", None)
        if isinstance(ledger, Ledger):
            found.append(ledger)
    return tuple(sorted(found, key=lambda ledger: (ledger.order, ledger.key)))


def ledger_keys() -> tuple[str, ...]:
    return tuple(ledger.key for ledger in all_ledgers())


def ledger_titles() -> str:
    """The ledgers in words for help texts: 住房安全、供水维修、教育资助三本台账."""
    ledgers = all_ledgers()
    count = "一二三四五六七八九十"[len(ledgers) - 1] if len(ledgers) <= 10 else str(len(ledgers))
    return f"{'、'.join(ledger.nav_title for ledger in ledgers)}{count}本台账"


class UnknownLedger(KeyError):
    def __str__(self) -> str:
        return f"没有名为“{self.args[0]}”的台账（可选：{'、'.join(ledger_keys())}）"


def get_ledger(key: str) -> Ledger:
    for ledger in all_ledgers():
        if ledger.key == key:
            return ledger
    raise UnknownLedger(key)
