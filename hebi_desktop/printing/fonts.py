"""Choosing a Chinese font that is installed, so a printed form never shows empty boxes.

A name may hold a rare character outside the basic CJK block (Extension B and beyond:
𠮷, 𡃁), which the office fonts lack: SimSun has no Extension B, Windows ships it in a
separate font, SimSun-ExtB. So the printed text uses a chain of families, the chosen
font first and then the installed fonts that cover the extensions; Qt picks the first
family of the chain that has each character. A character no font of the chain has is
found before printing (:func:`missing_characters`), so the clerk is warned.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

from hebi_desktop.errors import UserError

# Office fonts first (what a township's Windows PC has), then the free families a Linux
# desktop installs through fontconfig.
PREFERRED_FAMILIES = (
    "SimSun",
    "宋体",
    "NSimSun",
    "新宋体",
    "SimHei",
    "黑体",
    "Microsoft YaHei",
    "微软雅黑",
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "Source Han Sans SC",
    "思源宋体",
    "思源黑体",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "AR PL SungtiL GB",
)

# Fonts covering CJK Extension B and beyond, tried after the chosen font, per character:
# Windows' own (SimSun-ExtB, MingLiU-ExtB), then free fonts a Linux desktop may have
# (Noto CJK covers the Extension B characters of names in the national standard; Debian's
# fonts-hanazono, HanaMinB, covers Extensions B–F whole).
EXTENSION_FAMILIES = (
    "SimSun-ExtB",
    "MingLiU-ExtB",
    "PMingLiU-ExtB",
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "Source Han Sans SC",
    "HanaMinB",
    "HanaMinA",
    "BabelStone Han",
    "TW-Sung-Plus",
    "TW-Kai-Plus",
)

CHARACTERS_STEP = 5000  # cells joined at once when looking for missing characters
NO_FONT_MESSAGE = (
    "本机没有可用的中文字体，无法生成打印文件（否则汉字会印成方框）。"
    "请安装宋体、黑体、微软雅黑或 Noto CJK 等中文字体后重试"
)


def chinese_family() -> str:
    """The family to print with; a Chinese :class:`UserError` when there is none.

    Needs a running QGuiApplication (the font database belongs to it).
    """
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    available = set(families)
    for name in PREFERRED_FAMILIES:
        if name in available:
            return name
    if families:
        return families[0]
    raise UserError(NO_FONT_MESSAGE)


def families() -> list[str]:
    """The chain to print with: :func:`chinese_family` first, then every installed font of
    :data:`EXTENSION_FAMILIES` (for the characters the first one lacks)."""
    first = chinese_family()
    installed = set(QFontDatabase.families())
    return [first, *(name for name in EXTENSION_FAMILIES if name in installed and name != first)]


def chained(chain: list[str]) -> QFont:
    """A font that takes each character from the first family of ``chain`` that has it."""
    font = QFont(chain[0])
    font.setFamilies(chain)
    return font


def missing_characters(text: Iterable[str], chain: list[str]) -> list[str]:
    """The characters of ``text`` that no family of ``chain`` can show, in order."""
    fonts = [QRawFont.fromFont(QFont(name)) for name in chain]
    missing: dict[str, None] = {}
    seen: set[str] = set()
    cells = iter(text)
    # A piece at a time: one set() of a whole ledger's text would hold the interpreter
    # for tenths of a second while the window waits (the preview reads on a worker).
    while piece := list(islice(cells, CHARACTERS_STEP)):
        seen.update("".join(piece))
    for ch in seen:
        if ch.isspace() or ord(ch) < 0x2E80:
            continue  # Latin, digits and punctuation: every font has them
        if not any(raw.supportsCharacter(ord(ch)) for raw in fonts):
            missing[ch] = None
    return sorted(missing)
