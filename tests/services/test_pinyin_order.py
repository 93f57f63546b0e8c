"""Names and places sort in pinyin order and are found by pinyin initials, in the database
(on SQLite and, where the test server runs, PostgreSQL: see tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from hebi_desktop.domain import resident_id
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.storage import migrate
from tests.samples import housing

# Character-code order would give 丁 < 刘 < 安 < 张 < 李 < 王 < 赵 < 龙.
NAMES = ["龙海", "丁一", "赵六", "王五", "安静", "李四", "张三", "刘备", "张秀英"]
PINYIN_ORDER = ["安静", "丁一", "李四", "刘备", "龙海", "王五", "张三", "张秀英", "赵六"]


def add_names(book: Book, names: list[str]) -> None:
    service = book.records("housing")
    for serial, name in enumerate(names, start=1):
        id_number = resident_id.make("410622", dt.date(1950, 1, 1), serial)
        service.create(housing(head_name=name, id_number=id_number, village=name[0] + "庄村"))


def names_in_order(book: Book, **query: object) -> list[str]:
    records = book.records("housing").list(RecordQuery(**query))  # type: ignore[arg-type]
    return [r.values["head_name"] for r in records]


def test_names_sort_in_pinyin_order(book: Book) -> None:
    add_names(book, NAMES)
    assert names_in_order(book, sort="head_name") == PINYIN_ORDER
    assert names_in_order(book, sort="head_name", descending=True) == PINYIN_ORDER[::-1]
    # The village too: 安庄村 … 赵庄村, not by character code.
    records = book.records("housing").list(RecordQuery(sort="village"))
    villages = [r.values["village"] for r in records]
    assert villages[0] == "安庄村" and villages[-1] == "赵庄村"


def test_search_finds_names_by_pinyin_initials(book: Book) -> None:
    add_names(book, NAMES)
    assert names_in_order(book, text="zxy") == ["张秀英"]
    assert sorted(names_in_order(book, text="ZS")) == ["张三"]
    assert sorted(names_in_order(book, text="xy")) == ["张秀英"]  # a part of the initials
    assert names_in_order(book, text="秀英") == ["张秀英"]


def test_edit_rewrites_the_sort_key(book: Book) -> None:
    add_names(book, ["张三", "李四"])
    service = book.records("housing")
    record = service.list(RecordQuery(text="李四"))[0]
    service.update(record.id, {**record.values, "head_name": "阿大"}, record.version)
    assert names_in_order(book, sort="head_name") == ["阿大", "张三"]
    assert names_in_order(book, text="ad") == ["阿大"]


def test_upgrade_fills_the_keys_of_existing_rows(db_path: Path) -> None:
    with Book.open(db_path) as book:
        add_names(book, NAMES)
    config = migrate.alembic_config()
    before = ScriptDirectory.from_config(config).get_revision("0004").down_revision
    with Book.open(db_path) as book, book.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, str(before))  # the schema before the pinyin keys
    with Book.open(db_path) as book:  # upgrades again, filling the keys
        assert migrate.current_revision(book.engine) == migrate.head_revision()
        assert names_in_order(book, sort="head_name") == PINYIN_ORDER
        assert names_in_order(book, text="zxy") == ["张秀英"]
