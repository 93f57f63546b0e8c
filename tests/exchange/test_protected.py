"""Password-protected workbooks (加密导出): written with ``export --encrypt``, opened by
LibreOffice with the password, and read back by ``import`` and ``collect``."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import msoffcrypto
import pytest
from python_calamine import CalamineWorkbook

from hebi_desktop.county.collect import collect_files
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.protected import OLE_HEADER, forget_passwords, is_protected
from hebi_desktop.services.book import Book
from tests.cli_helpers import call, run
from tests.county_helpers import (
    BEIYANG,
    county_desk,
    export_all,
    fill,
    housing_rows,
    township_desk,
)

PASSWORD = "鹤壁2026-报送"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEBIAN_PYTHON = Path("/usr/bin/python3")


@pytest.fixture(autouse=True)
def _no_passwords_between_tests() -> None:
    forget_passwords()


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "desk.sqlite"
    assert call(capsys, "demo", "--rows", "12", "--db", str(db))[0] == 0
    return db


def password_file(tmp_path: Path, text: str = PASSWORD) -> Path:
    path = tmp_path / "密码.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def decrypted(path: Path, password: str) -> CalamineWorkbook:
    with open(path, "rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    out.seek(0)
    return CalamineWorkbook.from_filelike(out)


def rows_of(workbook: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    return workbook.get_sheet_by_name(sheet).to_python()


def export_pair(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The same export twice: plain and protected."""
    plain, protected = tmp_path / "plain.xlsx", tmp_path / "protected.xlsx"
    assert call(capsys, "export", "all", "-o", str(plain), "--no-record", "--db", str(db))[0] == 0
    code, out, _err = call(
        capsys, "export", "all", "-o", str(protected), "--no-record", "--encrypt",
        "--password-file", str(password_file(tmp_path)), "--db", str(db),
    )  # fmt: skip
    assert code == 0 and "工作簿已加密" in out
    return plain, protected


def test_an_encrypted_export_reads_back_equal_to_the_plain_one(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    plain, protected = export_pair(capsys, demo_db, tmp_path)
    assert protected.read_bytes().startswith(OLE_HEADER) and is_protected(protected)
    assert not is_protected(plain)
    readable = decrypted(protected, PASSWORD)
    for key in ("housing", "water", "education"):
        title = get_ledger(key).title
        assert rows_of(readable, title) == rows_of(CalamineWorkbook.from_path(str(plain)), title)
    with open(protected, "rb") as handle, pytest.raises(Exception, match=r"(?i)key|password"):
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password="not-the-password")
        office.decrypt(io.BytesIO())
    # No plain copy left anywhere beside it.
    assert sorted(p.name for p in tmp_path.glob("*.xlsx*")) == ["plain.xlsx", "protected.xlsx"]


def test_libreoffice_opens_it_with_the_password_only(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    if not DEBIAN_PYTHON.exists() or shutil.which("soffice") is None:
        pytest.skip("LibreOffice with Debian's python3-uno is not installed")
    probe = subprocess.run([str(DEBIAN_PYTHON), "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("python3-uno is not importable by /usr/bin/python3")
    plain, protected = export_pair(capsys, demo_db, tmp_path)
    title = get_ledger("housing").title

    def open_in_office(password: str) -> dict[str, Any]:
        done = subprocess.run(
            [
                str(DEBIAN_PYTHON), str(FIXTURES / "lo_open_protected.py"), str(protected),
                password, str(tmp_path / f"profile-{len(password)}"), title,
            ],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    opened = open_in_office(PASSWORD)
    assert opened["opened"]
    expected = [
        ["" if cell == "" else str(cell) for cell in row]
        for row in rows_of(CalamineWorkbook.from_path(str(plain)), title)
    ]
    office_rows = opened["rows"]
    # The ID numbers and names of every record come back as the same text.
    id_column = next(i for i, h in enumerate(expected[2]) if "身份证" in h)
    assert [r[id_column] for r in office_rows[3:15]] == [r[id_column] for r in expected[3:15]]
    assert office_rows[2] == expected[2]
    assert not open_in_office("wrong-password")["opened"]


def test_import_reads_a_protected_workbook_with_the_password_file(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    _plain, protected = export_pair(capsys, demo_db, tmp_path)
    target = tmp_path / "other.sqlite"
    forget_passwords()
    code, _out, err = call(
        capsys, "import", "housing", str(protected), "--db", str(target), "--create"
    )
    assert code == 1 and "设有打开密码" in err and "--password-file" in err
    forget_passwords()
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    code, _out, err = call(
        capsys, "import", "housing", str(protected), "--db", str(target),
        "--password-file", str(password_file(wrong, "not-it-at-all")),
    )  # fmt: skip
    assert code == 1 and "密码不对" in err
    forget_passwords()
    code, out, _err = call(
        capsys, "import", "housing", str(protected), "--db", str(target),
        "--password-file", str(password_file(tmp_path)),
    )  # fmt: skip
    assert code == 0 and "新增 12 条" in out
    with Book.open(target) as book:
        assert book.records("housing").count() == 12


def test_the_password_is_never_an_argument_nor_logged(
    demo_db: Path, tmp_path: Path, data_dir: Path
) -> None:
    refused = run(
        "export", "all", "-o", str(tmp_path / "x.xlsx"), "--encrypt", "--db", str(demo_db)
    )
    assert refused.returncode == 1 and "--password-file" in refused.stderr
    done = run(
        "export", "all", "-o", str(tmp_path / "x.xlsx"), "--encrypt",
        "--password-file", str(password_file(tmp_path)), "--db", str(demo_db),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (tmp_path / "short").mkdir()
    short = password_file(tmp_path / "short", "abc")
    too_short = run(
        "export", "all", "-o", str(tmp_path / "y.xlsx"), "--encrypt",
        "--password-file", str(short), "--db", str(demo_db),
    )  # fmt: skip
    assert too_short.returncode == 1 and "至少" in too_short.stderr
    for log in (data_dir / "logs").glob("*"):
        assert PASSWORD not in log.read_text(encoding="utf-8", errors="replace")


def test_collect_takes_in_a_protected_submission(tmp_path: Path) -> None:
    with township_desk(tmp_path, BEIYANG) as desk:
        fill(desk, "housing", housing_rows(BEIYANG, 3, 100))
        protected = export_all(desk, tmp_path / "北阳镇.xlsx", password=PASSWORD)
    assert is_protected(protected)
    with county_desk(tmp_path) as county:
        refused = collect_files(county, [protected])[0]
        assert not refused.ok and "设有打开密码" in (refused.refused or "")
        done = run(
            "collect", str(protected), "--password-file", str(password_file(tmp_path)),
            "--db", str(tmp_path / "county.sqlite"),
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已接收 1 个" in done.stdout
