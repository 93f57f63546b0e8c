"""``attach`` and ``attachments`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from tests.cli_helpers import call
from tests.photo_files import write_photo
from tests.samples import HOUSEHOLD_HEAD_ID, housing


def test_attach_dry_run_writes_nothing_then_attach_and_list(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    with Book.open(db_url) as book:
        record_id = book.records("housing").create(housing()).record.id
    folder = tmp_path / "photos"
    write_photo(folder / f"{HOUSEHOLD_HEAD_ID}_改造后.jpg")
    write_photo(folder / "不认识-改造前.jpg")
    code, out, _ = call(capsys, "attach", "housing", str(folder), "--dry-run", "--db", db_url)
    assert code == 0
    assert f"{HOUSEHOLD_HEAD_ID}_改造后.jpg → 记录编号{record_id}" in out
    assert "[无法匹配] 不认识-改造前.jpg" in out
    assert "试运行，未写入" in out
    code, out, _ = call(capsys, "attachments", "housing", "--db", db_url)
    assert (code, out.strip()) == (0, "没有附件")
    code, out, _ = call(capsys, "attach", "housing", str(folder), "--db", db_url)
    assert code == 0 and "已附加 1 个文件" in out
    code, out, _ = call(
        capsys, "attachments", "housing", "--record", str(record_id), "--db", db_url
    )
    assert code == 0
    assert "改造后" in out and "共 1 个附件" in out


def test_attach_missing_folder_is_a_user_error(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    code, _, err = call(capsys, "attach", "housing", str(tmp_path / "nope"), "--db", db_url)
    assert code == 1 and "找不到文件夹" in err


def test_check_lists_missing_evidence_as_hints(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    with Book.open(db_url) as book:
        record_id = book.records("housing").create(housing()).record.id
        book.attachments("housing").attach(record_id, write_photo(tmp_path / "a.jpg"), "改造后")
    code, out, _ = call(capsys, "check", "--db", db_url)
    assert code == 0  # hints, not failures
    assert "缺少附件（提醒）1 处" in out
    assert f"[提醒] 记录编号{record_id}：附件：C/D级缺鉴定表（缺少“鉴定表”）" in out
    assert "已竣工缺改造后照片" not in out


def test_export_with_files_then_collect_the_zip(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    from tests.county_helpers import BEIYANG, housing_rows, township_desk

    with township_desk(tmp_path, BEIYANG) as desk:
        record_id = desk.records("housing").create(housing_rows(BEIYANG, 1, 300)[0]).record.id
        desk.attachments("housing").attach(record_id, write_photo(tmp_path / "a.jpg"), "改造后")
        desk_db = str(desk.sqlite_file)
    target = tmp_path / "报送.zip"
    code, out, err = call(
        capsys, "export", "housing", "--with-files", "-o", str(target), "--db", desk_db
    )
    assert code == 0, err
    assert "附件：1 个" in out
    with Book.open(db_url) as county:
        county.settings.set("county_code", "410622")
        county.settings.set("scope", "county")
    code, out, err = call(capsys, "collect", str(target), "--dry-run", "--db", db_url)
    assert code == 0, err
    assert "附件 1 个，校验值全部相符" in out
    code, out, err = call(capsys, "collect", str(target), "--db", db_url)
    assert code == 0, err
    assert "附件 1 个：已接收 1 个" in out
    with Book.open(db_url) as county:
        assert [a.kind for a in county.attachments("housing").find()] == ["改造后"]


def test_photo_size_and_originals_are_set_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    Book.open(db_url).close()
    code, out, _ = call(
        capsys, "settings", "--photo-long-side", "3200", "--keep-originals", "是", "--db", db_url
    )
    assert code == 0 and "照片长边：3200 像素" in out and "保留原图：是" in out
    code, _, err = call(capsys, "settings", "--photo-long-side", "99", "--db", db_url)
    assert code == 1 and "照片长边：应为800到8000之间的整数" in err
    with Book.open(db_url) as book:
        service = book.attachments("housing")
        assert (service.long_side(), service.keep_original()) == (3200, True)
