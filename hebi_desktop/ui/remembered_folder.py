"""The folder a file dialog opens in: where the clerk last saved or picked such a file.

Export, import and PDF saving each remember their own folder under a settings key;
one rule picks the start folder for all of them, so they behave alike.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from hebi_desktop.services.settings import SettingsService


def remembered_folder(settings: SettingsService, key: str) -> Path:
    """The folder remembered under ``key`` while it still exists, else 文档, else home."""
    remembered = settings.get(key)
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
