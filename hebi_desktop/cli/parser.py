"""argparse in Chinese: help texts, section titles and error messages a clerk can read."""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

_ERROR_TRANSLATIONS = (
    (re.compile(r"the following arguments are required: (.+)"), r"缺少必需的参数：\1"),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), r"参数 \1：“\2”不是整数"),
    (
        re.compile(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.+)\)"),
        r"参数 \1：“\2”不是可选值（可选：\3）",
    ),
    (re.compile(r"argument (\S+): expected one argument"), r"参数 \1 后面缺少值"),
    (re.compile(r"unrecognized arguments: (.+)"), r"无法识别的参数：\1"),
    (re.compile(r"argument (\S+): (.+)"), r"参数 \1：\2"),
)


def translate_error(message: str) -> str:
    for pattern, replacement in _ERROR_TRANSLATIONS:
        if pattern.search(message):
            return pattern.sub(replacement, message)
    return message


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        # argparse passes prefix="" when it builds a subcommand's prog from the usage line
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (usage, sections, errors) are Chinese."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出"
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"错误：{translate_error(message)}\n")
