"""Start-up guards for the Windows build: missing standard streams and the setup mutex."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from hebi_desktop import process_guard
from hebi_desktop.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def _without_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """What Python gives a windowed (no console) Windows exe."""
    for name in ("stdin", "stdout", "stderr"):
        monkeypatch.setattr(sys, name, None)


def test_windowed_start_without_streams_runs_commands(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, tmp_path: Path
) -> None:
    _without_streams(monkeypatch)
    assert main(["demo", "--rows", "3", "--db", str(db_path)]) == 0
    # export asks sys.stderr.isatty() for its progress line.
    workbook = tmp_path / "all.xlsx"
    assert main(["export", "all", "-o", str(workbook), "--db", str(db_path)]) == 0
    assert workbook.stat().st_size > 0
    assert sys.stdout is not None and sys.stderr is not None


def test_windowed_start_without_streams_reports_errors_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _without_streams(monkeypatch)
    missing = tmp_path / "missing.xlsx"
    assert main(["import", "housing", str(missing)]) == 1
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0


def test_mutex_is_a_no_op_off_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform == "win32":
        pytest.skip("on Windows the mutex is real")
    monkeypatch.setattr(process_guard, "_held_mutex", None)
    assert process_guard.hold_app_mutex() is False


def test_setup_looks_for_the_mutex_the_program_holds() -> None:
    script = (ROOT / "installer" / "hebi-desktop.iss").read_text(encoding="utf-8-sig")
    assert re.search(r"^AppMutex=\{#AppMutexName\}$", script, re.MULTILINE)
    match = re.search(r'^#define AppMutexName "([^"]+)"$', script, re.MULTILINE)
    assert match, "AppMutexName is not defined in hebi-desktop.iss"
    assert match.group(1) == process_guard.APP_MUTEX_NAME
    stand_in = (ROOT / "installer" / "wine" / "stand_in.c").read_text(encoding="utf-8")
    assert f'L"{process_guard.APP_MUTEX_NAME}"' in stand_in
