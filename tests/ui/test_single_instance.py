"""One window per database: a second start signals the first; a crashed first is detected."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hebi_desktop.storage.engine import resolve_url
from hebi_desktop.ui.single_instance import SingleInstance, server_name

TIMEOUT_S = 60


@pytest.fixture
def url(tmp_path: Path) -> str:
    return resolve_url(tmp_path / "台账.sqlite")


@pytest.fixture
def first(qtbot, url: str, data_dir: Path):
    instance = SingleInstance(url, data_dir)
    assert instance.acquire()
    yield instance
    instance.release()


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
    )


def test_the_name_follows_the_database(tmp_path: Path) -> None:
    a = resolve_url(tmp_path / "a.sqlite")
    b = resolve_url(tmp_path / "b.sqlite")
    assert server_name(a) == server_name(a)
    assert server_name(a) != server_name(b)
    assert str(tmp_path) not in server_name(a)  # a hash, not the path


def test_a_second_instance_signals_the_first(qtbot, first: SingleInstance, url, data_dir) -> None:
    assert first.is_primary and first.listening
    second = SingleInstance(url, data_dir)
    assert not second.acquire()
    with qtbot.waitSignal(first.raise_requested, timeout=5000):
        assert second.notify_first()


def test_another_database_is_not_affected(qtbot, first: SingleInstance, tmp_path, data_dir) -> None:
    other = SingleInstance(resolve_url(tmp_path / "其他.sqlite"), data_dir)
    assert other.acquire()
    other.release()


def test_after_release_the_next_start_is_first(qtbot, first: SingleInstance, url, data_dir) -> None:
    first.release()
    again = SingleInstance(url, data_dir)
    assert again.acquire() and again.listening
    again.release()


def test_a_crashed_instance_does_not_block_the_next(qtbot, url: str, data_dir: Path) -> None:
    """The first process dies without cleaning up: its lock and socket stay behind."""
    crashed = _run(
        """
        import os, sys
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        from hebi_desktop.ui.single_instance import SingleInstance
        app = QCoreApplication([])
        instance = SingleInstance(sys.argv[1], Path(sys.argv[2]))
        assert instance.acquire() and instance.listening
        print("locked", flush=True)
        os._exit(0)  # no release: as if the power went
        """,
        url,
        str(data_dir),
    )
    out, err = crashed.communicate(timeout=TIMEOUT_S)
    assert crashed.returncode == 0, err
    assert out.strip() == "locked"
    lock = data_dir / f"{server_name(url)}.lock"
    assert lock.exists()  # left behind by the crash

    after = SingleInstance(url, data_dir)
    assert after.acquire()  # stale lock taken over, leftover socket removed
    assert after.listening
    late = SingleInstance(url, data_dir)
    assert not late.acquire()
    with qtbot.waitSignal(after.raise_requested, timeout=5000):
        assert late.notify_first()
    after.release()


def test_starting_the_program_again_raises_the_first_window(
    qtbot, first: SingleInstance, tmp_path: Path, data_dir: Path
) -> None:
    """The real start-up path: the second process tells the first and exits with 0,
    without opening (or creating) the database."""
    database = tmp_path / "台账.sqlite"
    with qtbot.waitSignal(first.raise_requested, timeout=TIMEOUT_S * 1000):
        second = _run(
            """
            import sys
            from hebi_desktop.ui.app import run_gui
            sys.exit(run_gui(sys.argv[1]))
            """,
            str(database),
            env={"HEBI_DESKTOP_DATA_DIR": str(data_dir)},
        )
    _out, err = second.communicate(timeout=TIMEOUT_S)
    assert second.returncode == 0, err
    assert not database.exists()
