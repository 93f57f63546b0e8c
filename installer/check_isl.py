"""Compare installer/ChineseSimplified.isl with the Default.isl of the pinned Inno Setup.

    python3 installer/check_isl.py PATH/TO/Default.isl [installer/ChineseSimplified.isl]

Inno Setup falls back to English, entry by entry, for whatever a messages file does not
define, so a translation that lags behind the compiler shows clerks a half-English wizard.
This script fails (exit code 1) when an entry of Default.isl is missing from the
translation, when the translation has an entry Default.isl does not know, when the
placeholders (%1, [name], ...) of an entry differ, or when [LangOptions] lacks the three
entries that make it Simplified Chinese. The Wine check runs it before compiling.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SECTIONS = ("Messages", "CustomMessages")
REQUIRED_OPTIONS = {"LanguageName": None, "LanguageID": "$0804", "LanguageCodePage": None}
# %1..%9 and the wizard's [name], [name/ver], [mb], [gb] constants.
PLACEHOLDER = re.compile(r"%[1-9]|\[(?:name|name/ver|mb|gb|kb)\]")


def parse_isl(path: Path) -> dict[str, dict[str, str]]:
    """Sections of an .isl file as {section: {key: value}}; comments are skipped."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        if current is not None and "=" in line:
            key, value = line.split("=", 1)
            current[key.strip()] = value
    return sections


def problems(default: Path, translation: Path) -> list[str]:
    """Everything that keeps ``translation`` from being complete for ``default``."""
    if not translation.is_file():
        return [f"{translation.name} is missing"]
    english, chinese = parse_isl(default), parse_isl(translation)
    found: list[str] = []
    for section in SECTIONS:
        want, have = english.get(section, {}), chinese.get(section, {})
        found += [f"[{section}] {key}: not translated" for key in want if key not in have]
        found += [f"[{section}] {key}: unknown to Default.isl" for key in have if key not in want]
        for key in want.keys() & have.keys():
            if sorted(PLACEHOLDER.findall(want[key])) != sorted(PLACEHOLDER.findall(have[key])):
                found.append(f"[{section}] {key}: placeholders differ from Default.isl")
    options = chinese.get("LangOptions", {})
    for key, expected in REQUIRED_OPTIONS.items():
        if key not in options:
            found.append(f"[LangOptions] {key}: missing")
        elif expected is not None and options[key] != expected:
            found.append(f"[LangOptions] {key}: {options[key]} (expected {expected})")
    return found


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    default = Path(argv[1])
    translation = (
        Path(argv[2]) if len(argv) == 3 else Path(__file__).with_name("ChineseSimplified.isl")
    )
    found = problems(default, translation)
    for problem in found:
        print(f"{translation.name}: {problem}", file=sys.stderr)
    if not found:
        count = sum(len(parse_isl(default).get(section, {})) for section in SECTIONS)
        print(f"{translation.name}: all {count} entries of {default.name} translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
