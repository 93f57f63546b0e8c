"""The judges of installer/check_bundle.py: a bundle or a Windows wheel without the cipher
library, a plain database, a spec that does not name the extension — each is caught.

The real bundle is checked by the slow test of tests/test_installer_bundle.py (through
build_linux.sh) and by the Wine check; these tests need neither PyInstaller nor a network.
"""

from __future__ import annotations

import sqlite3
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.test_installer_check import ROOT, _load

check_bundle = _load("check_bundle", ROOT / "installer" / "check_bundle.py")

CARRIES_CIPHER = b"\0sqlcipher_export\0OpenSSL 3.6.0 1 Oct 2025\0KERNEL32.dll\0python312.dll\0"


def test_an_extension_with_sqlcipher_and_openssl_inside_passes() -> None:
    assert check_bundle.cipher_problems("x.pyd", CARRIES_CIPHER, windows=True) == []


def test_an_extension_without_sqlcipher_or_with_a_separate_crypto_dll_fails() -> None:
    plain = b"\0sqlite3_open_v2\0KERNEL32.dll\0"
    found = check_bundle.cipher_problems("x.pyd", plain, windows=True)
    assert any("no SQLCipher" in p for p in found)
    assert any("OpenSSL" in p for p in found)
    linked = b"\0sqlcipher_export\0libcrypto-3-x64.dll\0KERNEL32.dll\0"
    found = check_bundle.cipher_problems("x.pyd", linked, windows=True)
    assert any("libcrypto-3-x64.dll" in p for p in found)


def _wheel(folder: Path, members: dict[str, bytes]) -> Path:
    wheel = folder / "sqlcipher3-0.6.4-cp312-cp312-win_amd64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return wheel


def test_the_shipped_spec_names_the_extension_of_the_windows_wheel(tmp_path: Path) -> None:
    hidden = check_bundle.spec_hidden_imports()
    assert "sqlcipher3._sqlite3" in hidden and "sqlalchemy.dialects.sqlite.pysqlcipher" in hidden
    wheel = _wheel(tmp_path, {"sqlcipher3/_sqlite3.cp312-win_amd64.pyd": CARRIES_CIPHER})
    assert check_bundle.wheel_problems(wheel, hidden) == []
    assert check_bundle.pinned_version("sqlcipher3") is not None


def test_a_wheel_without_the_extension_or_a_spec_without_it_fails(tmp_path: Path) -> None:
    empty = _wheel(tmp_path, {"sqlcipher3/__init__.py": b""})
    assert "no compiled extension" in check_bundle.wheel_problems(empty, {"sqlcipher3"})[0]
    (tmp_path / "other").mkdir()
    wheel = _wheel(tmp_path / "other", {"sqlcipher3/_sqlite3.cp312-win_amd64.pyd": CARRIES_CIPHER})
    found = check_bundle.wheel_problems(wheel, {"sqlcipher3", "sqlcipher3.dbapi2"})
    assert found == ["installer/hebi-desktop.spec: hiddenimports lacks sqlcipher3._sqlite3"]


def test_an_unpinned_cipher_library_fails(tmp_path: Path) -> None:
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("keyring==25.7.0\n# sqlcipher3==0.6.4\n", encoding="utf-8")
    assert check_bundle.pinned_version("sqlcipher3", constraints) is None
    constraints.write_text("SQLCipher3==0.6.4 ; sys_platform == 'win32'\n", encoding="utf-8")
    assert check_bundle.pinned_version("sqlcipher3", constraints) == "0.6.4"


# A stand-in for a bundle that lost the cipher: its "program" writes plain SQLite files,
# opens them without any key, and its self-test passes without saying it ran encrypted.
PLAIN_PROGRAM = """\
    #!{python}
    import sqlite3, sys
    args = sys.argv[1:]
    if args == ["--self-test"]:
        print("自检通过：3本台账各录入1条")
    elif "--create" in args:
        sqlite3.connect(args[args.index("--db") + 1]).execute("CREATE TABLE t (x)")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in program is a script")
def test_a_bundle_that_writes_plain_databases_fails(tmp_path: Path) -> None:
    bundle = tmp_path / "hebi-desktop"
    extension = bundle / "_internal-0.1.0" / "sqlcipher3" / "_sqlite3.cpython-311.so"
    extension.parent.mkdir(parents=True)
    extension.write_bytes(b"\0sqlite3_open_v2\0")
    program = bundle / "hebi-desktop"
    program.write_text(textwrap.dedent(PLAIN_PROGRAM.format(python=sys.executable)))
    program.chmod(0o755)

    found = check_bundle.bundle_problems(bundle)
    assert any("no SQLCipher" in p for p in found)
    assert "the bundle made a plain (unencrypted) SQLite database" in found
    assert any(p.startswith("without its key the database was not refused") for p in found)
    assert "--self-test did not run on an encrypted database" in found


def test_a_bundle_without_the_extension_fails(tmp_path: Path) -> None:
    (tmp_path / "_internal-0.1.0").mkdir()
    assert check_bundle.bundle_problems(tmp_path) == [
        f"{tmp_path}: no sqlcipher3 extension in _internal-*/sqlcipher3/"
    ]
    assert check_bundle.main(["folder", str(tmp_path)]) == 1


def test_the_plain_header_is_what_sqlite_writes(tmp_path: Path) -> None:
    database = tmp_path / "plain.sqlite"
    sqlite3.connect(database).execute("CREATE TABLE t (x)").connection.close()
    assert database.read_bytes().startswith(check_bundle.PLAIN_HEADER)
