"""Valid sample records for tests: each ledger's declared example.

``samples.housing(**changes)`` (or ``SAMPLES[key](**changes)``) is a fresh copy of that
ledger's ``example`` with ``changes`` applied; tests change one value to break a rule. The
records themselves live in the declarations, so a new ledger brings its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.domain.samples import EXAMPLE_PLACE

Sample = Callable[..., dict[str, Any]]


def sample(key: str, **changes: Any) -> dict[str, Any]:
    return get_ledger(key).example_record(**changes)


SAMPLES: dict[str, Sample] = {ledger.key: partial(sample, ledger.key) for ledger in all_ledgers()}
PLACE = dict(EXAMPLE_PLACE)


def __getattr__(name: str) -> Sample:
    """``from tests.samples import housing``: every ledger key names its sample."""
    try:
        return SAMPLES[name]
    except KeyError:
        raise AttributeError(name) from None


# ID numbers of the examples that tests type into forms or look for in exported files.
HOUSEHOLD_HEAD_ID: str = sample("housing")["id_number"]
STUDENT_ID: str = sample("education")["id_number"]
