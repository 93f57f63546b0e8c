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


def test_words_keep_their_reading_and_names_read_by_character() -> None:
    """The fast per-character path must give what pypinyin's word segmentation gives."""
    from pypinyin import Style, lazy_pinyin

    assert sort_key("长春村").startswith("chang2!chun1!cun1")  # not zhang3: 长春 is a word
    assert initials("重庆路") == "cql"
    for text in ["张秀英", "长春村", "重孙南", "曾强", "Wang 明2", "王庄村12号", "单秀兰"]:
        syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=list)
        assert sort_key(text) == "!".join(s.lower() for s in syllables if s) + " " + text
