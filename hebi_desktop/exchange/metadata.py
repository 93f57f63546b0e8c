"""Who sent a workbook, and what it is: machine-readable metadata inside every export.

A county desk receives a dozen townships' workbooks a month. To take them in without
asking anyone it must know, for each file: which ledgers, which county and township,
which unit (填报单位), whether it is the township's whole ledger (full) or only the
changes since the last submission (incremental), and whether it has seen the same
content before. These facts travel as custom document properties (文件 → 属性 → 自定义
in Excel and WPS), which survive opening and re-saving the workbook and need no hidden
sheet a clerk could delete. They are read back with ``zipfile`` alone: no workbook load.

The content hash covers the records only (not the export time), so the same data
exported twice has the same content hash even though the files' own SHA-256 differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from hebi_desktop import __version__
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.errors import UserError
from hebi_desktop.services.settings import UNIT_NAME

if TYPE_CHECKING:
    from hebi_desktop.domain.fields import Ledger
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.querying import RecordQuery

FORMAT = "1"
PREFIX = "hebi."
FULL = "full"  # the township's whole ledger: replaces what the county holds for it
INCREMENTAL = "incremental"  # changes since the last submission: added and updated
PARTIAL = "partial"  # a filtered extract (a village, a date range): added and updated
MODES = (FULL, INCREMENTAL, PARTIAL)
MODE_LABELS = {FULL: "全量", INCREMENTAL: "增量", PARTIAL: "部分（按条件筛选）"}

_CUSTOM_PART = "docProps/custom.xml"
_NAMESPACE = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
# Filters that still leave a township's whole ledger in the file.
_WHOLE_LEDGER_FILTERS = frozenset({"county_code", "township_code"})


@dataclass(frozen=True)
class SubmissionMeta:
    """What a workbook says about itself (see the module docstring)."""

    ledgers: tuple[str, ...]
    county_code: str | None
    township_code: str | None
    unit: str
    operator: str
    mode: str
    filters: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    masked: bool = False
    program_version: str = __version__
    exported_at: dt.datetime | None = None
    content_sha256: str = ""

    @property
    def mode_label(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)


def export_mode(filters: Mapping[str, Any], incremental: bool) -> str:
    """Full only when nothing but the place narrowed the export."""
    if incremental:
        return INCREMENTAL
    narrowing = set(filters) - _WHOLE_LEDGER_FILTERS - {"mask_ids", "since"}
    return PARTIAL if narrowing else FULL


class ContentDigest:
    """SHA-256 over the records as they are written, ledger by ledger, in order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def feeding(
        self, ledger: str, append: Callable[[Sequence[Any]], None]
    ) -> Callable[[Sequence[Any]], None]:
        """``append`` that also adds each row to the digest."""
        update = self._hash.update
        update(f"\x1e{ledger}\x1e".encode())

        def append_and_hash(row: Sequence[Any]) -> None:
            update(repr(tuple(row)).encode())
            append(row)

        return append_and_hash

    def add(self, ledger: str, rows: Iterable[Sequence[Any]]) -> None:
        """Digest rows as :meth:`feeding` does (a county recomputing a submission's hash)."""
        update = self._hash.update
        update(f"\x1e{ledger}\x1e".encode())
        batch: list[str] = []
        for row in rows:
            batch.append(repr(tuple(row)))
            if len(batch) == 1000:  # one update per thousand rows: the same digest, faster
                update("".join(batch).encode())
                batch = []
        update("".join(batch).encode())

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class _Planned(Protocol):
    """One ledger of an export as the exporter planned it."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def query(self) -> RecordQuery: ...


class _Request(Protocol):
    @property
    def since_last_submission(self) -> bool: ...

    @property
    def mask_ids(self) -> bool: ...


def submission_meta(
    book: Book,
    request: _Request,
    plans: Sequence[_Planned],
    rows: Mapping[str, int],
    content_sha256: str,
    at: dt.datetime,
) -> SubmissionMeta:
    """The metadata of an export being written: the place filtered on, else the desk's."""
    from hebi_desktop.services.submissions import query_filters

    query = plans[0].query if plans else None
    settings = book.settings
    # The scope the rows were chosen by, never the desk's when the clerk chose another.
    township = query.township_code if query else None
    county = query.county_code if query else None
    if township and not county:
        county = divisions().by_code[township].parent_code
    filters = query_filters(query) if query is not None else {}
    filters.pop("since", None)
    unit = (
        settings.get(UNIT_NAME)
        or divisions().name(settings.township_code)
        or divisions().name(settings.county_code)
    )
    return SubmissionMeta(
        ledgers=tuple(p.ledger.key for p in plans),
        county_code=county,
        township_code=township,
        unit=unit,
        operator=book.operator,
        mode=export_mode(filters, request.since_last_submission),
        filters=filters,
        rows=dict(rows),
        masked=request.mask_ids,
        exported_at=at,
        content_sha256=content_sha256,
    )


