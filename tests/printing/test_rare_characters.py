"""Paper shows every character: rare name characters come from a second font, a character
no font has is announced before printing with the records named, and a remark too long
for its cell ends with "…" and is printed whole in the 附注 at the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QFont, QPdfWriter, QRawFont

from hebi_desktop.domain import resident_id
from hebi_desktop.printing import fonts
from hebi_desktop.printing.content import PrintRequest, build_document
from hebi_desktop.printing.glyphs import unprintable_rows
from hebi_desktop.printing.pdf import write_pdf
from hebi_desktop.printing.render import NOTES_TITLE, Renderer, set_up_page
from hebi_desktop.services.book import Book
from tests import samples
from tests.cli_helpers import call
from tests.printing.pdf_text import pages

pytestmark = pytest.mark.usefixtures("qapp")

EXTENSION_B = "𠮷𡃁"  # U+20BB7, U+210C1: in real names, outside the basic CJK block
# Characters of later extensions; the test uses the first one no installed font has.
RAREST = ("\U00031350", "\U0002ebf0", "\U00030000", "\U0002b740", "\U0002ceb0", "\U0002a700")
NO_EXTENSION_FONT = (
    "no installed font covers CJK Extension B (Debian: apt install fonts-noto-cjk, or "
    "fonts-hanazono for Extensions B-F)"
)


def _covers(family: str, text: str) -> bool:
    raw = QRawFont.fromFont(QFont(family))
    return all(raw.supportsCharacter(ord(ch)) for ch in text)


def _no_font_has() -> str:
    chain = fonts.families()
    for ch in RAREST:
        if fonts.missing_characters([ch], chain):
            return ch
    pytest.skip("every candidate character is covered by an installed font")


@pytest.fixture
def desk(book: Book) -> Book:
    book.settings.set("unit_name", "淇县北阳镇人民政府")
    return book


def test_the_printing_fonts_cover_extension_b_per_character(
    desk: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not any(_covers(f, EXTENSION_B) for f in fonts.EXTENSION_FAMILIES):
        pytest.skip(NO_EXTENSION_FONT)
    # An office font without Extension B first (SimSun on Windows is one).
    lacking = next(
        (f for f in ("Droid Sans Fallback", "DejaVu Sans") if not _covers(f, EXTENSION_B)), None
    )
    if lacking is None:
        pytest.skip("no installed font lacks Extension B to stand for SimSun")
    monkeypatch.setattr(fonts, "chinese_family", lambda: lacking)
    desk.records("housing").create(samples.housing(head_name="张" + EXTENSION_B[0]))
    document = build_document(desk, PrintRequest("housing"))
    writer = QPdfWriter(str(tmp_path / "measure.pdf"))
    set_up_page(writer)
    chain = Renderer(document, writer).fonts.body.families()
    assert chain[0] == lacking
    second = next(family for family in chain[1:] if _covers(family, EXTENSION_B))
    assert unprintable_rows(document) == []  # nothing to warn about: the chain has them
    target = tmp_path / "花名册.pdf"
    write_pdf(desk, PrintRequest("housing"), target)
    # The rare character was drawn with the chain's next font, not a system substitute.
    assert second.replace(" ", "").lower() in _embedded_fonts(target)


def _embedded_fonts(path: Path) -> str:
    reader = PdfReader(str(path))
    names = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.append(str(font.get_object()["/BaseFont"]))
    return " ".join(names).lower()


def test_a_character_no_font_has_is_announced_before_printing_with_the_records(
    desk: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rare = _no_font_has()
    desk.records("housing").create(samples.housing(head_name="王芳"))
    saved = desk.records("housing").create(
        samples.housing(
            head_name=f"李{rare}", id_number=resident_id.make("410622", dt.date(1950, 1, 1), 5)
        )
    )
    target = tmp_path / "花名册.pdf"
    code, _out, err = call(capsys, "--db", db_url, "print", "housing", "-o", str(target))
    assert code == 0 and target.is_file()
    assert "提醒" in err and "空框" in err
    assert f"记录编号{saved.record.id}" in err and f"U+{ord(rare):04X}" in err
    assert "王芳" not in err and f"李{rare}" not in err  # rows named by number, not by name


def test_a_long_remark_ends_with_an_ellipsis_and_is_printed_whole_in_the_notes(
    desk: Book, tmp_path: Path
) -> None:
    remark = "房屋东墙裂缝宽约三厘米" * 18  # 198 characters: far more than four lines
    desk.records("housing").create(samples.housing(remarks=remark))
    target = tmp_path / "花名册.pdf"
    result = write_pdf(desk, PrintRequest("housing"), target)
    texts = pages(target)
    assert result.pages == len(texts) == 2
    assert "…（注1）" in texts[0]
    assert remark not in texts[0]
    assert NOTES_TITLE in texts[-1]
    assert f"注1（序号1，备注）：{remark}" in texts[-1]
    assert "第2页共2页" in texts[-1]
