"""The validator of one import or collected file remembers parsed values, and still finds
exactly what the form's validator finds, row after row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.validation import validator_for
from tests.samples import housing

HOUSING = get_ledger("housing")


def _found(raw: dict[str, Any], batch: Any) -> tuple[Any, ...]:
    checked = batch.check(raw)
    return checked.values, [(i.level, i.field, i.message) for i in checked.issues]


def test_a_batch_finds_what_the_form_finds_on_every_row() -> None:
    form = validator_for(HOUSING)
    batch = form.for_batch()
    rows = [
        housing(household_size=3.0, in_renovation="是"),
        housing(household_size=True),  # equal to 1 and 1.0 as a key, but not a number here
        housing(household_size=1),
        housing(household_size=1.0, in_renovation=1),
        housing(household_size="三", safety_grade="E级"),  # the same bad values twice
        housing(household_size="三", safety_grade="E级"),
        housing(check_date=dt.datetime(2024, 5, 9), safety_grade="a"),
        housing(check_date=dt.date(2024, 5, 9), safety_grade="A"),
        housing(check_date="2024年5月9日", floor_area=" 85.5 "),
        housing(check_date=dt.date.today() + dt.timedelta(days=3)),
    ]
    for raw in rows * 2:
        assert _found(raw, batch) == _found(raw, form)
    assert "不是整数" in str(batch.check(rows[1]).issues)
    assert [i.field for i in batch.check(rows[5]).errors] == ["household_size", "safety_grade"]