def _properties(meta: SubmissionMeta) -> dict[str, str]:
    return {
        "format": FORMAT,
        "ledgers": ",".join(meta.ledgers),
        "county": meta.county_code or "",
        "township": meta.township_code or "",
        "unit": meta.unit,
        "operator": meta.operator,
        "mode": meta.mode,
        "filters": json.dumps(meta.filters, ensure_ascii=False, sort_keys=True),
        "rows": json.dumps(meta.rows, sort_keys=True),
        "masked": "1" if meta.masked else "0",
        "version": meta.program_version,
        "exported_at": (meta.exported_at or dt.datetime.now()).isoformat(timespec="seconds"),
        "content_sha256": meta.content_sha256,
    }


def stamp(workbook: Workbook, meta: SubmissionMeta) -> None:
    """Put ``meta`` into the workbook's custom properties (before it is saved)."""
    for name, value in _properties(meta).items():
        props = workbook.custom_doc_props  # type: ignore[attr-defined]  # not in the stubs
        props.append(StringProperty(name=PREFIX + name, value=value))


def _parse(values: Mapping[str, str]) -> SubmissionMeta | None:
    if values.get("format") != FORMAT or values.get("mode") not in MODES:
        return None
    try:
        filters = json.loads(values.get("filters") or "{}")
        rows = {str(k): int(v) for k, v in json.loads(values.get("rows") or "{}").items()}
        exported = values.get("exported_at")
        exported_at = dt.datetime.fromisoformat(exported) if exported else None
    except (ValueError, TypeError, AttributeError):
        return None
    return SubmissionMeta(
        ledgers=tuple(k for k in (values.get("ledgers") or "").split(",") if k),
        county_code=values.get("county") or None,
        township_code=values.get("township") or None,
        unit=values.get("unit", ""),
        operator=values.get("operator", ""),
        mode=values["mode"],
        filters=filters if isinstance(filters, dict) else {},
        rows=rows,
        masked=values.get("masked") == "1",
        program_version=values.get("version", ""),
        exported_at=exported_at,
        content_sha256=values.get("content_sha256", ""),
    )


def read_metadata(path: Path) -> SubmissionMeta | None:
    """The workbook's metadata; ``None`` for a hand-made workbook (or one we cannot read:
    the importer then gives the clerk the real reason)."""
    from hebi_desktop.exchange.protected import readable

    try:
        path = readable(path)  # a password-protected workbook: its decrypted copy
    except UserError:
        return None  # no password: the reader says so
    try:
        with zipfile.ZipFile(path) as archive:
            if _CUSTOM_PART not in archive.namelist():
                return None
            info = archive.getinfo(_CUSTOM_PART)
            if info.file_size > 1_000_000:  # metadata is a few hundred bytes
                return None
            root = ElementTree.fromstring(archive.read(_CUSTOM_PART))
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    values: dict[str, str] = {}
    for prop in root.iter(f"{_NAMESPACE}property"):
        name = prop.get("name") or ""
        if name.startswith(PREFIX):
            values[name[len(PREFIX) :]] = "".join(child.text or "" for child in prop)
    return _parse(values)
