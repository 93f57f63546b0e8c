"""The manifest of a submission ZIP with attachments (一户一档 carried to the county).

A ZIP holds the county workbook, one folder per record (乡镇/村/户主姓名-ID后四位/…) and
``manifest.json``: for every file its path in the ZIP, SHA-256 and size, the record it
belongs to by the ledger's natural key (so the county desk finds the record it took in
from the workbook), and the attachment's kind, caption and date taken. The export writes
it (``exchange/export_files.py``); collect reads it (``county/collect_archive.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from hebi_desktop.errors import UserError

MANIFEST_NAME = "manifest.json"
FORMAT = "hebi-desktop-archive/1"


@dataclass(frozen=True, slots=True)
class ManifestFile:
    path: str  # inside the ZIP, "/"-separated
    sha256: str
    size: int
    ledger: str
    record: dict[str, str]  # township_code and the natural key, as text
    kind: str
    caption: str = ""
    file_name: str = ""  # as first attached
    taken_at: str | None = None  # ISO date-time
    latitude: float | None = None
    longitude: float | None = None

    @property
    def taken(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.taken_at) if self.taken_at else None


@dataclass
class Manifest:
    workbook: str  # the workbook's name in the ZIP
    workbook_sha256: str
    files: list[ManifestFile] = field(default_factory=list)
    files_left_out: bool = False  # a masked export without its files

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "workbook": {"path": self.workbook, "sha256": self.workbook_sha256},
            "files_left_out": self.files_left_out,
            "files": [asdict(f) for f in self.files],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data: dict[str, Any] = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("format")
            files = [ManifestFile(**entry) for entry in data["files"]]
            return cls(
                data["workbook"]["path"],
                data["workbook"]["sha256"],
                files,
                bool(data.get("files_left_out")),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise UserError("压缩包中的附件清单（manifest.json）无法识别或已损坏") from None
