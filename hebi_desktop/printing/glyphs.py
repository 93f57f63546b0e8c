"""Finding, before anything is printed, the records with a character no installed font has.

Such a character would come out of the printer as an empty box on signed paper; the clerk
is warned first, with the records named (序号 on the form and 记录编号), so the name can
be checked or a font installed. Names are not repeated: the row numbers are enough to
find them, and a warning must not copy personal data around.
"""

from __future__ import annotations

from dataclasses import dataclass

from hebi_desktop.printing.content import Document
from hebi_desktop.printing.fonts import families, missing_characters

MAX_LISTED = 20  # records named in one warning; the rest are counted


@dataclass(frozen=True)
class Unprintable:
    number: str  # 序号 printed on the form
    record_id: int | None
    characters: tuple[str, ...]

    def text(self) -> str:
        chars = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in self.characters)
        where = f"序号{self.number}" + (
            f"（记录编号{self.record_id}）" if self.record_id is not None else ""
        )
        return f"{where}：{chars}"


def unprintable_rows(document: Document, chain: list[str] | None = None) -> list[Unprintable]:
    """The rows of ``document`` holding characters that no font of ``chain`` (by default
    the chain printing uses) can show. Needs a running QGuiApplication."""
    chain = chain or families()
    missing = set(missing_characters((cell for row in document.rows for cell in row), chain))
    if not missing:
        return []
    found = []
    for index, row in enumerate(document.rows):
        chars = sorted({ch for cell in row for ch in cell if ch in missing})
        if chars:
            record = document.record_ids[index] if index < len(document.record_ids) else None
            found.append(Unprintable(row[0], record, tuple(chars)))
    return found


def warning_text(rows: list[Unprintable]) -> str:
    """The warning shown before printing (empty when there is nothing to warn about)."""
    if not rows:
        return ""
    listed = "；".join(r.text() for r in rows[:MAX_LISTED])
    more = f"；另有{len(rows) - MAX_LISTED}条" if len(rows) > MAX_LISTED else ""
    return (
        f"有{len(rows)}条记录含有本机字体中没有的字，印出来会是空框：{listed}{more}。"
        "请核实这些字是否录入有误，或安装能显示它们的字体（Windows 自带 SimSun-ExtB；"
        "Linux 可安装 fonts-hanazono）后再打印"
    )
