"""Pinyin order and initials: what a clerk expects from any Chinese list."""

from __future__ import annotations

from hebi_desktop.domain.pinyin import initials, matches, sort_key


def test_names_sort_in_pinyin_order_not_character_code() -> None:
    names = ["龙飞", "丁一", "张伟东", "张伟", "安然", "李明", "林静", "曾强"]
    expected = ["安然", "曾强", "丁一", "李明", "林静", "龙飞", "张伟", "张伟东"]
    assert sorted(names, key=sort_key) == expected
    assert sorted(names) != sorted(names, key=sort_key)


def test_empty_sorts_first_and_latin_stands_for_itself() -> None:
    assert sorted(["b座", "", "A栋", None], key=sort_key) == ["", None, "A栋", "b座"]


def test_initials_find_names_and_places() -> None:
    assert initials("张秀英") == "zxy"
    assert initials("淇县") == "qx"
    assert matches("北阳镇", "byz")
    assert matches("北阳镇", "阳")
    assert not matches("北阳镇", "qx")
