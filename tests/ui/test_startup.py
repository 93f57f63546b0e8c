"""Starting the program: the first window needs no Excel library and no Alembic, and the
real start path (a new process, as from the desktop icon) reaches an exposed window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hebi_desktop.services.book import Book
from hebi_desktop.ui.startup_probe import HEAVY, LEDGER_MARKER, MARKER, PROBE_ENV
from tests.cli_helpers import ROOT

START_MODULES = (
    "hebi_desktop.cli.main",
    "hebi_desktop.ui.app",
    "hebi_desktop.ui.main_window",
    "hebi_desktop.ui.screens.overview_page",
    "hebi_desktop.services.book",
)


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_the_start_modules_do_not_import_excel_libraries_or_alembic() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {START_MODULES!r}: importlib.import_module(name)\n"
        "sys.modules['hebi_desktop.cli.main'].build_parser()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _start(db_path: Path, probe: str) -> dict[str, dict[str, object]]:
    """Start the program as from the desktop icon; its probe lines by marker."""
    with Book.open(db_path) as book:
        book.settings.set("operator", "张丽")
        book.settings.set("county_code", "410622")
        book.settings.set("township_code", "410622102")
        book.settings.set("backup_on_exit", "0")
    done = subprocess.run(
        [sys.executable, "-m", "hebi_desktop", "--db", str(db_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", PROBE_ENV: probe},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stderr.splitlines() if "HEBI_DESKTOP_" in x]
    found = {line["marker"]: line for line in lines}
    assert len(found) == len(lines), done.stderr
    return found


def test_the_real_start_shows_the_window_without_them(db_path: Path) -> None:
    found = _start(db_path, "quit")
    assert list(found) == [MARKER]
    assert found[MARKER]["heavy"] == []
    # The window is drawn before the database library is even imported.
    assert found[MARKER]["database_library"] is False


def test_the_first_ledger_page_is_drawn_after_the_window(db_path: Path) -> None:
    found = _start(db_path, "ledger")
    window, ledger = found[MARKER], found[LEDGER_MARKER]
    assert isinstance(window["clock"], float) and isinstance(ledger["clock"], float)
    assert window["clock"] <= ledger["clock"]
    assert ledger["database_library"] is True


def test_version_and_help_load_no_database_or_qt_code() -> None:
    code = (
        "import json, sys\n"
        "from hebi_desktop.cli.main import main\n"
        "for args in (['--version'], ['--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "names = ('sqlalchemy', 'PySide6', *" + repr(HEAVY) + ")\n"
        "print(json.dumps([m for m in names if m in sys.modules]))\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
