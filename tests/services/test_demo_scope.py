"""``demo`` fills the desk's own scope, so its table shows what its prints and exports hold;
a city-wide spread is asked for explicitly."""

from __future__ import annotations

import pytest

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.registry import ledger_keys
from hebi_desktop.errors import UserError
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY
from tests.cli_helpers import call


def places(book: Book) -> set[tuple[str, str]]:
    """(county, township) of every record of every ledger."""
    found: set[tuple[str, str]] = set()
    for key in ledger_keys():
        for record in book.records(key).list():
            found.add((record.values["county_code"], record.values["township_code"]))
    return found


def test_a_township_desk_gets_records_of_its_township_only(book: Book) -> None:
    assert fill_demo(book, 40) == {key: 40 for key in ledger_keys()}
    assert places(book) == {("410622", "410622102")}


def test_a_county_desk_gets_its_county_townships(book: Book) -> None:
    book.settings.set(SCOPE, SCOPE_COUNTY)
    fill_demo(book, 60, ledgers=("housing",))
    found = places(book)
    assert {county for county, _ in found} == {"410622"}
    assert len(found) > 1  # spread over several of 淇县's townships
    assert {t for _, t in found} <= {t.code for t in divisions().townships_of("410622")}


def test_city_wide_is_an_explicit_choice(book: Book) -> None:
    fill_demo(book, 60, ledgers=("housing",), city_wide=True)
    assert len({county for county, _ in places(book)}) > 1


def test_more_records_than_a_township_can_hold_is_a_clear_refusal(book: Book) -> None:
    book.settings.set("township_code", "410622004")  # 灵山街道: six villages
    with pytest.raises(UserError, match="灵山街道的行政村不够生成 40000 条"):
        fill_demo(book, 40_000, ledgers=("water",))
    assert book.records("water").count() == 0  # all or nothing


def test_the_command_line_spreads_over_the_city_only_when_asked(
    capsys: pytest.CaptureFixture[str], book: Book, db_url: str
) -> None:
    assert call(capsys, "demo", "--rows", "20", "--db", db_url)[0] == 0
    assert places(book) == {("410622", "410622102")}
    assert (
        call(capsys, "demo", "--rows", "40", "--seed", "7", "--all-places", "--db", db_url)[0] == 0
    )
    assert len({county for county, _ in places(book)}) > 1
