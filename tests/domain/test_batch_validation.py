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


class _Batch:
    """The checker of one import or collected file, given each row as a mapping (one
    column per stored field, in the declaration's order)."""

    def __init__(self, form: Any) -> None:
        self.names = [f.name for f in HOUSING.stored_fields]
        self.checker = form.cell_checker([(i, n, None) for i, n in enumerate(self.names)])

    def check(self, raw: dict[str, Any]) -> Any:
        return self.checker.check([raw.get(name) for name in self.names])


def test_a_batch_finds_what_the_form_finds_on_every_row() -> None:
    form = validator_for(HOUSING)
    batch = _Batch(form)
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


def test_sheet_rows_are_checked_as_their_cleaned_values_are() -> None:
    """A checker of cells finds what the validator finds for the mapping an importer would
    make of the same row: columns in the sheet's order with unknown columns between and
    after them, one field without a column, cleaning before parsing, empty rows skipped."""
    form = validator_for(HOUSING)
    names = [n for n in housing() if n != "phone"]  # the sheet has no 联系电话 column
    order = list(reversed(names))
    index = {name: 2 * i + 1 for i, name in enumerate(order)}  # unknown columns at 0, 2, 4…

    def clean(value: Any) -> Any:
        return value.strip() if type(value) is str else value

    cleaning = {"head_name", "village"}
    checker = form.cell_checker([(index[n], n, clean if n in cleaning else None) for n in names])

    def cells_of(raw: dict[str, Any]) -> list[Any]:
        cells: list[Any] = ["不认识的列"] * (2 * len(order) + 3)
        for name in names:
            cells[index[name]] = raw.get(name)
        return cells

    def expected(cells: list[Any]) -> Any:
        raw = {
            n: clean(cells[index[n]]) if n in cleaning else cells[index[n]]
            for n in names
            if cells[index[n]] not in (None, "")
        }
        if not raw:
            return None
        checked = form.check(raw)
        if not checked.ok and all(type(v) is str and not v.strip() for v in raw.values()):
            return None
        return checked.values, [(i.level, i.field, i.message) for i in checked.issues]

    rows = [
        housing(household_size=3.0, head_name="  王五  "),
        housing(household_size=True),
        housing(household_size="三", safety_grade="E级"),
        housing(household_size="三", safety_grade="E级"),
        housing(check_date=dt.datetime(2024, 5, 9), safety_grade="a"),
        housing(check_date="2024年5月9日", floor_area=" 85.5 ", village=" 王庄村 "),
        housing(head_name="=SUM(A1)"),
        dict.fromkeys(names, "  "),  # a row of spaces
        dict.fromkeys(names),  # an empty row
        {"head_name": "只有姓名"},
    ]
    for raw in rows * 2:
        cells = cells_of(raw)
        checked = checker.check(cells)
        found = (
            None
            if checked is None
            else (checked.values, [(i.level, i.field, i.message) for i in checked.issues])
        )
        assert found == expected(cells)
    assert checker.check(cells_of(rows[7])) is None
    assert checker.check(cells_of(rows[8])) is None
    assert checker.check(cells_of(rows[0])).values["head_name"] == "王五"
