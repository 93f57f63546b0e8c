"""``hebi-desktop --self-test``: passes on a working install, fails loudly otherwise, and
never touches the clerk's own data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hebi_desktop.cli.main import main
from hebi_desktop.paths import DATA_DIR_ENV_VAR, DB_ENV_VAR
from hebi_desktop.selftest import run_self_test


def test_self_test_passes_and_leaves_the_data_folder_alone(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_db = data_dir / "real.sqlite"
    monkeypatch.setenv(DB_ENV_VAR, str(real_db))
    before = sorted(p.name for p in data_dir.rglob("*"))
    assert run_self_test() == 0
    out, err = capsys.readouterr()
    assert out.startswith("自检通过") and err == ""
    assert sorted(p.name for p in data_dir.rglob("*")) == before
    assert not real_db.exists()
    assert os.environ[DATA_DIR_ENV_VAR] == str(data_dir)
    assert os.environ[DB_ENV_VAR] == str(real_db)


def test_self_test_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--self-test"]) == 0
    assert "自检通过" in capsys.readouterr().out


def test_a_broken_step_fails_with_a_chinese_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hebi_desktop.exchange import export

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("磁盘已满")

    monkeypatch.setattr(export, "export_workbook", broken)
    assert run_self_test() == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("自检失败") and "磁盘已满" in err
