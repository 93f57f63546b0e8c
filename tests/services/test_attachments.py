"""Attachments: EXIF read and applied, downscaling, stored once, soft delete audited and
restorable, evidence rules, and the encrypted folder store."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from hebi_desktop.errors import RecordNotFound, UserError
from hebi_desktop.services.book import Book
from hebi_desktop.storage.blobs import FolderStore, folder_beside
from hebi_desktop.storage.models import AttachmentContent
from tests.photo_files import pdf_bytes, write_photo
from tests.samples import housing


def new_house(book: Book, **changes: object) -> int:
    return book.records("housing").create(housing(**changes)).record.id


def stored_contents(book: Book) -> int:
    """How many distinct contents the store holds."""
    if book.sqlite_file is not None:
        store = book.blob_store
        assert isinstance(store, FolderStore)
        return len(store.files())
    with book.reading() as connection:
        return connection.scalar(select(func.count()).select_from(AttachmentContent)) or 0


def test_photo_keeps_date_and_position_and_is_turned_upright(book: Book, tmp_path: Path) -> None:
    record_id = new_house(book)
    taken = dt.datetime(2024, 9, 2, 10, 30, 5)
    # Orientation 6: the camera was turned; the stored photo must stand upright.
    path = write_photo(
        tmp_path / "张秀英-改造后.jpg",
        size=(400, 300),
        orientation=6,
        taken=taken,
        gps=(35.7512, 114.2983),
    )
    info = book.attachments("housing").attach(record_id, path, "改造后", "正门")
    assert (info.kind, info.caption, info.taken_at) == ("改造后", "正门", taken)
    assert info.latitude == pytest.approx(35.7512, abs=1e-4)
    assert info.longitude == pytest.approx(114.2983, abs=1e-4)
    assert (info.width, info.height) == (300, 400)
    content = book.attachments("housing").content(info)
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (300, 400)
        # The colored half was on the left; turned 90° clockwise it is on top.
        assert image.getpixel((150, 20))[1] < 150  # type: ignore[index]
        assert image.getpixel((150, 380)) == pytest.approx((255, 255, 255), abs=10)  # type: ignore[arg-type]


def test_large_photo_is_downscaled_to_the_configured_long_side(book: Book, tmp_path: Path) -> None:
    record_id = new_house(book)
    book.settings.set("attachment_long_side", "1000")
    path = write_photo(tmp_path / "big.jpg", size=(3000, 2000))
    info = book.attachments("housing").attach(record_id, path, "改造前")
    assert (info.width, info.height) == (1000, 667)
    assert info.original_sha256 is None


def test_original_is_kept_when_asked(book: Book, tmp_path: Path) -> None:
    record_id = new_house(book)
    book.settings.set("attachment_long_side", "800")
    book.settings.set("attachment_keep_original", "1")
    path = write_photo(tmp_path / "big.jpg", size=(1600, 1200))
    info = book.attachments("housing").attach(record_id, path, "改造前")
    assert info.original_sha256 is not None
    assert book.blob_store.get(info.original_sha256) == path.read_bytes()


def test_same_photo_attached_twice_is_stored_once(book: Book, tmp_path: Path) -> None:
    first, second = new_house(book), new_house(book, check_date=dt.date(2024, 6, 1))
    path = write_photo(tmp_path / "a.jpg", size=(3000, 2000))
    copy = tmp_path / "copy of a.jpg"
    copy.write_bytes(path.read_bytes())
    service = book.attachments("housing")
    a = service.attach(first, path, "改造前")
    b = service.attach(second, copy, "改造前")
    assert a.sha256 == b.sha256
    assert stored_contents(book) == 1
    assert service.counts() == {first: 1, second: 1}


def test_pdf_is_stored_as_is_and_other_files_are_refused(book: Book, tmp_path: Path) -> None:
    record_id = new_house(book)
    scan = tmp_path / "鉴定表.pdf"
    scan.write_bytes(pdf_bytes())
    info = book.attachments("housing").attach(record_id, scan, "鉴定表")
    assert info.media_type == "application/pdf"
    assert book.attachments("housing").content(info) == scan.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("not a photo", encoding="utf-8")
    with pytest.raises(UserError, match="不是可识别的照片或PDF"):
        book.attachments("housing").attach(record_id, text, "其他")


def test_unknown_kind_and_deleted_record_are_refused(book: Book, tmp_path: Path) -> None:
    record_id = new_house(book)
    path = write_photo(tmp_path / "a.jpg")
    with pytest.raises(UserError, match="附件类别“维修前”不是"):
        book.attachments("housing").attach(record_id, path, "维修前")
    book.records("housing").delete(record_id)
    with pytest.raises(RecordNotFound):
        book.attachments("housing").attach(record_id, path, "改造前")
    assert book.attachments("housing").find() == []


def test_many_attach_all_or_nothing(book: Book, tmp_path: Path) -> None:
    from hebi_desktop.services.attachments import NewAttachment

    record_id = new_house(book)
    good = write_photo(tmp_path / "a.jpg")
    bad = tmp_path / "b.jpg"
    bad.write_bytes(b"broken")
    service = book.attachments("housing")
    with pytest.raises(UserError):
        service.attach_many(
            [NewAttachment(record_id, good, "改造前"), NewAttachment(record_id, bad, "改造后")]
        )
    assert service.find() == []
    with pytest.raises(UserError, match="已取消"):
        service.attach_many([NewAttachment(record_id, good, "改造前")], progress=lambda d, t: False)
    assert service.find() == []


def test_delete_is_soft_audited_and_restorable(book: Book, tmp_path: Path) -> None:
    record_id = new_house(book)
    service = book.attachments("housing")
    info = service.attach(record_id, write_photo(tmp_path / "a.jpg"), "改造前")
    service.delete(info.id)
    assert service.find(record_id) == []
    assert [a.id for a in service.find(record_id, deleted=True)] == [info.id]
    assert service.counts() == {}
    service.restore(info.id)
    assert [a.id for a in service.find(record_id)] == [info.id]
    actions = [e.action for e in book.audit.history("housing", record_id)]
    assert actions == ["create", "attach", "detach", "reattach"]
    assert service.content(service.get(info.id))  # the content was never removed


def test_evidence_rules_find_records_missing_their_photo(book: Book, tmp_path: Path) -> None:
    finished = new_house(book)  # C级, 已竣工: needs 改造后 and 鉴定表
    safe = new_house(
        book,
        check_date=dt.date(2024, 6, 1),
        safety_grade="A级",
        in_renovation=False,
        renovation_method=None,
        renovation_progress=None,
        completion_date=None,
        subsidy_amount=None,
    )
    service = book.attachments("housing")
    missing = {(rid, e.kind) for rid, e in service.missing_evidence()}
    assert missing == {(finished, "改造后"), (finished, "鉴定表")}
    assert safe not in {rid for rid, _ in missing}
    service.attach(finished, write_photo(tmp_path / "a.jpg"), "改造后")
    assert {e.kind for _, e in service.missing_evidence()} == {"鉴定表"}
    assert service.missing_counts() == {
        "finished_after_photo": 0,
        "dangerous_appraisal": 1,
        "accepted_form": 0,
    }


@pytest.mark.sqlite_only
def test_sqlite_keeps_content_outside_the_database_file(db_path: Path, tmp_path: Path) -> None:
    with Book.open(db_path) as book:
        record_id = new_house(book)
        path = write_photo(tmp_path / "a.jpg", size=(1200, 900))
        info = book.attachments("housing").attach(record_id, path, "改造前")
        # small and upright: kept byte for byte
        assert book.blob_store.get(info.sha256) == path.read_bytes()
    (stored,) = (folder_beside(db_path) / info.sha256[:2]).glob(f"{info.sha256}*")
    # The database is encrypted (the default), so the photo is too: no file shows it.
    assert path.read_bytes()[:2000] not in stored.read_bytes()
    assert path.read_bytes()[:2000] not in db_path.read_bytes()


@pytest.mark.sqlite_only
def test_encrypted_store_round_trip_and_refusals(db_path: Path, tmp_path: Path) -> None:
    key = os.urandom(32)
    with Book.open(db_path) as book:
        book.attachment_key = lambda: key
        record_id = new_house(book)
        path = write_photo(tmp_path / "a.jpg")
        info = book.attachments("housing").attach(record_id, path, "改造前")
        assert book.attachments("housing").content(info) == path.read_bytes()
        stored = folder_beside(db_path) / info.sha256[:2] / (info.sha256 + ".enc")
        assert path.read_bytes()[:64] not in stored.read_bytes()
        book.attachment_key = lambda: None
        with pytest.raises(UserError, match="已加密"):
            book.attachments("housing").content(info)
        book.attachment_key = lambda: os.urandom(32)
        with pytest.raises(UserError, match="已损坏或被改动"):
            book.attachments("housing").content(info)
        book.attachment_key = lambda: key
        sealed = bytearray(stored.read_bytes())
        sealed[-1] ^= 1
        stored.write_bytes(bytes(sealed))
        with pytest.raises(UserError, match="已损坏或被改动"):
            book.attachments("housing").content(info)


def test_heic_photo_from_a_phone_is_stored_as_jpeg(book: Book, tmp_path: Path) -> None:
    pytest.importorskip("pillow_heif")
    record_id = new_house(book)
    path = tmp_path / "IMG_0001.HEIC"
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2024:09:02 10:30:05"
    Image.new("RGB", (640, 480), (200, 60, 40)).save(path, "HEIF", exif=exif.tobytes())
    info = book.attachments("housing").attach(record_id, path, "改造后")
    assert info.media_type == "image/jpeg"
    assert info.taken_at == dt.datetime(2024, 9, 2, 10, 30, 5)
    assert (info.width, info.height) == (640, 480)
