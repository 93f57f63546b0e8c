"""``collect`` of a ZIP with attachments: verify, take in the workbook, then the files.

Everything in the ZIP is checked before anything is written: the manifest must list the
workbook and every file with the SHA-256 the bytes have now. One changed byte, a file
missing or a file the manifest does not list refuses the whole ZIP. Only then is the
workbook taken in through collect's own entry point (all or nothing, as for a plain
workbook), and the files attached to the records it holds, in one more transaction.
Files are read by the names the manifest gives and written to a private folder under
names of our own, so no path inside the ZIP can point outside it.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hebi_desktop.county.collect import Choices, FileCollection, collect_file
from hebi_desktop.domain.registry import UnknownLedger, get_ledger
from hebi_desktop.domain.values import ValueProblem, make_parser
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.services.archive_manifest import MANIFEST_NAME, Manifest, ManifestFile
from hebi_desktop.services.attachments import NewAttachment
from hebi_desktop.storage.models import record_model

if TYPE_CHECKING:
    from hebi_desktop.county.collect import IsCancelled, Progress
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)


@dataclass
class ArchiveCollection(FileCollection):
    """A collected ZIP: the workbook's result, and what became of the attached files."""

    attached: int = 0
    already_there: int = 0
    without_record: int = 0
    files_listed: int = 0

    def status_text(self) -> str:
        base = super().status_text()
        return f"{base}；{self.attachment_text}" if self.ok else base

    @property
    def attachment_text(self) -> str:
        if not self.files_listed:
            return "压缩包中没有附件"
        if self.dry_run:
            return f"附件 {self.files_listed} 个，校验值全部相符"
        text = f"附件 {self.files_listed} 个：已接收 {self.attached} 个"
        if self.already_there:
            text += f"，此前已接收 {self.already_there} 个"
        if self.without_record:
            text += f"，{self.without_record} 个找不到对应记录未接收"
        return text


