"""``hebi-desktop restore`` into a server database (PostgreSQL).

A server is not a file that can be swapped: the backup's tables are copied into it in
one transaction, after its current contents were saved as a portable backup.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hebi_desktop.cli.common import open_book, out
from hebi_desktop.paths import backups_dir
from hebi_desktop.services.transfer import restore_into


def restore_to_server(args: argparse.Namespace, source: Path) -> int:
    with open_book(args) as book:
        kept = restore_into(book, source, backups_dir())
        out(f"原数据库内容已保留在：{kept}")
        out(f"已从“{source}”恢复到：{book.location}")
        counts = book.count_all()
    out("恢复后记录数：" + "，".join(f"{k} {v} 条" for k, v in counts.items()))
    return 0
