"""The window and the record form fit the office screens, and come back where they were.

Each case starts the window in a process of its own on a virtual screen (the offscreen
plugin's ``configfile``: 1024×768, 1366×768, 1920×1080 at 150 %, two monitors), since the
screen is fixed for the life of a Qt process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

Rect = list[int]


def screen_config(folder: Path, *sizes: tuple[int, int]) -> Path:
    """A config with the screens side by side, the first one primary."""
    screens, x = [], 0
    for number, (width, height) in enumerate(sizes):
        screens.append(
            {
                "name": f"screen{number}",
                "x": x,
                "y": 0,
                "width": width,
                "height": height,
                "logicalDpi": 96,
                "logicalBaseDpi": 96,
                "dpr": 1,
            }
        )
        x += width
    path = folder / f"screens-{'-'.join(f'{w}x{h}' for w, h in sizes)}.json"
    path.write_text(json.dumps({"screens": screens}), encoding="utf-8")
    return path


def probe(
    tmp_path: Path,
    config: Path,
    *args: str,
    scale: float | None = None,
    module: str = "tests.ui.screen_probe",
) -> dict[str, object]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "HEBI_DESKTOP_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("QT_SCALE_FACTOR", None)
    if scale is not None:
        env["QT_SCALE_FACTOR"] = str(scale)
    command = [sys.executable, "-m", module, str(tmp_path / "db.sqlite")]
    command += [str(tmp_path / "user-settings"), *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def inside(inner: Rect, outer: Rect) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox and y >= oy and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize(
    ("size", "scale"),
    [((1024, 768), None), ((1366, 768), None), ((1920, 1080), 1.5)],
    ids=["1024x768", "1366x768", "1920x1080-150%"],
)
def test_window_and_form_fit_the_screen(
    tmp_path: Path, size: tuple[int, int], scale: float | None
) -> None:
    report = probe(tmp_path, screen_config(tmp_path, size), scale=scale)
    screen = report["window_screen"]
    assert isinstance(screen, list)
    if scale:  # the screen Qt reports is the physical one divided by the scale
        assert screen[2:] == [round(size[0] / scale), round(size[1] / scale)]
    assert inside(report["window"], screen)  # type: ignore[arg-type]
    assert inside(report["dialog"], screen)  # type: ignore[arg-type]
    assert report["save_visible"]
    assert inside(report["save"], report["dialog"])  # type: ignore[arg-type]


def test_size_and_position_come_back_after_a_restart(tmp_path: Path) -> None:
    config = screen_config(tmp_path, (1366, 768))
    first = probe(tmp_path, config, "--move", "100", "60", "900", "600")
    assert first["after"] == [100, 60, 900, 600]
    second = probe(tmp_path, config)
    assert second["geometry"] == [100, 60, 900, 600]


def test_maximised_state_comes_back(tmp_path: Path) -> None:
    config = screen_config(tmp_path, (1366, 768))
    probe(tmp_path, config, "--maximize")
    assert probe(tmp_path, config)["maximized"] is True


def test_position_on_a_monitor_that_is_gone_falls_back_to_the_primary(tmp_path: Path) -> None:
    two = screen_config(tmp_path, (1366, 768), (1920, 1080))
    first = probe(tmp_path, two, "--move", "1700", "100", "1200", "800")
    assert first["after"] == [1700, 100, 1200, 800]  # on the second monitor
    one = screen_config(tmp_path, (1366, 768))
    second = probe(tmp_path, one)
    assert inside(second["window"], [0, 0, 1366, 768])  # type: ignore[arg-type]


def test_a_size_remembered_on_a_bigger_screen_is_fitted_to_a_smaller_one(tmp_path: Path) -> None:
    big = screen_config(tmp_path, (1920, 1080))
    probe(tmp_path, big, "--move", "100", "60", "1700", "950")
    small = probe(tmp_path, screen_config(tmp_path, (1366, 768)))
    assert inside(small["window"], [0, 0, 1366, 768])  # type: ignore[arg-type]
    assert inside(small["dialog"], [0, 0, 1366, 768])  # type: ignore[arg-type]
