"""The one-page "数据库恢复密钥" sheet: the recovery key on paper, with how to use it.

The office keeps this page like its seal. It names the unit and the date, shows the key
large enough to type back without error, and says in plain words when and how it is
used (another PC, Windows reinstalled, a backup opened elsewhere) and how to keep it.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from hebi_desktop.printing.fonts import chinese_family
from hebi_desktop.printing.pdf import check_pdf_target, paint_pdf
from hebi_desktop.services.encryption import mark_recovery_key_saved, recovery_key
from hebi_desktop.services.settings import UNIT_NAME

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

SHEET_TITLE = "数据库恢复密钥"


def sheet_html(unit: str, when: dt.date, key: str, location: str) -> str:
    """The sheet's content (also what a test reads back)."""
    groups = key.split("-")
    lines = ["-".join(groups[:4]), "-".join(groups[4:])]
    rows = "<br/>".join(html.escape(line) for line in lines)
    return f"""
<h1 align="center">{SHEET_TITLE}</h1>
<p>单位：{html.escape(unit)}<br/>日期：{when:%Y年%m月%d日}<br/>
数据库：{html.escape(location)}</p>
<p align="center" style="font-size:20pt; font-family:monospace"><b>{rows}</b></p>
<h3>什么时候需要它</h3>
<p>本程序的数据库和备份都是加密的，平时由这台电脑的 Windows 账户自动解锁，不用输入密码。
在下面的情况下，需要用本页的恢复密钥才能打开数据库或备份：</p>
<ul><li>换了电脑，或重装了 Windows；</li>
<li>在另一台电脑上打开备份文件或便携备份；</li>
<li>程序提示“这台电脑上没有它的密钥”。</li></ul>
<h3>怎么用</h3>
<ul><li>程序窗口：打开数据库时如果提示没有密钥，按提示输入上面的恢复密钥（短横线可输可不输）。</li>
<li>命令行：把恢复密钥抄到一个文本文件（如 恢复密钥.txt），运行
<br/>hebi-desktop --recovery-key-file 恢复密钥.txt --db 数据库或备份文件 stats</li>
<li>用过一次后，这台电脑会记住它，以后自动打开。</li></ul>
<h3>怎么保管</h3>
<p>请像保管公章一样锁在柜中，不要拍照、不要发到聊天软件。任何人拿到本页和数据库文件，
就能看到全部群众的个人信息。丢失本页而电脑也坏了，数据库将无法打开。</p>
"""


def write_recovery_sheet(book: Book, target: Path) -> Path:
    """Print the recovery sheet of ``book`` to the PDF ``target`` (a QGuiApplication must
    be running); marks the recovery key as saved, so the overview stops reminding."""
    target = Path(target)
    check_pdf_target(target)
    key = recovery_key(book)
    unit = book.settings.get(UNIT_NAME) or book.settings.township_code or "（未填写单位）"
    document = QTextDocument()
    font = document.defaultFont()
    font.setFamily(chinese_family())
    font.setPointSize(11)
    document.setDefaultFont(font)
    document.setHtml(sheet_html(unit, dt.date.today(), key, book.location))

    def paint(writer: QPdfWriter) -> int:
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(20, 20, 20, 20),
            )
        )
        document.print_(writer)
        return 1

    paint_pdf(target, SHEET_TITLE, paint)
    mark_recovery_key_saved(book)
    return target
