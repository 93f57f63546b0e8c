"""Printed forms read back as a viewer copies them, whatever face the machine's font has.

A machine whose Chinese font has no bold face (a fresh Linux desktop with only a fallback
font) makes Qt draw bold cells twice; a reader that extracts both copies would see
"合计合计". The tests must read what a clerk sees, so they force such a font here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase

from hebi_desktop.domain.printing import Form
from hebi_desktop.printing import render
from hebi_desktop.printing.content import PrintRequest
from hebi_desktop.printing.pdf import write_pdf
from hebi_desktop.services.book import Book
from tests.printing.pdf_text import pages

pytestmark = pytest.mark.usefixtures("qapp")


def _family_without_bold() -> str | None:
    for family in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        if not any("bold" in style.lower() for style in QFontDatabase.styles(family)):
            return family
    return None


def test_synthetic_bold_cells_read_once(
    filled: Book, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = _family_without_bold()
    if family is None:
        pytest.skip("every Chinese font here has a bold face")
    monkeypatch.setattr(render, "families", lambda: [family])
    target = out_dir / "roster.pdf"
    write_pdf(filled, PrintRequest("housing", Form.ROSTER), target)
    texts = pages(target)
    assert "合计合计" not in texts[-1]
    assert texts[-1].count("合计共") == 1
    assert "第1页共" in texts[0] and "第1页第1页" not in texts[0]
