"""``hebi-desktop startup-password`` and the start-up password on every command.

Real processes: a script without a terminal gets a Chinese message and exit code 1 (never
a prompt that hangs); at a terminal (a pseudo-terminal here) the clerk is asked, a wrong
password is said so and asked again. Passwords come from files or the prompt only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from hebi_desktop.services import startup_password as startup
from hebi_desktop.services.book import Book
from hebi_desktop.storage import key_wrap, keys
from hebi_desktop.storage.keys import forget_session
from tests.cli_helpers import ROOT, run
from tests.samples import housing

PASSWORD = "乡镇办公室2026"


def password_file(tmp_path: Path, password: str, name: str = "pw.txt") -> str:
    path = tmp_path / name
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def locked_db(shared_pc: Path, db_path: Path) -> Path:
    with Book.open(db_path) as book:
        book.records("housing").create(housing())
    startup.turn_on(PASSWORD)
    forget_session()
    return db_path


def test_without_a_terminal_or_file_the_command_says_so(locked_db: Path, tmp_path: Path) -> None:
    done = run("stats", "--db", str(locked_db))
    assert done.returncode == 1
    assert "启动密码" in done.stderr and "--startup-password-file" in done.stderr

    wrong = run(
        "--startup-password-file", password_file(tmp_path, "guess-guess"), "stats", "--db",
        str(locked_db),
    )  # fmt: skip
    assert wrong.returncode == 1 and "启动密码不对" in wrong.stderr
    assert "--recovery-key-file" in wrong.stderr

    right = run(
        "--startup-password-file", password_file(tmp_path, PASSWORD), "stats", "--db",
        str(locked_db),
    )  # fmt: skip
    assert right.returncode == 0, right.stderr
    assert "排查户数" in right.stdout and "1" in right.stdout


def test_at_a_terminal_the_password_is_asked_again_after_a_wrong_one(locked_db: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "hebi_desktop", "stats", "--db", str(locked_db)],
        cwd=str(ROOT),
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        encoding="utf-8",
        timeout=60,
    )
    child.expect("请输入启动密码")
    child.sendline("guess-guess")
    child.expect("启动密码不对，请重新输入")
    child.expect("请输入启动密码")
    child.sendline(PASSWORD)
    child.expect("排查户数")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert PASSWORD not in (child.before or "")  # not echoed


def test_set_change_and_remove_on_the_command_line(
    shared_pc: Path, db_path: Path, tmp_path: Path
) -> None:
    Book.open(db_path).close()
    first = password_file(tmp_path, PASSWORD, "first.txt")
    second = password_file(tmp_path, "second-password", "second.txt")
    assert run("startup-password", "status").stdout.strip() == "这台电脑没有设置启动密码（默认）"

    short = run("startup-password", "set", "--password-file", password_file(tmp_path, "short"))
    assert short.returncode == 1 and "至少要8个字符" in short.stderr
    no_terminal = run("startup-password", "set")
    assert no_terminal.returncode == 1 and "--password-file" in no_terminal.stderr

    assert run("startup-password", "set", "--password-file", first).returncode == 0
    assert "设有启动密码" in run("startup-password", "status").stdout
    assert (
        run("startup-password", "set", "--password-file", second).stderr.count("已经设有启动密码")
        == 1
    )

    refused = run(
        "--startup-password-file", second, "startup-password", "change", "--password-file", second
    )
    assert refused.returncode == 1 and "当前的启动密码不对" in refused.stderr
    changed = run(
        "--startup-password-file", first, "startup-password", "change", "--password-file", second
    )
    assert changed.returncode == 0, changed.stderr
    assert run("--startup-password-file", first, "stats", "--db", str(db_path)).returncode == 1
    assert run("--startup-password-file", second, "stats", "--db", str(db_path)).returncode == 0

    removed = run("--startup-password-file", second, "startup-password", "remove")
    assert removed.returncode == 0, removed.stderr
    assert run("stats", "--db", str(db_path)).returncode == 0
    assert not key_wrap.is_wrapped((shared_pc / keys.KEY_FILE_NAME).read_text())


def test_a_forgotten_password_is_reset_with_the_recovery_key(
    locked_db: Path, tmp_path: Path, shared_pc: Path
) -> None:
    sheet = tmp_path / "恢复密钥.txt"
    opened = password_file(tmp_path, PASSWORD)
    written = run(
        "--startup-password-file", opened, "recovery-key", "-o", str(sheet), "--db", str(locked_db)
    )
    assert written.returncode == 0, written.stderr
    new = password_file(tmp_path, "a-new-password", "new.txt")

    # The recovery key opens the database without the password...
    seen = run("--recovery-key-file", str(sheet), "stats", "--db", str(locked_db))
    assert seen.returncode == 0, seen.stderr
    # ...and sets a new one.
    reset = run(
        "--recovery-key-file", str(sheet), "startup-password", "set", "--password-file", new,
        "--db", str(locked_db),
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert run("--startup-password-file", opened, "stats", "--db", str(locked_db)).returncode == 1
    assert run("--startup-password-file", new, "stats", "--db", str(locked_db)).returncode == 0


def test_the_self_test_passes_with_the_password_on(locked_db: Path) -> None:
    done = run("--self-test")
    assert done.returncode == 0, done.stderr


def test_every_command_that_opens_the_database_needs_the_password(
    locked_db: Path, tmp_path: Path
) -> None:
    opened = password_file(tmp_path, PASSWORD)
    saved = tmp_path / "备份.sqlite"
    made = run(
        "--startup-password-file", opened, "backup", "-o", str(saved), "--db", str(locked_db)
    )
    assert made.returncode == 0, made.stderr
    for command in (
        ["check"],
        ["backup", "-o", str(tmp_path / "再备份.sqlite")],
        ["restore", str(saved)],
        ["export", "housing", "-o", str(tmp_path / "上报.xlsx")],
        ["recovery-key", "-o", str(tmp_path / "恢复密钥.txt")],
    ):
        done = run(*command, "--db", str(locked_db))
        assert done.returncode == 1 and "启动密码" in done.stderr, (command, done.stderr)
    assert not (tmp_path / "再备份.sqlite").exists() and not (tmp_path / "上报.xlsx").exists()
    assert run("--startup-password-file", opened, "check", "--db", str(saved)).returncode == 0
