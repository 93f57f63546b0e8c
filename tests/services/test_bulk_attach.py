"""Bulk attach: files named by ID number or name plus a kind word, in village or household
folders, matched to records; unmatched and ambiguous files listed, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import UserError
from hebi_desktop.services.book import Book
from hebi_desktop.services.bulk_attach import attach_proposal, propose
from tests.photo_files import write_photo
from tests.samples import housing

HOUSING = get_ledger("housing")


def person(book: Book, name: str, village: str, serial: int, **changes: object) -> tuple[int, str]:
    number = resident_id.make("410622", dt.date(1960, 1, serial), serial)
    record = book.records("housing").create(
        housing(head_name=name, village=village, id_number=number, **changes)
    )
    return record.record.id, number


def test_matches_by_id_name_and_folder_and_lists_the_rest(book: Book, tmp_path: Path) -> None:
    zhang, zhang_id = person(book, "张三", "王庄村", 1)
    li, _ = person(book, "李四", "王庄村", 2)
    li_other, _ = person(book, "李四", "前进村", 3)
    wang, _ = person(book, "王五", "前进村", 4)
    folder = tmp_path / "照片"
    write_photo(folder / f"{zhang_id}_改造后.jpg")
    write_photo(folder / "王庄村" / "张三-改造前(2).jpg")
    write_photo(folder / "前进村" / "李四-鉴定报告.jpg")  # two 李四: the folder decides
    write_photo(folder / "李四-改造中.jpg")  # two 李四, no village folder: ambiguous
    write_photo(folder / "王五" / "改造前1.jpg")  # a household folder
    write_photo(folder / "赵六-改造后.jpg")  # nobody of that name
    write_photo(folder / "410622199901019999_改造后.jpg")  # an unknown ID number
    (folder / "说明.txt").write_text("not a photo", encoding="utf-8")
    proposal = propose(book, HOUSING, folder)
    matched = {m.relative: (m.candidate.record_id, m.kind) for m in proposal.matches}
    assert matched == {
        f"{zhang_id}_改造后.jpg": (zhang, "改造后"),
        "王庄村/张三-改造前(2).jpg": (zhang, "改造前"),
        "前进村/李四-鉴定报告.jpg": (li_other, "鉴定表"),
        "王五/改造前1.jpg": (wang, "改造前"),
    }
    assert sorted(proposal.unmatched) == ["410622199901019999_改造后.jpg", "赵六-改造后.jpg"]
    assert [(a.relative, {c.record_id for c in a.candidates}) for a in proposal.ambiguous] == [
        ("李四-改造中.jpg", {li, li_other})
    ]
    assert attach_proposal(book, HOUSING, proposal) == 4
    assert book.attachments("housing").counts() == {zhang: 2, li_other: 1, wang: 1}


def test_a_household_checked_twice_gets_its_newest_check(book: Book, tmp_path: Path) -> None:
    first, number = person(book, "张三", "王庄村", 1)
    newer = (
        book.records("housing")
        .create(
            housing(
                head_name="张三", village="王庄村", id_number=number, check_date=dt.date(2024, 8, 1)
            )
        )
        .record.id
    )
    write_photo(tmp_path / "f" / f"{number}-改造后.jpg")
    proposal = propose(book, HOUSING, tmp_path / "f")
    assert [m.candidate.record_id for m in proposal.matches] == [newer]
    assert first != newer


def test_cancel_or_a_broken_file_attaches_nothing(book: Book, tmp_path: Path) -> None:
    _, number = person(book, "张三", "王庄村", 1)
    folder = tmp_path / "f"
    write_photo(folder / f"{number}-改造前.jpg")
    (folder / f"{number}-改造后.jpg").write_bytes(b"not a jpeg")
    proposal = propose(book, HOUSING, folder)
    assert len(proposal.matches) == 2
    with pytest.raises(UserError):
        attach_proposal(book, HOUSING, proposal)
    assert book.attachments("housing").find() == []
    (folder / f"{number}-改造后.jpg").unlink()
    proposal = propose(book, HOUSING, folder)
    with pytest.raises(UserError, match="已取消"):
        attach_proposal(book, HOUSING, proposal, progress=lambda done, total: False)
    assert book.attachments("housing").find() == []
