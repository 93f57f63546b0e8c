"""A database with enough sample records for forms of several pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.settings import REVIEWER, SUPERVISION_PHONE, UNIT_HEAD

ROWS = 60


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    folder = tmp_path_factory.mktemp("printing")
    book = Book.open(folder / "ledgers.sqlite", backups=folder / "backups")
    settings = book.settings
    settings.set("operator", "王丽")
    settings.set("county_code", "410622")
    settings.set("township_code", "410622102")
    settings.set(REVIEWER, "李建国")
    settings.set(UNIT_HEAD, "赵志强")
    settings.set(SUPERVISION_PHONE, "0392-7221234")
    fill_demo(book, ROWS, city_wide=True)  # several townships
    yield book
    book.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path
