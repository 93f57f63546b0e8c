"""The two judges of the Wine check: translation completeness and compiler warnings.

The check itself (installer/check_windows_installer.sh) runs from .ci/run; these tests
show that its judges fail on what they must catch, without Wine.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_isl = _load("check_isl", ROOT / "installer" / "check_isl.py")
scenarios = _load("scenarios", ROOT / "installer" / "wine" / "scenarios.py")

DEFAULT = """\ufeff[LangOptions]
LanguageName=English
LanguageID=$0409
LanguageCodePage=0
[Messages]
SetupAppTitle=Setup
SetupAppRunningError=Setup has detected that %1 is currently running.
WelcomeLabel1=Welcome to the [name] Setup Wizard
[CustomMessages]
LaunchProgram=Launch %1
"""
CHINESE = """\ufeff[LangOptions]
LanguageName=简体中文
LanguageID=$0804
LanguageCodePage=936
[Messages]
SetupAppTitle=安装
SetupAppRunningError=安装程序检测到 %1 正在运行。
WelcomeLabel1=欢迎使用 [name] 安装向导
[CustomMessages]
LaunchProgram=运行 %1
"""


def _write(tmp_path: Path, default: str, chinese: str) -> tuple[Path, Path]:
    (tmp_path / "Default.isl").write_text(default, encoding="utf-8")
    (tmp_path / "ChineseSimplified.isl").write_text(chinese, encoding="utf-8")
    return tmp_path / "Default.isl", tmp_path / "ChineseSimplified.isl"


def test_complete_translation_passes(tmp_path: Path) -> None:
    assert check_isl.problems(*_write(tmp_path, DEFAULT, CHINESE)) == []


def test_missing_unknown_and_broken_entries_fail(tmp_path: Path) -> None:
    chinese = (
        CHINESE.replace("LaunchProgram=运行 %1\n", "")
        .replace("欢迎使用 [name]", "欢迎使用")
        .replace("SetupAppTitle=安装\n", "SetupAppTitle=安装\nOldMessage=旧\n")
        .replace("LanguageID=$0804", "LanguageID=$0409")
    )
    found = check_isl.problems(*_write(tmp_path, DEFAULT, chinese))
    assert "[CustomMessages] LaunchProgram: not translated" in found
    assert "[Messages] WelcomeLabel1: placeholders differ from Default.isl" in found
    assert "[Messages] OldMessage: unknown to Default.isl" in found
    assert "[LangOptions] LanguageID: $0409 (expected $0804)" in found


def test_missing_translation_file_fails(tmp_path: Path) -> None:
    default, chinese = _write(tmp_path, DEFAULT, CHINESE)
    chinese.unlink()
    assert check_isl.main(["check_isl.py", str(default), str(chinese)]) == 1


def test_shipped_translation_is_chinese_and_names_the_program(tmp_path: Path) -> None:
    """The messages a clerk meets when the program runs name it (%1)."""
    sections = check_isl.parse_isl(ROOT / "installer" / "ChineseSimplified.isl")
    assert sections["LangOptions"]["LanguageID"] == "$0804"
    for key in ("SetupAppRunningError", "UninstallAppRunningError", "ConfirmUninstall"):
        assert "%1" in sections["Messages"][key]
    assert len(sections["Messages"]) + len(sections["CustomMessages"]) >= 278


def test_compiler_warnings_are_found() -> None:
    output = (
        "   Compressing Setup program executable\r\n"
        "   Compressing: Z:\\b\\_internal-0.1.0\\errors\\warnings.py\r\n"
        '\r\nWarning: A message named "ButtonNo" has not been defined for the '
        '"chinesesimplified" language. Will use the English message from Default.isl.\r\n'
        "Successful compile (4.900 sec).\r\n"
    )
    found = scenarios.compiler_problems(output)
    assert len(found) == 1 and "ButtonNo" in found[0]
    assert scenarios.compiler_problems("Successful compile (1.0 sec).\r\n") == []
