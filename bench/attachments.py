"""Attachments at township scale: bulk attach, store size, form open, ZIP export, backups.

    python bench/attachments.py [--records 100] [--photos 3] [--size 3264x2448] [--keep DIR]

The issue's full scale is ``--records 20000`` (60,000 photos); the default is scaled down
so it runs in a few minutes on a shared machine. Set-up (not timed): sample housing
records, and for each record ``--photos`` distinct phone-sized JPEGs (noise and gradients,
so they compress like photos: 2–4 MB at 3264×2448), named the way villages name them
(``身份证号_改造前.jpg``) in one folder per village.

Timed, each against the bare library doing the same work where there is one:

- bulk attach (``propose`` + ``attach_proposal``: read, hash, EXIF, turn, shrink to 2560 px,
  store, one transaction) against bare Pillow (open, ``exif_transpose``, ``thumbnail``,
  save JPEG) of the same files: files per second and the ratio;
- database file and attachment store size against the originals;
- the record form opening with three photos (thumbnails are decoded off the GUI thread);
- ``export --with-files`` against bare ``zipfile`` storing the same stored files;
- the backup at exit when nothing changed (must be near zero: no backup is made), and a
  second manual backup (incremental: no attachment file copied again) against the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageOps

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.exchange.export import ExportRequest
from hebi_desktop.exchange.export_files import export_with_files
from hebi_desktop.services.backups import backup_on_exit, make_backup
from hebi_desktop.services.book import Book
from hebi_desktop.services.bulk_attach import attach_proposal, propose
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import COUNTY, OPERATOR, TOWNSHIP
from hebi_desktop.storage.blobs import FolderStore, backup_folder, folder_beside

HOUSING = get_ledger("housing")
KINDS = ("改造前", "改造中", "改造后")


def make_photo(width: int, height: int, seed: int) -> bytes:
    """A phone-like JPEG: gradients with noise, so it does not compress to nothing."""
    noise = Image.frombytes("L", (width // 4, height // 4), os.urandom(width * height // 16))
    base = Image.merge(
        "RGB",
        (
            noise.resize((width, height)),
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)).rotate(seed % 360),
        ),
    )
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2024:09:02 10:30:00"
    base.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def set_up(folder: Path, records: int, photos: int, size: tuple[int, int]) -> tuple[Book, Path]:
    book = Book.open(folder / "township.sqlite")
    book.settings.set(OPERATOR, "基准")
    book.settings.set(COUNTY, "410622")
    book.settings.set(TOWNSHIP, "410622102")
    maker = SampleMaker(21)
    service = book.records(HOUSING)
    checked = []
    seen = set()
    index = 0
    while len(checked) < records + 1:  # the last one stays without photos: the baseline
        index += 1
        values = HOUSING.draw_sample(maker, index)
        values.update(county_code="410622", township_code="410622102")
        if values["id_number"] in seen:
            continue
        seen.add(values["id_number"])
        checked.append(service.check(values))
    with book.writing() as connection:
        service.insert_checked(connection, checked, "基准", dt.datetime.now())
    photo_folder = folder / "照片"
    count = 0
    for item in checked[:-1]:
        values = item.values
        village = photo_folder / str(values["village"])
        village.mkdir(parents=True, exist_ok=True)
        for kind in KINDS[:photos]:
            data = make_photo(*size, seed=count)
            (village / f"{values['id_number']}_{kind}.jpg").write_bytes(data)
            count += 1
    return book, photo_folder


def bare_pillow(files: list[Path], long_side: int, target: Path) -> float:
    target.mkdir(exist_ok=True)
    started = time.perf_counter()
    for index, path in enumerate(files):
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
            upright.save(target / f"{index}.jpg", "JPEG", quality=88, optimize=True)
    return time.perf_counter() - started


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def form_open_times(book: Book, record_ids: list[int], runs: int = 5) -> list[float]:
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.ui.dialogs.record_form import RecordDialog

    app = QApplication.instance() or QApplication([])
    times = []
    for record_id in record_ids[:runs]:  # five different records (or one, repeated)
        started = time.perf_counter()
        dialog = RecordDialog(book, HOUSING, record_id)
        dialog.show()
        app.processEvents()
        times.append(time.perf_counter() - started)
        dialog.close()
        dialog.deleteLater()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--photos", type=int, default=3, choices=(1, 2, 3))
    parser.add_argument("--size", default="3264x2448", help="photo size, WIDTHxHEIGHT")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        book, photos = set_up(folder, args.records, args.photos, (width, height))
        files = sorted(photos.rglob("*.jpg"))
        original_bytes = sum(p.stat().st_size for p in files)
        print(
            f"set-up: {args.records} records, {len(files)} photos "
            f"({original_bytes / len(files) / 1e6:.1f} MB each) in "
            f"{time.perf_counter() - started:.0f} s (not timed)"
        )

        bare = bare_pillow(files, 2560, folder / "bare")
        started = time.perf_counter()
        proposal = propose(book, HOUSING, photos)
        attached = attach_proposal(book, HOUSING, proposal)
        ours = time.perf_counter() - started
        assert attached == len(files), (attached, len(proposal.unmatched), len(proposal.ambiguous))
        print(
            f"bulk attach: {attached} files in {ours:.1f} s ({attached / ours:.1f} files/s, "
            f"{original_bytes / ours / 1e6:.1f} MB/s); bare Pillow {bare:.1f} s: "
            f"{ours / bare:.2f}x"
        )

        store = folder_beside(book.sqlite_file)  # type: ignore[arg-type]
        database = book.sqlite_file
        assert database is not None
        db_size = sum(
            p.stat().st_size
            for p in (database, database.with_name(database.name + "-wal"))
            if p.exists()
        )
        kept = folder_size(store)
        print(
            f"sizes: originals {original_bytes / 1e6:.0f} MB; store {kept / 1e6:.0f} MB "
            f"({kept / original_bytes:.0%}); database file (with its WAL) {db_size / 1024:.0f} KB"
        )

        record_ids = sorted({m.candidate.record_id for m in proposal.matches})
        plain = max(book.records(HOUSING).ids(RecordQuery(sort="id")))  # no photos
        form_open_times(book, [plain], 1)  # Qt's own first-window set-up, not counted
        base = statistics.median(form_open_times(book, [plain] * 5))
        times = form_open_times(book, record_ids)
        median = statistics.median(times)
        print(
            f"record form with {args.photos} photos: median {median * 1000:.0f} ms"
            f" (max {max(times) * 1000:.0f} ms; bound 300 ms); the same form without photos "
            f"{base * 1000:.0f} ms: {median / base:.2f}x"
        )

        target = folder / "报送.zip"
        started = time.perf_counter()
        export_with_files(book, ExportRequest(("housing",), record_submission=False), target)
        zipped = time.perf_counter() - started
        stored = FolderStore(store)
        started = time.perf_counter()
        with zipfile.ZipFile(folder / "bare.zip", "w") as archive:
            for relative in stored.files():
                archive.write(store / relative, str(relative), zipfile.ZIP_STORED)
        bare_zip = time.perf_counter() - started
        print(
            f"export --with-files: {zipped:.1f} s, {target.stat().st_size / 1e6:.0f} MB; "
            f"bare zipfile of the stored files {bare_zip:.1f} s: {zipped / bare_zip:.2f}x"
        )

        backups = folder / "backups"
        started = time.perf_counter()
        make_backup(book, folder=backups)
        first = time.perf_counter() - started
        started = time.perf_counter()
        made = backup_on_exit(book)
        at_exit = time.perf_counter() - started
        started = time.perf_counter()
        make_backup(book, folder=backups)
        second = time.perf_counter() - started
        shared = folder_size(backup_folder(backups))
        print(
            f"backups: first {first:.1f} s (copies {shared / 1e6:.0f} MB of attachments); "
            f"at exit with nothing changed {at_exit * 1000:.0f} ms "
            f"({'no backup made' if made is None else 'MADE A BACKUP'}); "
            f"second manual backup {second:.2f} s (no attachment copied again)"
        )
        book.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
