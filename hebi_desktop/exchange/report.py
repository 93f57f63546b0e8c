"""The import report workbook: what is wrong, where, and the sheet with its bad cells marked.

Sheet 问题清单 lists every issue (row, column, value, message). Sheet 原表（已标出问题）
copies the clerk's rows at the same row numbers, marks each bad cell (red for errors,
yellow for reminders, with the message as a comment) and adds a 问题说明 column.

A report travels (a township sends it to the villages), so the copy masks ID numbers and
phones by default, except in the cells the reader must correct; with ``full_ids`` it
keeps every value, and then the corrected copy can be imported again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from hebi_desktop.domain.fields import Kind, Level
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.cells import copy_cell, mask_id, mask_phone, plain_value, text_cell
from hebi_desktop.exchange.files import check_target, discard, temporary_file, write_atomically
from hebi_desktop.exchange.layout import BORDER, CENTER, HEADER_FILL, HEADER_FONT, TITLE_FONT
from hebi_desktop.exchange.reader import open_source

if TYPE_CHECKING:
    from hebi_desktop.exchange.importer import ImportResult, RowIssue

ISSUES_SHEET = "问题清单"
COPY_SHEET = "原表（已标出问题）"
PROBLEM_HEADER = "问题说明"
LEVEL_NAMES = {Level.ERROR: "错误", Level.WARNING: "提醒"}
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
ERROR_FONT = Font(color="9C0006")
MAX_COMMENTS = 2000  # beyond this the 问题说明 column says it all


MASKED_NOTE = (
    "身份证号、电话已脱敏（出错的单元格除外）；需要改好后重新导入时，"
    "请选择“报告中显示完整身份证号和电话”（命令行 --full-ids）"
)


def write_report(
    result: ImportResult,
    target: Path,
    protected: Mapping[Path, str] | None = None,
    *,
    full_ids: bool = False,
) -> Path:
    """The report workbook at ``target``; never over the imported workbook or ``protected``.

    ``full_ids``: ID numbers and phones as read; otherwise masked where no issue is.
    The report of a password-protected workbook is protected with the same password."""
    from hebi_desktop.exchange.protected import password_of

    check_target(target, {**(protected or {}), Path(result.file): "源工作簿"})
    temp = temporary_file(target)
    workbook: Workbook | None = None
    try:
        workbook = Workbook(write_only=True)
        workbook.properties.title = f"导入检查报告：{result.file.name}"
        workbook.properties.creator = "鹤壁乡镇台账"
        _issues_sheet(workbook, result, full_ids)
        if result.layout is not None:
            _copy_sheet(workbook, result, full_ids)
        write_atomically(workbook, target, temp, password_of(Path(result.file)))
    except BaseException:
        discard(temp, workbook)
        raise
    return target


def _summary(result: ImportResult) -> str:
    parts = [
        f"读取{result.rows_read}行",
        f"错误{result.error_count}处",
        f"提醒{result.warning_count}处",
    ]
    if result.omitted_text():
        parts.append(f"下表列出前{len(result.errors)}处错误，{result.omitted_text()}")
    if result.errors:
        parts.append("有错误，未导入任何数据；请按下表改正后重新导入")
    elif result.dry_run:
        parts.append(
            f"试导入：可新增{result.inserted}条、更新{result.updated}条、跳过{result.skipped}条"
        )
    else:
        parts.append(f"已新增{result.inserted}条、更新{result.updated}条、跳过{result.skipped}条")
    return "；".join(parts)


def _issues_sheet(workbook: Workbook, result: ImportResult, full_ids: bool) -> None:
    ws = workbook.create_sheet(ISSUES_SHEET)
    for letter, width in zip("ABCDE", (8, 16, 24, 70, 8), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    title = text_cell(
        ws,
        f"导入检查报告：{result.file.name}（工作表“{result.sheet}”，"
        f"{get_ledger(result.ledger).title}）",
    )
    title.font = TITLE_FONT
    ws.append([title])
    ws.append([text_cell(ws, _summary(result))])
    ignored = "、".join(result.ignored_columns) or "无"
    masked = "" if full_ids or result.layout is None else f"；{MASKED_NOTE}"
    ws.append(
        [
            text_cell(
                ws,
                f"未识别（已忽略）的列：{ignored}；生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}"
                + masked,
            )
        ]
    )
    headers = []
    for label in ("行号", "列", "原值", "问题", "类别"):
        cell = text_cell(ws, label)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
        headers.append(cell)
    ws.append(headers)
    for issue in sorted(result.errors, key=lambda i: i.row) + sorted(
        result.warnings, key=lambda i: i.row
    ):
        level = text_cell(ws, LEVEL_NAMES[issue.level])
        if issue.level is Level.ERROR:
            level.font = ERROR_FONT
        ws.append(
            [
                issue.row,
                text_cell(ws, issue.column) if issue.column else None,
                text_cell(ws, issue.value, "@") if issue.value else None,
                text_cell(ws, issue.message),
                level,
            ]
        )
    ws.auto_filter.ref = f"A4:E{4 + len(result.errors) + len(result.warnings)}"


def _masker(kind: Kind) -> Any:
    def mask(value: Any) -> Any:
        if value is None or value == "":
            return value
        text = str(plain_value(value)).strip()
        return mask_id(text) if kind is Kind.ID_NUMBER else mask_phone(text)

    return mask


def _copy_sheet(workbook: Workbook, result: ImportResult, full_ids: bool) -> None:
    layout = result.layout
    assert layout is not None
    by_row: dict[int, list[RowIssue]] = defaultdict(list)
    for issue in (*result.errors, *result.warnings):
        by_row[issue.row].append(issue)
    column_of = {c.header: c.index for c in layout.columns}
    text_columns = {c.index for c in layout.columns if c.field.kind in (Kind.ID_NUMBER, Kind.PHONE)}
    maskers = (
        {}
        if full_ids
        else {
            c.index: _masker(c.field.kind)
            for c in layout.columns
            if c.field.kind in (Kind.ID_NUMBER, Kind.PHONE)
        }
    )
    source = open_source(result.file).sheet(result.sheet)
    problem_column = max(layout.width, *(c.index + 1 for c in layout.columns))

    ws = workbook.create_sheet(COPY_SHEET)
    for index in range(problem_column):
        ws.column_dimensions[get_column_letter(index + 1)].width = (
            20 if index in text_columns else 12
        )
    ws.column_dimensions[get_column_letter(problem_column + 1)].width = 60
    ws.freeze_panes = f"A{layout.data_start}"
    last = max(result.last_row, layout.header_rows[-1])
    comments = 0
    written = 0
    for number, cells in source.rows(fill_merged_from=layout.data_start):
        if number > last:
            break
        while written < number - 1:  # keep the clerk's row numbers
            ws.append([])
            written += 1
        is_data = number >= layout.data_start
        issues = by_row.get(number)
        if is_data and maskers:
            flagged = {column_of.get(i.column) for i in issues or ()}
            cells = [
                maskers[index](value) if index in maskers and index not in flagged else value
                for index, value in enumerate(cells)
            ]
        row = [
            copy_cell(ws, value, as_text=is_data and index in text_columns)
            for index, value in enumerate(cells)
        ]
        row.extend([None] * (problem_column - len(row)))
        if number == layout.header_rows[-1]:
            row.append(text_cell(ws, PROBLEM_HEADER))
        if issues:
            for issue in issues:
                at = column_of.get(issue.column)
                if at is None:
                    continue
                cell = row[at] = _as_cell(ws, row[at])
                if issue.level is Level.ERROR or cell.fill != ERROR_FILL:
                    cell.fill = ERROR_FILL if issue.level is Level.ERROR else WARNING_FILL
                if comments < MAX_COMMENTS:
                    cell.comment = Comment(issue.message, "鹤壁乡镇台账")
                    comments += 1
            row.append(
                text_cell(
                    ws,
                    "；".join(f"{LEVEL_NAMES[i.level]}：{i.message}" for i in issues),
                )
            )
        ws.append(row)
        written += 1


def _as_cell(ws: Any, value: Any) -> Any:
    """A cell object (to be coloured) for what :func:`copy_cell` returned."""
    if hasattr(value, "fill"):
        return value
    if isinstance(value, str):
        return text_cell(ws, value)
    return WriteOnlyCell(ws, value=value)