def is_archive(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def _refused(path: Path, why: str) -> ArchiveCollection:
    return ArchiveCollection(path, refused=why)


def _digest(archive: zipfile.ZipFile, name: str, folder: Path, index: int) -> tuple[str, Path]:
    """Copy one member to ``folder`` under our own name; its SHA-256 and the copy."""
    suffix = Path(name).suffix.lower()[:8]
    target = folder / f"{index:06d}{suffix}"
    digest = hashlib.sha256()
    with archive.open(name) as source, target.open("wb") as copy:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            copy.write(block)
    return digest.hexdigest(), target


def _verify(
    archive: zipfile.ZipFile, manifest: Manifest, folder: Path
) -> tuple[Path, list[tuple[ManifestFile, Path]]] | str:
    """The workbook and files copied out and verified, or why the ZIP is refused."""
    names = set(archive.namelist())
    listed = {manifest.workbook, MANIFEST_NAME, *(f.path for f in manifest.files)}
    extra = [n for n in names - listed if not n.endswith("/")]
    if extra:
        return f"压缩包中有 {len(extra)} 个文件不在附件清单中（可能被加入或改名），整个压缩包未接收"
    if manifest.workbook not in names:
        return "压缩包中缺少工作簿，整个压缩包未接收"
    sha, workbook = _digest(archive, manifest.workbook, folder, 0)
    if sha != manifest.workbook_sha256:
        return "压缩包中的工作簿与清单中的校验值不符（可能被改动），整个压缩包未接收"
    named = folder / Path(manifest.workbook).name
    workbook.rename(named)
    copies: list[tuple[ManifestFile, Path]] = []
    for index, entry in enumerate(manifest.files, start=1):
        label = Path(entry.path).name  # kind and counter only: no name or ID number
        if entry.path not in names:
            return f"压缩包中缺少第{index}个附件（{label}），整个压缩包未接收"
        sha, copy = _digest(archive, entry.path, folder, index)
        if sha != entry.sha256:
            return (
                f"压缩包中第{index}个附件（{label}）与清单中的校验值不符，"
                "文件可能被改动，整个压缩包未接收"
            )
        copies.append((entry, copy))
    return named, copies


def _record_ids(book: Book, entries: Iterable[ManifestFile]) -> dict[tuple[str, str], int | None]:
    """(ledger, key text) → the live record with that township and natural key."""
    found: dict[tuple[str, str], int | None] = {}
    for entry in entries:
        marker = (entry.ledger, repr(sorted(entry.record.items())))
        if marker in found:
            continue
        found[marker] = None
        try:
            ledger = get_ledger(entry.ledger)
            values: dict[str, Any] = {"township_code": entry.record["township_code"]}
            for name in ledger.natural_key:
                text = entry.record[name]
                values[name] = make_parser(ledger.field(name))(text) if text else None
        except (UnknownLedger, KeyError, ValueProblem):
            continue
        table = record_model(ledger).__table__
        query = select(table.c.id).where(
            table.c.deleted_at.is_(None), *(table.c[n] == v for n, v in values.items())
        )
        with book.reading() as connection:
            found[marker] = connection.scalar(query.order_by(table.c.id.desc()).limit(1))
    return found


def collect_archive(
    book: Book,
    path: Path,
    *,
    dry_run: bool = False,
    cancelled: IsCancelled | None = None,
    choices: Choices | None = None,
) -> ArchiveCollection:
    """Verify the ZIP, take in its workbook and attach its files (see the module doc)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return _refused(path, "不是有效的压缩包（.zip），或文件已损坏")
    with archive, tempfile.TemporaryDirectory(prefix="hebi-collect-") as temporary:
        try:
            manifest = Manifest.from_json(archive.read(MANIFEST_NAME))
        except KeyError:
            return _refused(
                path, "压缩包中没有附件清单（manifest.json），不是本程序导出的带附件报送"
            )
        except UserError as error:
            return _refused(path, str(error))
        try:
            verified = _verify(archive, manifest, Path(temporary))
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return _refused(path, "压缩包已损坏，无法读出其中的文件，整个压缩包未接收")
        if isinstance(verified, str):
            return _refused(path, verified)
        workbook, copies = verified
        taken = collect_file(book, workbook, dry_run=dry_run, cancelled=cancelled, choices=choices)
        result = ArchiveCollection(
            **{f: getattr(taken, f) for f in FileCollection.__dataclass_fields__}
        )
        result.path = path
        result.files_listed = len(copies)
        if not result.ok:
            return result
        if dry_run:
            return result
        if cancelled is not None and cancelled():
            raise Cancelled()
        _attach(book, result, copies)
    return result


def _attach(book: Book, result: ArchiveCollection, copies: list[tuple[ManifestFile, Path]]) -> None:
    record_ids = _record_ids(book, (entry for entry, _ in copies))
    by_ledger: dict[str, list[NewAttachment]] = {}
    for entry, copy in copies:
        record_id = record_ids.get((entry.ledger, repr(sorted(entry.record.items()))))
        if record_id is None:
            result.without_record += 1
            continue
        service = book.attachments(entry.ledger)
        known = {(a.sha256, a.kind) for a in service.find(record_id)}
        if (entry.sha256, entry.kind) in known:
            result.already_there += 1  # the same submission sent again
            continue
        by_ledger.setdefault(entry.ledger, []).append(
            NewAttachment(
                record_id,
                copy,
                entry.kind,
                entry.caption,
                taken_at=entry.taken,
                latitude=entry.latitude,
                longitude=entry.longitude,
                file_name=entry.file_name or Path(entry.path).name,
            )
        )
    for key, items in by_ledger.items():
        book.attachments(key).attach_many(items)
        result.attached += len(items)
    log.info("collected %d attachments from %s", result.attached, result.path.name)


def collect_any(
    book: Book,
    paths: Iterable[Path],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
    choices: Choices | None = None,
) -> list[FileCollection]:
    """Workbooks and ZIPs alike, each file all or nothing. The workbooks go to collect
    together, so they are taken in export order (the newest submission stays); each ZIP
    is verified and taken in through :func:`collect_archive` after them."""
    from hebi_desktop.county.collect import collect_files

    paths = list(paths)
    archives = [p for p in paths if is_archive(p)]
    workbooks = [p for p in paths if not is_archive(p)]
    results: list[FileCollection] = []
    if workbooks:
        results.extend(
            collect_files(
                book,
                workbooks,
                dry_run=dry_run,
                progress=None if archives else progress,
                cancelled=cancelled,
                choices=choices,
            )
        )
    for index, path in enumerate(archives):
        if progress is not None:
            progress(len(workbooks) + index, len(paths))
        if cancelled is not None and cancelled():
            raise Cancelled()
        results.append(
            collect_archive(book, path, dry_run=dry_run, cancelled=cancelled, choices=choices)
        )
    if progress is not None and archives:
        progress(len(paths), len(paths))
    return results
