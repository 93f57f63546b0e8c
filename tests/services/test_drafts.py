"""Drafts: half-filled forms kept in the database until saved or cancelled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hebi_desktop.services.book import Book
from hebi_desktop.services.drafts import DraftService


def test_values_come_back_as_typed_with_dates_and_amounts_as_text(book: Book) -> None:
    drafts = DraftService(book)
    values = {
        "head_name": "张秀英",
        "id_number": "4106221956",  # half-typed: kept, not judged
        "check_date": dt.date(2024, 5, 9),
        "subsidy_amount": Decimal("15000.50"),
        "in_renovation": True,
        "household_size": 3,
        "remarks": None,
    }
    draft_id = drafts.save("housing", None, values)
    (draft,) = drafts.list()
    assert draft.id == draft_id and draft.ledger == "housing" and draft.is_new
    assert draft.values == {
        "head_name": "张秀英",
        "id_number": "4106221956",
        "check_date": "2024-05-09",
        "subsidy_amount": "15000.50",
        "in_renovation": True,
        "household_size": 3,
        "remarks": None,
    }
    assert isinstance(draft.updated_at, dt.datetime)


def test_saving_again_replaces_the_same_draft(book: Book) -> None:
    drafts = DraftService(book)
    draft_id = drafts.save("water", 7, {"problem": "漏"}, base_version=2)
    assert drafts.save("water", 7, {"problem": "漏水"}, draft_id, base_version=2) == draft_id
    (draft,) = drafts.list("water")
    assert draft.values == {"problem": "漏水"}
    assert draft.record_id == 7 and draft.base_version == 2 and not draft.is_new


def test_discard_forgets_and_a_discarded_id_starts_a_new_draft(book: Book) -> None:
    drafts = DraftService(book)
    first = drafts.save("education", None, {"student_name": "刘子涵"})
    drafts.discard(first)
    assert drafts.list() == [] and drafts.get(first) is None
    drafts.discard(first)  # twice is harmless
    second = drafts.save("education", None, {"student_name": "刘子"}, first)
    assert drafts.get(second) is not None and [d.id for d in drafts.list()] == [second]


def test_list_per_ledger_oldest_first(book: Book) -> None:
    drafts = DraftService(book)
    a = drafts.save("housing", None, {"head_name": "甲"})
    b = drafts.save("water", None, {"project_name": "乙"})
    c = drafts.save("housing", 3, {"head_name": "丙"})
    assert [d.id for d in drafts.list()] == [a, b, c]
    assert [d.id for d in drafts.list("housing")] == [a, c]
    assert drafts.list("education") == []


def test_drafts_outlive_the_open_database(book: Book, db_path) -> None:
    draft_id = DraftService(book).save("housing", None, {"head_name": "张秀英"})
    book.close()  # the program ends without saving the form
    with Book.open(db_path) as reopened:
        (draft,) = DraftService(reopened).list()
        assert draft.id == draft_id and draft.values["head_name"] == "张秀英"
