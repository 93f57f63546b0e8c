"""``hebi-desktop --self-test``: a headless check that an installed copy works.

In a temporary folder it creates and migrates a database, enters one valid record in
each ledger, exports an ``all`` workbook, reads it back with python-calamine (the ID
numbers must come back as the same text), reads a sheet again through the helper process
that big sheets are read by (in the frozen program, the program started a second time)
and imports every sheet into a second database.
It never touches the clerk's own data folder, needs no Qt and no test files, so it runs
inside the frozen bundle right after installation.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hebi_desktop.paths import DATA_DIR_ENV_VAR, DB_ENV_VAR

log = logging.getLogger(__name__)

SUCCESS = "自检通过"
FAILURE = "自检失败"


class SelfTestFailure(Exception):
    """A check that did not hold; ``str()`` says which, in Chinese."""


@contextmanager
def _isolated(folder: Path) -> Iterator[None]:
    """Point the data folder at ``folder`` and forget any database override meanwhile.

    The database keys too: the self-test's encrypted databases get a throw-away key in
    ``folder``, never one in the clerk's key store."""
    from hebi_desktop.storage.keys import KEY_DIR_ENV_VAR

    names = (DATA_DIR_ENV_VAR, DB_ENV_VAR, KEY_DIR_ENV_VAR)
    saved = {name: os.environ.get(name) for name in names}
    os.environ[DATA_DIR_ENV_VAR] = str(folder)
    os.environ[KEY_DIR_ENV_VAR] = str(folder / "keys")
    os.environ.pop(DB_ENV_VAR, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _records() -> dict[str, dict[str, Any]]:
    """One valid record per declared ledger: its example, as a township clerk enters it."""
    from hebi_desktop.domain.registry import all_ledgers

    return {ledger.key: ledger.example_record() for ledger in all_ledgers()}


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


def _run(folder: Path) -> str:
    from python_calamine import CalamineWorkbook

    from hebi_desktop.domain.fields import Kind
    from hebi_desktop.domain.registry import get_ledger
    from hebi_desktop.exchange.export import ExportRequest, export_workbook
    from hebi_desktop.exchange.importer import import_workbook
    from hebi_desktop.services.book import Book
    from hebi_desktop.storage.cipher import is_plain

    records = _records()
    database = folder / "selftest.sqlite"
    book = Book.open(database, backups=folder / "backups")
    try:
        _expect(not is_plain(database), "新建的数据库没有加密")
        book.settings.set("operator", "自检")
        book.settings.set("county_code", "410622")
        book.settings.set("township_code", "410622102")
        for key, values in records.items():
            book.records(key).create(values)
        _expect(all(book.count_all()[k] == 1 for k in records), "录入后的记录数不对")
        target = folder / "自检导出.xlsx"
        result = export_workbook(
            book, ExportRequest(tuple(records), record_submission=False), target
        )
        _expect(result.rows == {k: 1 for k in records}, f"导出的条数不对：{result.rows}")
        backup = book.backup(folder / "backups" / "自检备份.sqlite")
        _expect(not is_plain(backup), "备份没有加密")
    finally:
        book.close()

    workbook = CalamineWorkbook.from_path(str(target))
    for key, values in records.items():
        ledger = get_ledger(key)
        _expect(ledger.title in workbook.sheet_names, f"导出的工作簿中没有“{ledger.title}”工作表")
        rows = workbook.get_sheet_by_name(ledger.title).to_python()
        cells = [cell for row in rows for cell in row]
        _expect(values[ledger.name_field] in cells, f"{ledger.title}中读不回记录")
        for field in ledger.stored_fields:
            if field.kind is Kind.ID_NUMBER and values.get(field.name):
                _expect(
                    values[field.name] in cells,
                    f"{ledger.title}中的{field.header}没有作为文本读回（可能被存成了数字）",
                )
    _expect("汇总" in workbook.sheet_names, "导出的工作簿中没有汇总表")
    _check_helper_process(target, get_ledger(next(iter(records))).title)

    again = Book.open(folder / "selftest-import.sqlite", backups=folder / "backups")
    try:
        for key in records:
            imported = import_workbook(again, key, target)
            _expect(
                imported.ok and imported.inserted == 1,
                f"导出的工作簿中“{get_ledger(key).title}”不能再导入",
            )
    finally:
        again.close()
    return (
        f"加密数据库的迁移、{len(records)}本台账各录入1条、加密备份、导出工作簿并读回、"
        "辅助进程读表、再导入均正常"
    )


def _check_helper_process(workbook: Path, sheet: str) -> None:
    """A big sheet is read by a helper process (exchange/sheet_process.py), which in the
    frozen program starts as the program itself: it must start, and read what is read here."""
    from hebi_desktop.exchange import sheet_process
    from hebi_desktop.exchange.limits import Limits
    from hebi_desktop.exchange.sheet_stream import StreamedSheet

    limits = Limits()
    elsewhere = sheet_process.rows_elsewhere(workbook, sheet, 1, limits, None)
    _expect(elsewhere is not None, "无法启动读取大表的辅助进程")
    assert elsewhere is not None
    here = list(StreamedSheet(sheet, workbook, 1, limits).rows_here())
    _expect(list(elsewhere) == here and len(here) > 3, "辅助进程读出的工作表与本进程读出的不同")


def run_self_test() -> int:
    """Run the self-test; prints 自检通过… (exit code 0) or 自检失败… on stderr (1)."""
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="hebi-selftest-") as name:
            folder = Path(name)
            with _isolated(folder):
                summary = _run(folder)
    except Exception as error:
        log.exception("self-test failed")
        print(f"{FAILURE}：{error}", file=sys.stderr, flush=True)
        return 1
    print(f"{SUCCESS}：{summary}（用时{time.perf_counter() - started:.1f}秒）", flush=True)
    return 0
