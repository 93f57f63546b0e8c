"""The command line of the encrypted database: ``encrypt``, ``recovery-key`` and
``--recovery-key-file`` on a "new PC" (a fresh home and an empty key store)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from pypdf import PdfReader

from hebi_desktop.storage.cipher import is_plain
from tests.cli_helpers import call, run


def fresh_home(tmp_path: Path, name: str = "new-pc") -> dict[str, str]:
    """The environment of another PC: its own home, data folder and (empty) key store."""
    home = tmp_path / name
    (home / "data").mkdir(parents=True)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "HEBI_DESKTOP_DATA_DIR": str(home / "data"),
        "HEBI_DESKTOP_KEY_DIR": str(home / "keys"),
    }


def test_the_recovery_key_opens_a_database_and_a_backup_on_a_new_pc(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ledgers.sqlite"
    assert call(capsys, "demo", "--rows", "5", "--db", str(db))[0] == 0
    assert (
        call(capsys, "backup", "-o", str(tmp_path / "usb" / "copy.sqlite"), "--db", str(db))[0] == 0
    )
    key_file = tmp_path / "恢复密钥.txt"
    assert call(capsys, "recovery-key", "-o", str(key_file), "--db", str(db))[0] == 0
    other = fresh_home(tmp_path)

    refused = run("stats", "--db", str(db), env=other)
    assert refused.returncode == 1
    assert "没有它的密钥" in refused.stderr and "--recovery-key-file" in refused.stderr

    opened = run("--recovery-key-file", str(key_file), "stats", "--db", str(db), env=other)
    assert opened.returncode == 0, opened.stderr
    assert "5" in opened.stdout
    # The backup, restored into a new database on the new PC with the same key file.
    target = Path(other["HOME"]) / "restored.sqlite"
    restored = run(
        "--recovery-key-file", str(key_file), "restore", str(tmp_path / "usb" / "copy.sqlite"),
        "--db", str(target), env=other,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert "housing 5 条" in restored.stdout
    # Learnt once: from now on this PC opens both without the key file.
    assert run("stats", "--db", str(target), env=other).returncode == 0


def test_a_wrong_recovery_key_file_is_refused_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ledgers.sqlite"
    assert call(capsys, "demo", "--rows", "2", "--db", str(db))[0] == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("1234-ABCD\n", encoding="utf-8")
    code, _out, err = call(capsys, "--recovery-key-file", str(wrong), "stats", "--db", str(db))
    assert code == 1 and "找不到恢复密钥" in err
    other = fresh_home(tmp_path)
    wrong.write_text("0" * 64 + "\n", encoding="utf-8")
    refused = run("--recovery-key-file", str(wrong), "stats", "--db", str(db), env=other)
    assert refused.returncode == 1 and "恢复密钥" in refused.stderr


def test_the_recovery_sheet_is_one_page_with_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ledgers.sqlite"
    assert call(capsys, "demo", "--rows", "2", "--db", str(db))[0] == 0
    text_file = tmp_path / "key.txt"
    assert call(capsys, "recovery-key", "-o", str(text_file), "--db", str(db))[0] == 0
    key = re.search(r"[0-9A-F]{8}(-[0-9A-F]{8}){7}", text_file.read_text("utf-8"))
    assert key is not None
    sheet = tmp_path / "恢复密钥.pdf"
    code, out, _err = call(capsys, "recovery-key", "-o", str(sheet), "--db", str(db))
    assert code == 0 and str(sheet) in out
    pages = PdfReader(sheet).pages
    assert len(pages) == 1
    text = pages[0].extract_text()
    assert "数据库恢复密钥" in text and "日期" in text.replace("⽇", "日")
    groups = key.group(0).split("-")
    assert all(group in text for group in groups)


def test_encrypt_turns_a_plain_database_into_an_encrypted_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "old.sqlite"
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
    assert call(capsys, "demo", "--rows", "4", "--db", str(db))[0] == 0
    assert is_plain(db)
    code, _out, err = call(capsys, "stats", "--db", str(db))
    assert code == 0 and "还没有加密" in err and "encrypt --db" in err
    code, out, _err = call(capsys, "encrypt", "--db", str(db))
    assert code == 0 and "数据库已加密" in out
    assert not is_plain(db)
    code, out, err = call(capsys, "stats", "--db", str(db))
    assert code == 0 and err == ""
    code, _out, err = call(capsys, "encrypt", "--db", str(db))
    assert code == 1 and "已经是加密的" in err
