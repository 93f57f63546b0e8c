"""Two county clerks collect the same month's files at the same time (two processes, one
database): each file is taken in once, as its own all-or-nothing unit, and each run
reports per file; neither run fails as a whole."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hebi_desktop.services.book import Book
from hebi_desktop.storage.models import ReceivedSubmission
from tests.concurrency.test_two_desks import start
from tests.county_helpers import (
    BEIYANG,
    GAOCUN,
    XIGANG,
    counts_by_township,
    export_all,
    housing_rows,
    township_desk,
)

pytestmark = pytest.mark.slow
HOUSES = 1500


def _exports(folder: Path) -> list[Path]:
    files = []
    for index, township in enumerate((BEIYANG, GAOCUN, XIGANG)):
        with township_desk(folder, township) as desk:
            service = desk.records("housing")
            checked = [service.check(v) for v in housing_rows(township, HOUSES, 3000 * index)]
            with desk.writing() as connection:
                service.insert_checked(connection, checked, "乡镇", dt.datetime.now())
            files.append(export_all(desk, folder / f"{township}.xlsx"))
    return files


def _collect(db: str, files: list[Path]) -> subprocess.Popen[str]:
    return start("--db", db, "collect", *map(str, files))


def test_two_collects_at_once_take_each_file_in_once(db_url: str, tmp_path: Path) -> None:
    files = _exports(tmp_path)
    with Book.open(db_url) as county:
        county.settings.set("operator", "县局汇总员")
        county.settings.set("county_code", "410622")
        county.settings.set("scope", "county")
    runs = [_collect(db_url, files), _collect(db_url, list(reversed(files)))]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, out + err
        assert "Traceback" not in err and "内部出错" not in err
        for path in files:
            assert f"【{path.name}】" in out  # reported per file
    received = [
        sum(1 for line in out.splitlines() if "住房安全" in line and "新报送" in line)
        for out, _err in outputs
    ]
    assert sum(received) == 3, outputs  # each file's housing taken in by exactly one run
    with Book.open(db_url) as county:
        assert counts_by_township(county, "housing") == {
            BEIYANG: HOUSES,
            GAOCUN: HOUSES,
            XIGANG: HOUSES,
        }
        with county.reading() as connection:
            rows = connection.scalar(
                select(func.count())
                .select_from(ReceivedSubmission)
                .where(ReceivedSubmission.ledger == "housing")
            )
        assert rows == 3
