"""The windowed start with a data folder that cannot be written shows a Chinese message
box naming the folder, instead of an English traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

from hebi_desktop.ui import app as app_module
from tests.ui.ledger_helpers import Messages


def test_the_window_start_names_the_unwritable_folder(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "home-is-read-only"
    blocker.write_text("")
    folder = blocker / "hebi-desktop"
    monkeypatch.setenv("HEBI_DESKTOP_DATA_DIR", str(folder))
    monkeypatch.setattr(app_module, "install_translations", lambda _app: [])
    messages = Messages().install(monkeypatch)
    locale = QLocale()
    try:
        assert app_module.run_gui(None) == 1
    finally:
        QLocale.setDefault(locale)
    [(kind, title, text)] = messages.shown
    assert kind == "critical" and "无法写入数据文件夹" in title
    assert str(folder) in text and "--db" in text
