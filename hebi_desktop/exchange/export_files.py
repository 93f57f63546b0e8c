"""``export --with-files``: the county workbook and every exported record's attachments in
one ZIP, with a manifest of checksums (一户一档 carried upward).

Layout: the workbook at the top, then ``乡镇/村/户主姓名-ID后四位/改造前-1.jpg`` (with
several ledgers, each under its own folder first), and ``manifest.json``. A masked export
leaves the files out unless asked (``include_files``): photos show people and houses.
The ZIP is written beside the target and moved into place, so a failed or cancelled
export never leaves half a ZIP.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange.export import ExportRequest, ExportResult, export_workbook
from hebi_desktop.exchange.files import (
    ZIP,
    check_target,
    database_files,
    move_into_place,
    reason,
)
from hebi_desktop.services.archive_manifest import MANIFEST_NAME, Manifest, ManifestFile
from hebi_desktop.services.attachments import AttachmentInfo

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass
class ArchiveExportResult:
    path: Path
    workbook: ExportResult
    files: int
    files_left_out: bool

    @property
    def rows(self) -> dict[str, int]:
        """Records per ledger in the workbook (what the export page reports)."""
        return self.workbook.rows


def _safe(text: str) -> str:
    """A folder or file name part every Windows and ZIP tool accepts."""
    return UNSAFE.sub("_", text).strip(" .") or "_"


def record_folder(ledger: Ledger, values: dict[str, object], record_id: int) -> str:
    """``乡镇/村/户主姓名-ID后四位``; a ledger without an ID number uses the record number."""
    township = divisions().name(str(values.get("township_code") or "")) or "未知乡镇"
    village = str(values.get("village") or "未填村")
    name = str(values.get(ledger.name_field) or "未填")
    id_field = next((f.name for f in ledger.fields if f.kind is Kind.ID_NUMBER), None)
    tail = str(values.get(id_field) or "")[-4:] if id_field else ""
    household = f"{name}-{tail}" if tail else f"{name}-{record_id}"
    return "/".join(_safe(part) for part in (township, village, household))


def record_key(ledger: Ledger, values: dict[str, object]) -> dict[str, str]:
    """The record's natural key (with its township) as text, for the county to find it."""
    names = ("township_code", *ledger.natural_key)
    return {name: _text(values.get(name)) for name in names}


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def export_with_files(
    book: Book,
    request: ExportRequest,
    target: Path,
    *,
    include_files: bool | None = None,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ArchiveExportResult:
    """Write the ZIP; ``include_files`` defaults to "not when masked"."""
    target = Path(target)
    if target.suffix.lower() != ".zip":
        raise UserError(f"带附件导出请用 .zip 文件名（现为“{target.name}”）")
    check_target(target, database_files(book.sqlite_file), ZIP)
    with_files = (not request.mask_ids) if include_files is None else include_files
    with tempfile.TemporaryDirectory(prefix="hebi-zip-") as folder:
        workbook_path = Path(folder) / f"{_safe(target.stem)}.xlsx"
        workbook = export_workbook(
            book, dataclasses.replace(request, keep_ids=True), workbook_path, cancelled=cancelled
        )
        files = _planned_files(book, workbook) if with_files else []
        manifest = Manifest(workbook_path.name, workbook.sha256, [], not with_files)
        handle, part_name = tempfile.mkstemp(
            prefix=f".{target.stem}.{os.getpid()}.", suffix=".zip.part", dir=target.parent
        )
        os.close(handle)
        part = Path(part_name)
        try:
            _write_zip(book, part, workbook_path, files, manifest, progress, cancelled)
            move_into_place(part, target)
        except OSError as error:
            part.unlink(missing_ok=True)
            raise UserError(f"无法写入“{target}”：{reason(error)}") from None
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    if request.record_submission:
        _name_the_zip(book, workbook, target)
    log.info("exported %d attachments with the workbook", len(manifest.files))
    return ArchiveExportResult(target, workbook, len(manifest.files), not with_files)


def _name_the_zip(book: Book, workbook: ExportResult, target: Path) -> None:
    """The submission list names the ZIP that was sent, not the scratch workbook."""
    from sqlalchemy import update

    from hebi_desktop.storage.models import Submission

    with book.writing() as connection:
        connection.execute(
            update(Submission)
            .where(
                Submission.sha256 == workbook.sha256,
                Submission.file_name == str(workbook.path.resolve()),
            )
            .values(file_name=str(target.resolve()))
        )


def _planned_files(
    book: Book, workbook: ExportResult
) -> list[tuple[str, Ledger, dict[str, object], AttachmentInfo]]:
    """(path in the ZIP, ledger, record values, attachment) for every exported record."""
    planned: list[tuple[str, Ledger, dict[str, object], AttachmentInfo]] = []
    several = len(workbook.record_ids) > 1
    for key, ids in workbook.record_ids.items():
        ledger = get_ledger(key)
        wanted = set(ids)
        by_record: dict[int, list[AttachmentInfo]] = defaultdict(list)
        for attachment in book.attachments(ledger).find():
            if attachment.record_id in wanted:
                by_record[attachment.record_id].append(attachment)
        used: set[str] = set()
        records = book.records(ledger).fetch(sorted(by_record))
        for record in records:
            folder = record_folder(ledger, record.values, record.id)
            if several:
                folder = f"{_safe(ledger.nav_title)}/{folder}"
            if folder in used:  # the same household checked twice: one folder per record
                folder = f"{folder}-{record.id}"
            used.add(folder)
            counters: dict[str, int] = defaultdict(int)
            for attachment in by_record[record.id]:
                counters[attachment.kind] += 1
                name = f"{_safe(attachment.kind)}-{counters[attachment.kind]}{attachment.suffix}"
                planned.append((f"{folder}/{name}", ledger, record.values, attachment))
    return planned


def _write_zip(
    book: Book,
    part: Path,
    workbook_path: Path,
    files: list[tuple[str, Ledger, dict[str, object], AttachmentInfo]],
    manifest: Manifest,
    progress: Progress | None,
    cancelled: IsCancelled | None,
) -> None:
    with zipfile.ZipFile(part, "w") as archive:
        archive.write(workbook_path, workbook_path.name, zipfile.ZIP_DEFLATED)
        for done, (path, ledger, values, attachment) in enumerate(files):
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(done, len(files))
            content = book.attachments(ledger).content(attachment)
            # Photos and PDFs are compressed already: stored, not deflated again.
            archive.writestr(path, content, zipfile.ZIP_STORED)
            manifest.files.append(
                ManifestFile(
                    path=path,
                    sha256=attachment.sha256,
                    size=len(content),
                    ledger=ledger.key,
                    record=record_key(ledger, values),
                    kind=attachment.kind,
                    caption=attachment.caption,
                    file_name=attachment.file_name,
                    taken_at=attachment.taken_at.isoformat() if attachment.taken_at else None,
                    latitude=attachment.latitude,
                    longitude=attachment.longitude,
                )
            )
        archive.writestr(MANIFEST_NAME, manifest.to_json(), zipfile.ZIP_DEFLATED)
    if progress is not None:
        progress(len(files), len(files))
