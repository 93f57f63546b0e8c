"""Pinyin for sorting and finding Chinese names, the way every Chinese list is ordered.

Character-code order puts 丁 before 龙 for no reason a clerk knows; Excel and WPS sort
"按拼音排序". :func:`sort_key` gives a plain string whose byte order (``COLLATE "C"`` on
PostgreSQL, the default on SQLite) is that pinyin order, so it can be stored beside a name
and indexed. :func:`initials` gives the letters a clerk types to find 张秀英 with ``zxy``.
The readings come from ``pypinyin``; it is imported on first use because loading its
dictionary takes a noticeable fraction of a second.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Syllables are joined by "!" and the key ends with " ": both sort before every letter and
# digit, and " " before "!", so 张伟 sorts before 张伟东 and "li" before "lin".
_SYLLABLE_SEPARATOR = "!"
_END = " "


def _keep(text: str) -> list[str]:
    """What pypinyin returns for characters without a reading: the characters themselves."""
    return list(text)


def _holds_a_word(text: str) -> bool:
    """Whether some part of ``text`` is in pypinyin's word list (长春, 重庆): only then can
    a character read differently from the character alone."""
    prefixes, words = _word_tables()
    size = len(text)
    for start in range(size - 1):
        # Only as far as the text still begins some word: a long remark costs a few lookups
        # per character, not one per substring.
        for end in range(start + 1, size + 1):
            part = text[start:end]
            if part not in prefixes:
                break
            if end - start > 1 and part in words:
                return True
    return False


_WORD_TABLES: list[tuple[Any, Any]] = []  # filled on first use: loading them takes a while


def _word_tables() -> tuple[Any, Any]:
    """Every prefix of every word pypinyin knows (its segmenter's own prefix set, as the
    plain set inside it when there is one) and its phrase dictionary: looked up for every
    name an import stores, so fetched once, not per call."""
    if not _WORD_TABLES:
        from pypinyin.constants import PHRASES_DICT
        from pypinyin.seg.mmseg import p_set

        _WORD_TABLES.append((getattr(p_set, "_set", p_set), PHRASES_DICT))
    return _WORD_TABLES[0]


def warm_up() -> None:
    """Load pypinyin's tables now (a few tenths of a second), so that an import loads them
    while its sheet's first rows are still being read rather than on its first name."""
    _word_tables()
    _segmenter()
    _reading("张")


@lru_cache(maxsize=16384)
def _reading(char: str) -> str:
    """The TONE3 syllable of one character on its own (non-Chinese: itself, lower-cased)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(
        char,
        style=Style.TONE3,
        neutral_tone_with_five=True,
        errors=_keep,  # type: ignore[arg-type]  # a list is accepted; the stubs say str
    )
    return "".join(syllables).lower()


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    """The lower-case TONE3 syllables of ``text`` (one reading serves both keys).

    A text holding no known word (most names) reads the same character by character, which
    is many times faster (cached per character) than pypinyin's word segmentation; an import
    of 100,000 names notices. Other texts are segmented into words as before.
    """
    if not _holds_a_word(text):
        return tuple(reading for reading in map(_reading, text) if reading)
    # What lazy_pinyin does (segment, then convert each segment on its own), with each
    # segment's reading cached: 张建国 and 李建国 share the segment 建国.
    return tuple(s for segment in _segmenter().seg(text) for s in _segment_syllables(segment))


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    """pypinyin's own segmenter and converter, as ``lazy_pinyin(style=TONE3,
    neutral_tone_with_five=True)`` builds them on every call (built once here)."""
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    return Pinyin(UltimateConverter(neutral_tone_with_five=True))


@lru_cache(maxsize=65536)
def _segment_syllables(segment: str) -> tuple[str, ...]:
    from pypinyin import Style

    readings = _segmenter()._converter.convert(segment, Style.TONE3, False, _keep, strict=True)
    return tuple(s.lower() for reading in readings for s in reading if s)


@lru_cache(maxsize=8192)  # an import asks for every row's village, and names repeat
def sort_key(text: str | None) -> str:
    """A string that sorts ``text`` in pinyin order (tone numbers break ties, then the text).

    Latin letters and digits stand for themselves (lower-cased), so mixed names sort
    sensibly too. ``None`` and the empty string give the empty key, which sorts first.
    """
    if not text:
        return ""
    return _SYLLABLE_SEPARATOR.join(_syllables(text)) + _END + text


@lru_cache(maxsize=8192)
def initials(text: str | None) -> str:
    """The first letters of each syllable, lower-case: 张秀英 → ``zxy``, 淇县 → ``qx``."""
    if not text:
        return ""
    return "".join(s[0] for s in _syllables(text))


def matches(text: str, typed: str) -> bool:
    """Whether ``typed`` finds ``text``: as a part of it, or as a part of its initials."""
    typed = typed.strip().lower()
    if not typed:
        return True
    if typed in text.lower():
        return True
    return typed.isascii() and typed in initials(text)
