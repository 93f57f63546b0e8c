"""Reading printed forms back: the text of each page of a PDF, as a clerk would read it."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream, DictionaryObject, NameObject
from PySide6.QtGui import QFont, QRawFont

from hebi_desktop.printing.fonts import chinese_family

ID_PATTERN = re.compile(r"\d{17}[\dX]")
PHONE_PATTERN = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?!\d)")


@cache
def _radical_map() -> dict[str, str]:
    """Radicals that share a glyph with an ideograph, mapped to that ideograph.

    Qt's PDF writer names each glyph by the lowest code point that shows it, so 人 is
    extracted as the Kangxi radical ⼈ (the page itself looks right). Map those back.
    """
    raw = QRawFont.fromFont(QFont(chinese_family()))
    radicals = "".join(chr(c) for c in range(0x2E80, 0x2FE0))
    ideographs = "".join(chr(c) for c in range(0x4E00, 0xA000))
    by_glyph: dict[int, str] = {}
    for char, glyph in zip(ideographs, raw.glyphIndexesForString(ideographs), strict=True):
        if glyph:
            by_glyph.setdefault(glyph, char)
    mapping = {}
    for char, glyph in zip(radicals, raw.glyphIndexesForString(radicals), strict=True):
        if glyph in by_glyph:
            mapping[char] = by_glyph[glyph]
    return mapping


def clean(text: str) -> str:
    mapping = _radical_map()
    return "".join(
        mapping.get(ch) or (unicodedata.normalize("NFKC", ch) if "\u2e80" <= ch <= "\u2fdf" else ch)
        for ch in text
    )


# Operators that paint text; the positioning ones (Td, Tm, ...) are kept so the rest of the
# line stays where it was.
_SHOW_TEXT = {b"Tj", b"TJ", b"'", b'"'}


def _copies_as_nothing(operands: list[object]) -> bool:
    """Whether a marked-content span carries an empty /ActualText (a viewer copies nothing).

    Qt's PDF writer draws a synthetic bold face twice and marks the second copy so, and a
    viewer copies the text once; some readers (pypdf 7.1) extract both copies.
    """
    props = operands[1] if len(operands) > 1 else None
    if not isinstance(props, DictionaryObject):
        return False
    actual = props.get(NameObject("/ActualText"))
    return actual is not None and str(actual) == ""


def viewer_text(page: PageObject) -> str:
    """The page's text as a PDF viewer copies it: spans with an empty /ActualText drop out."""
    content = ContentStream(page.get_contents(), page.pdf, "bytes")  # as extract_text reads it
    kept: list[tuple[list[object], bytes]] = []
    spans: list[bool] = []  # per open marked-content span: copies as nothing?
    for operands, operator in content.operations:
        if operator in (b"BDC", b"BMC"):
            spans.append(operator == b"BDC" and _copies_as_nothing(operands))
        elif operator == b"EMC" and spans:
            spans.pop()
        if any(spans) and operator in _SHOW_TEXT:
            continue
        kept.append((operands, operator))
    content.operations = kept
    # In memory only (pypdf 7 refuses replace_contents on a reader's page).
    page[NameObject("/Contents")] = content
    return page.extract_text() or ""


def pages(path: Path) -> list[str]:
    """Each page's text without whitespace (layout spacing differs between extractors)."""
    reader = PdfReader(str(path))
    return [re.sub(r"\s+", "", clean(viewer_text(page))) for page in reader.pages]


def page_size_mm(path: Path) -> tuple[float, float]:
    box = PdfReader(str(path)).pages[0].mediabox
    return float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72
