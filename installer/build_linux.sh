#!/usr/bin/env bash
# Build the Linux one-folder bundle of hebi-desktop and check it.
#
#   installer/build_linux.sh
#
# Uses the current Python (override with PYTHON=...). When PyInstaller or a runtime
# dependency is missing it runs the documented install first, at the pinned versions:
#
#   python3 -m pip install -c installer/constraints.txt ".[installer]"
#
# (PIN=1 runs that install even when everything is there, for a reproducible build.)
#
# Environment:
#   PYTHON          interpreter to build with (default: python3)
#   DIST_DIR        where the bundle goes (default: dist); the bundle is DIST_DIR/hebi-desktop
#   WORK_DIR        PyInstaller's work folder (default: build/pyinstaller)
#   SKIP_SELF_TEST  set to 1 to skip the bundle's check (installer/check_bundle.py folder:
#                   --self-test, an encrypted database, sqlcipher3's extension inside)
#
# Result: DIST_DIR/hebi-desktop/ with the executable hebi-desktop, a desktop entry
# hebi-desktop.desktop and the icon hebi-desktop.png next to it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
WORK_DIR="${WORK_DIR:-$ROOT/build/pyinstaller}"
APP_NAME="hebi-desktop"
BUNDLE="$DIST_DIR/$APP_NAME"

VERSION="$(sed -n 's/^__version__ *= *["'\'']\([^"'\'']*\)["'\''].*/\1/p' hebi_desktop/__init__.py)"
APP_TITLE="$(sed -n 's/^APP_TITLE *= *["'\'']\([^"'\'']*\)["'\''].*/\1/p' hebi_desktop/__init__.py)"
if [[ -z "$VERSION" || -z "$APP_TITLE" ]]; then
    echo "cannot read __version__ / APP_TITLE from hebi_desktop/__init__.py" >&2
    exit 1
fi
echo "==> building $APP_NAME $VERSION with $("$PYTHON" --version 2>&1)"

needed_modules="PyInstaller, PySide6.QtSvg, sqlalchemy, alembic, openpyxl, python_calamine"
needed_modules="$needed_modules, stdnum, platformdirs"
if [[ "${PIN:-0}" == 1 ]] || ! "$PYTHON" -c "import $needed_modules" 2>/dev/null; then
    echo "==> installing the project with its pinned build tools (installer/constraints.txt)"
    "$PYTHON" -m pip install -c installer/constraints.txt ".[installer]"
fi

echo "==> running PyInstaller (work folder: $WORK_DIR)"
mkdir -p "$DIST_DIR" "$WORK_DIR"
"$PYTHON" -m PyInstaller \
    --noconfirm \
    --log-level "${PYINSTALLER_LOG_LEVEL:-WARN}" \
    --distpath "$DIST_DIR" \
    --workpath "$WORK_DIR" \
    installer/hebi-desktop.spec

if [[ ! -x "$BUNDLE/$APP_NAME" ]]; then
    echo "PyInstaller did not produce $BUNDLE/$APP_NAME" >&2
    exit 1
fi

# Desktop entry. Exec and Icon must be absolute, so they point at the bundle where it
# was built; after moving the folder, build again or edit those two lines.
cp resources/icons/app-256.png "$BUNDLE/$APP_NAME.png"
"$PYTHON" - "$BUNDLE" "$APP_NAME" "$APP_TITLE" <<'PY'
import sys
from pathlib import Path

bundle, app_name, title = Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3]
executable = str(bundle / app_name)
# Desktop Entry Specification: quote the program, escape  " ` $ \  inside the quotes,
# then apply the string-value escape for backslashes; a literal % is written %%.
quoted = "".join("\\" + ch if ch in '"`$\\' else ch for ch in executable)
quoted = quoted.replace("\\", "\\\\").replace("%", "%%")
lines = [
    "[Desktop Entry]",
    "Type=Application",
    "Version=1.5",
    f"Name={title}",
    "Comment=住房安全、农村供水维修养护、教育资助台账录入",
    f'Exec="{quoted}"',
    f"Icon={bundle / (app_name + '.png')}",
    "Terminal=false",
    "Categories=Office;",
]
(bundle / f"{app_name}.desktop").write_text("\n".join(lines) + "\n", encoding="utf-8")
PY
chmod +x "$BUNDLE/$APP_NAME.desktop"

if [[ "${SKIP_SELF_TEST:-0}" != "1" ]]; then
    echo "==> self-test of the bundle, on an encrypted database, and its cipher library"
    # Throw-away data and key folders, so the check never touches the user's own.
    "$PYTHON" installer/check_bundle.py folder "$BUNDLE"
fi

echo "==> bundle: $BUNDLE"
du -sh "$BUNDLE"
