"""Choosing a Chinese font that is installed, so a printed form never shows empty boxes."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

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
