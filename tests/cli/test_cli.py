"""The ``hebi-desktop`` command as a user runs it: a separate process.

Every subcommand takes ``--db`` and has Chinese help; success exits 0; a user's mistake
exits 1 with a Chinese message on stderr, never a traceback. Starting Python costs half a
second, so the many small cases also run in-process through ``main()``, and a
representative few of them as real processes.
"""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.paths import DB_ENV_VAR
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from tests.cli_helpers import call, run
from tests.raw_db import raw_connect

SUBCOMMANDS = ["demo", "stats", "check", "backup", "restore"]


def records_in(path: Path, table: str = "housing_checks") -> int:
    with closing(raw_connect(path)) as connection:  # closed: restore refuses open files
        return connection.execute(
            f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL"
        ).fetchone()[0]


# --- help ---------------------------------------------------------------------------------


def test_main_help_is_chinese() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("用法：hebi-desktop")
    for word in ("子命令", "选项", "显示本帮助并退出", *SUBCOMMANDS):
        assert word in done.stdout
    assert "usage" not in done.stdout.lower() and "show this help" not in done.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_chinese_help_and_takes_db(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, _err = call(capsys, command, "-h")
    assert code == 0
    assert out.startswith(f"用法：hebi-desktop {command} ")  # once, not twice
    assert "--db 路径或地址" in out
    assert "显示本帮助并退出" in out
    assert "usage" not in out.lower()


def test_every_registered_subcommand_takes_db_and_has_chinese_help() -> None:
    """Also the subcommands other modules add later."""
    import argparse

    from hebi_desktop.cli.main import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(SUBCOMMANDS) <= set(commands.choices)
    for name, subparser in commands.choices.items():
        options = {o for action in subparser._actions for o in action.option_strings}
        assert "--db" in options, name
        assert re.search(r"[\u4e00-\u9fff]", subparser.description or ""), name
        assert subparser.format_usage().startswith(f"用法：hebi-desktop {name}"), name


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = call(capsys, "--version")
    assert code == 0 and out.startswith("hebi-desktop ")


# --- demo, stats and check agree ----------------------------------------------------------


def table_value(text: str, label: str, ledger: str = "housing") -> str:
    """The figure after ``label`` in ``ledger``'s section of ``stats`` (two ledgers may
    share a measure's label, say 完成投资（万元）)."""
    title = f"【{get_ledger(ledger).title}】"
    assert title in text, f"{title} not in output:\n{text}"
    section = text.split(title, 1)[1].split("【", 1)[0]
    match = re.search(rf"^{re.escape(label)}\s+(\S+)$", section, re.MULTILINE)
    assert match, f"{label} not in {title}:\n{text}"
    return match.group(1)


def test_demo_then_stats_and_check_agree(db_url: str) -> None:
    db = db_url
    demo = run("demo", "--rows", "300", "--db", str(db))
    assert demo.returncode == 0, demo.stderr
    for ledger in all_ledgers():
        assert f"{ledger.title}：新增 300 条" in demo.stdout

    stats = run("stats", "--db", str(db))
    check = run("check", "--db", str(db), "--limit", "1000")
    assert stats.returncode == 0, stats.stderr
    assert check.returncode == 0, check.stdout + check.stderr

    with Book.open(db) as book:
        for ledger in all_ledgers():
            # stats prints exactly the service's figures ...
            for figure in book.stats.headline(ledger).figures:
                label = figure.measure.label
                assert table_value(stats.stdout, label, ledger.key) == figure.text()
            # ... and check went through the same records, flagging the flagged ones
            flagged = book.records(ledger).count(RecordQuery(flagged=True))
            line = f"【{ledger.title}】300 条记录：错误 0 条，提醒 {flagged} 条"
            assert line in check.stdout
    assert table_value(stats.stdout, "排查次数") == "300"
    assert table_value(stats.stdout, "维修工程（处）", "water") == "300"
    assert table_value(stats.stdout, "资助人次", "education") == "300"
    assert "检查通过" in check.stdout


def test_stats_by_township(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    db = db_url
    assert call(capsys, "demo", "--rows", "50", "--db", db)[0] == 0
    code, out, _err = call(capsys, "stats", "--by-township", "--db", db)
    assert code == 0 and "按乡镇：" in out and "按维修类型：" in out and "按学段：" in out


def test_check_fails_on_a_broken_record(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    assert call(capsys, "demo", "--rows", "5", "--db", str(db))[0] == 0
    with raw_connect(db) as connection:
        connection.execute("UPDATE water_repairs SET progress = '完了' WHERE id = 2")
    code, out, _err = call(capsys, "check", "--db", str(db))
    assert code == 1
    assert "[错误] 记录编号2：进度：“完了”不在可选值中" in out
    assert "检查未通过" in out


# --- which database -----------------------------------------------------------------------


def test_env_variable_overrides_the_default_and_db_overrides_it(
    tmp_path: Path, data_dir: Path
) -> None:
    from_env = tmp_path / "env.sqlite"
    given = tmp_path / "given.sqlite"
    env = {DB_ENV_VAR: str(from_env)}
    assert run("demo", "--rows", "4", env=env).returncode == 0
    assert records_in(from_env) == 4
    assert not (data_dir / "hebi-desktop.sqlite").exists()

    # --db (here before the subcommand) wins over the variable
    stats = run("--db", str(given), "--create", "stats", env=env)
    assert table_value(stats.stdout, "排查次数") == "0"
    assert given.is_file() and records_in(from_env) == 4


def test_db_option_before_or_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "env.sqlite"))
    given = str(tmp_path / "given.sqlite")
    assert call(capsys, "--db", given, "demo", "--rows", "2")[0] == 0
    assert records_in(Path(given)) == 2
    assert call(capsys, "demo", "--rows", "3", "--seed", "9", "--db", given)[0] == 0
    assert records_in(Path(given)) == 5
    _code, out, _err = call(capsys, "stats", "--create")
    assert table_value(out, "排查次数") == "0"  # the variable's database


def test_default_database_is_in_the_data_folder(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert call(capsys, "demo", "--rows", "3")[0] == 0
    assert records_in(data_dir / "hebi-desktop.sqlite") == 3


# --- backup and restore -------------------------------------------------------------------


def test_backup_and_restore(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    db = tmp_path / "x.sqlite"
    saved = tmp_path / "saved.sqlite"
    assert call(capsys, "demo", "--rows", "10", "--db", str(db))[0] == 0
    backup = run("backup", "-o", str(saved), "--db", str(db))
    assert backup.returncode == 0, backup.stderr
    assert "已备份到" in backup.stdout and records_in(saved) == 10
    assert call(capsys, "demo", "--rows", "10", "--seed", "5", "--db", str(db))[0] == 0
    assert records_in(db) == 20

    restore = run("restore", str(saved), "--db", str(db))
    assert restore.returncode == 0, restore.stderr
    assert records_in(db) == 10
    kept = re.search(r"原数据库已保留在：(.+)", restore.stdout)
    assert kept, restore.stdout
    kept_path = Path(kept.group(1).strip())
    assert kept_path.parent == tmp_path / "x-backups"  # the --db file's own backup folder
    assert records_in(kept_path) == 20
    assert "恢复后记录数：housing 10 条" in restore.stdout


# --- mistakes -----------------------------------------------------------------------------


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite"
    path.write_text("这不是数据库", encoding="utf-8")
    return path


BAD = [
    (["frob"], "参数 子命令：“frob”不是可选值"),
    (["stats", "--frob"], "无法识别的参数：--frob"),
    (["demo", "--rows", "abc", "--db", "{tmp}/x.sqlite"], "参数 --rows：“abc”不是整数"),
    (["demo", "--rows", "0", "--db", "{tmp}/x.sqlite"], "--rows 应在1到1000000之间"),
    (["demo", "--rows", "-5", "--db", "{tmp}/x.sqlite"], "--rows 应在1到1000000之间"),
    (["demo", "--db", "{tmp}/x.sqlite"], "缺少必需的参数：--rows"),
    (["backup", "--db", "{tmp}/x.sqlite"], "缺少必需的参数：-o/--output"),
    (["check", "--limit", "many"], "参数 --limit：“many”不是整数"),
    (["restore", "{tmp}/missing.sqlite", "--db", "{tmp}/x.sqlite"], "找不到备份文件"),
    (["restore", "{notdb}", "--db", "{tmp}/x.sqlite"], "不是有效的数据库备份"),
    (["stats", "--db", "{notdb}"], "无法打开数据库"),
    (["stats", "--db", "{notdb}/inside/x.sqlite"], "无法打开数据库"),
    (["check", "--db", "{tmp}"], "无法打开数据库"),
    (["stats", "--db", "nosuchdb://server/x"], "无法打开数据库"),
    (
        ["backup", "-o", "{notdb}/b.sqlite", "--db", "{tmp}/x.sqlite", "--create"],
        "无法写入备份文件",
    ),
    (
        ["backup", "-o", "{tmp}/x.sqlite", "--db", "{tmp}/x.sqlite", "--create"],
        "不能是数据库文件本身",
    ),
    (["stats", "--db", "{tmp}/typo.sqlite"], "文件不存在"),
    (["stats", "--db", "{tmp}/no-such-folder/x.sqlite", "--create"], "文件夹不存在"),
    (["check", "--limit", "-1", "--db", "{tmp}/x.sqlite"], "--limit 不能小于0"),
]


def formatted(args: list[str], tmp: Path, notdb: Path) -> list[str]:
    return [a.format(tmp=tmp, notdb=notdb) for a in args]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _m in BAD])
def test_user_mistakes_exit_1_with_a_chinese_message(
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
    tmp_path: Path,
    not_a_database: Path,
) -> None:
    code, _out, err = call(capsys, *formatted(args, tmp_path, not_a_database))
    assert code == 1, err
    assert message in err
    assert "错误：" in err
    assert "程序出错" not in err
    assert not_a_database.read_text(encoding="utf-8") == "这不是数据库"


SUBPROCESS_CASES = [0, 2, 8, 11]  # unknown subcommand, bad number, missing file, bad --db


@pytest.mark.parametrize(
    "case", SUBPROCESS_CASES, ids=[" ".join(BAD[i][0]) for i in SUBPROCESS_CASES]
)
def test_user_mistakes_as_a_real_process(case: int, tmp_path: Path, not_a_database: Path) -> None:
    args, message = BAD[case]
    done = run(*formatted(args, tmp_path, not_a_database))
    assert done.returncode == 1, done.stdout + done.stderr
    assert message in done.stderr and "错误：" in done.stderr
