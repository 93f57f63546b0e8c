"""A run of several files is read one file ahead in a helper process: what is taken in,
refused and counted is exactly what reading every file here gives, including a corrected
submission judged against the records the file before it has just written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hebi_desktop.county import read_ahead
from hebi_desktop.county.collect import collect_files
from hebi_desktop.exchange import sheet_process
from hebi_desktop.services.querying import RecordQuery
from tests.county_helpers import (
    BEIYANG,
    GAOCUN,
    counts_by_township,
    county_desk,
    education_rows,
    export_all,
    fill,
    hand_made_water,
    housing_rows,
    township_desk,
    water_rows,
)


def _files(folder: Path) -> list[Path]:
    """Two townships' exports, then a corrected full export of the second, a hand-made
    workbook, a file with a bad row and a file that is not a workbook."""
    made = []
    for index, township in enumerate((BEIYANG, GAOCUN)):
        with township_desk(folder, township) as desk:
            fill(desk, "housing", housing_rows(township, 6, 100 * (index + 1)))
            fill(desk, "education", education_rows(township, 3, 100 * (index + 1) + 50))
            fill(desk, "water", water_rows(township, 2))
            made.append(export_all(desk, folder / f"{township}.xlsx"))
    with township_desk(folder, GAOCUN) as desk:
        service = desk.records("housing")
        service.delete(service.ids(RecordQuery(sort="id"))[0])
        made.append(export_all(desk, folder / "更正.xlsx"))
    made.append(hand_made_water(folder / "手工.xlsx", "庙口", water_rows("410622104", 2)))
    bad = folder / "坏行.xlsx"
    with township_desk(folder, BEIYANG) as desk:
        rows = housing_rows(BEIYANG, 1, 900)
        fill(desk, "housing", rows)
        export_all(desk, bad)
    _spoil_first_id(bad)
    broken = folder / "不是工作簿.xlsx"
    broken.write_bytes(b"not a workbook")
    return [*made, bad, broken]


def _spoil_first_id(path: Path) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and len(value) == 18 and value[:6].isdigit():
                    cell.value = value[:-1] + ("0" if value[-1] != "0" else "1")
                    workbook.save(path)
                    return
    raise AssertionError("no ID number found")


def _outcome(folder: Path, files: list[Path]) -> tuple[Any, ...]:
    folder.mkdir()
    with county_desk(folder) as county:
        results = collect_files(county, files)
        found = [
            (
                r.path.name,
                r.refused,
                [(p.ledger.key, str(p.status), p.inserted, p.updated, p.removed) for p in r.parts],
                [e.text() for p in r.parts for e in p.errors],
            )
            for r in results
        ]
        counts = {key: counts_by_township(county, key) for key in ("housing", "water")}
    return found, counts


def test_files_read_ahead_in_a_helper_are_taken_in_as_when_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path)
    monkeypatch.setenv(sheet_process.OFF, "1")
    here = _outcome(tmp_path / "here", files)
    monkeypatch.delenv(sheet_process.OFF)
    monkeypatch.setattr(read_ahead, "WORTH_FROM_BYTES", 0)
    submitted: set[Path] = set()
    real_start = read_ahead.ReadAhead._start

    def spied(self: Any, index: int) -> Any:
        future = real_start(self, index)
        if future is not None:
            submitted.add(self._paths[index])
        return future

    monkeypatch.setattr(read_ahead.ReadAhead, "_start", spied)

    elsewhere = _outcome(tmp_path / "elsewhere", files)

    assert submitted == set(files)  # every file was read by the helper
    assert elsewhere == here
    found, counts = here
    by_name = {name: (refused, parts, errors) for name, refused, parts, errors in found}
    assert ("housing", "replacement", 5, 0, 6) in by_name["更正.xlsx"][1]
    assert by_name["坏行.xlsx"][2] and "身份证号" in by_name["坏行.xlsx"][2][0]
    assert by_name["不是工作簿.xlsx"][0]
    assert counts["housing"] == {BEIYANG: 6, GAOCUN: 5}
