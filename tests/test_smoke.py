"""A first end-to-end check of the foundation: the samples are valid and can be stored."""

from __future__ import annotations

import pytest

from hebi_desktop.services.book import Book
from tests.samples import SAMPLES


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_sample_record_is_stored_and_read_back(book: Book, key: str) -> None:
    service = book.records(key)
    saved = service.create(SAMPLES[key]()).record
    again = service.get(saved.id)
    assert again.values["village"] == "王庄村"
    assert again.version == 1
    assert service.count() == 1
