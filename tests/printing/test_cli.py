"""``hebi-desktop print``: the real command, its Chinese errors and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.printing import fonts
from hebi_desktop.services.book import Book
from tests.cli_helpers import call, run
from tests.printing.pdf_text import pages

pytestmark = pytest.mark.usefixtures("qapp")


def _db(book: Book) -> str:
    return str(book.sqlite_file)


def test_print_writes_the_pdf(
    filled: Book, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = out_dir / "公示.pdf"
    code, out, err = call(
        capsys, "--db", _db(filled), "print", "education", "--form", "notice", "-o", str(target)
    )
    assert (code, err) == (0, "")
    assert "公示名单" in out and "共" in out
    assert "公示名单" in pages(target)[0]


def test_print_as_a_process_without_a_window(filled: Book, out_dir: Path) -> None:
    target = out_dir / "roster"
    done = run("--db", _db(filled), "print", "water", "-o", str(target), "--paper", "A3")
    assert done.returncode == 0, done.stderr
    assert (out_dir / "roster.pdf").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("water", "--form", "register", "-o", "x.pdf"), "没有“发放登记表”"),
        (("water", "-o", "x.xlsx"), "应以 .pdf 结尾"),
        (("water", "--paper", "B5", "-o", "x.pdf"), "不是可选值"),
        (("water", "--from", "2024-13-01", "-o", "x.pdf"), "参数 --from"),
        (("water", "--from", "2024-05-01", "--to", "2024-01-01", "-o", "x.pdf"), "早于"),
        (("housing", "--township", "火星镇", "-o", "x.pdf"), "乡镇"),
    ],
)
def test_print_errors_are_chinese(
    filled: Book,
    out_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(out_dir)
    code, _out, err = call(capsys, "--db", _db(filled), "print", *args)
    assert code == 1
    assert message in err
    assert not (out_dir / "x.pdf").exists()


def test_no_chinese_font_is_refused_in_chinese(
    filled: Book,
    out_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts.QFontDatabase, "families", lambda *_args: [])
    target = out_dir / "x.pdf"
    code, _out, err = call(capsys, "--db", _db(filled), "print", "housing", "-o", str(target))
    assert code == 1
    assert "没有可用的中文字体" in err
    assert not target.exists()
    assert not list(out_dir.glob("*.part"))
