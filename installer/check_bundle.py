"""Check that a bundle carries the cipher library and that its self-test runs encrypted.

    python3 installer/check_bundle.py folder dist/hebi-desktop
    python3 installer/check_bundle.py windows-wheels

``folder`` checks a built one-folder bundle (Linux, or Windows with hebi-desktop-cli.exe):
sqlcipher3's compiled extension is inside and holds SQLCipher itself; the bundled program
makes a database whose file does not start with SQLite's plain header, opens it again,
and refuses it with a Chinese message when the key store is empty; ``--self-test``
passes (it works on an encrypted database and checks that too). All in throw-away
folders, never the user's data or keys.

``windows-wheels`` checks what the Windows build installs, without Windows: it downloads
the sqlcipher3 wheels pinned in installer/constraints.txt for win_amd64 (the Python
versions below), and fails unless each holds the compiled extension with SQLCipher and
OpenSSL's crypto linked in (no separate DLL that the wheel does not ship), and unless
the spec's hidden imports name that extension module.

Both fail with exit code 1 and a line per problem. build_linux.sh runs ``folder``, the
Wine check (check_windows_installer.sh) runs both.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "installer" / "constraints.txt"
SPEC = ROOT / "installer" / "hebi-desktop.spec"
APP_NAME = "hebi-desktop"
CIPHER_PACKAGE = "sqlcipher3"
# The Windows workflow builds with 3.11; the issue checked 3.12 too.
WINDOWS_PYTHONS = ("3.11", "3.12")
PLAIN_HEADER = b"SQLite format 3\x00"
SELF_TEST_SUCCESS = "自检通过"
# The SQL function SQLCipher adds (only its code has it) and OpenSSL's version banner.
SQLCIPHER_MARK = b"sqlcipher_export"
OPENSSL_MARK = re.compile(rb"OpenSSL \d+\.\d+\.\d+")
# A crypto or SQLite library loaded from a DLL of its own, which the wheel would have to ship.
SEPARATE_LIBRARY = re.compile(rb"(?:lib)?(?:crypto|ssl|sqlcipher|sqlite3)[\w.-]*\.dll", re.I)
STEP_TIMEOUT_S = 600


def cipher_problems(name: str, binary: bytes, *, windows: bool) -> list[str]:
    """What keeps ``binary`` (sqlcipher3's extension) from carrying the cipher library."""
    problems = []
    if SQLCIPHER_MARK not in binary:
        problems.append(f"{name}: no SQLCipher inside (no {SQLCIPHER_MARK.decode()})")
    if windows:
        if not OPENSSL_MARK.search(binary):
            problems.append(f"{name}: OpenSSL's crypto is not linked in")
        separate = sorted({m.group().decode().lower() for m in SEPARATE_LIBRARY.finditer(binary)})
        if separate:
            problems.append(f"{name}: needs {', '.join(separate)}, which it does not carry")
    return problems


# --- the built bundle ---------------------------------------------------------------------


def _program(bundle: Path) -> Path:
    """The console program: hebi-desktop-cli.exe on Windows, hebi-desktop elsewhere."""
    console = bundle / f"{APP_NAME}-cli.exe"
    return console if console.is_file() else bundle / APP_NAME


def _run(program: Path, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [str(program), *args],
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=STEP_TIMEOUT_S,
    )
    return done.returncode, done.stdout + done.stderr


def bundle_problems(bundle: Path) -> list[str]:
    """Everything wrong with the cipher side of ``bundle``; prints the self-test's line."""
    extensions = sorted(bundle.glob(f"_internal-*/{CIPHER_PACKAGE}/_sqlite3*"))
    if not extensions:
        return [f"{bundle}: no {CIPHER_PACKAGE} extension in _internal-*/{CIPHER_PACKAGE}/"]
    problems = []
    for extension in extensions:
        windows = extension.suffix == ".pyd"
        problems += cipher_problems(extension.name, extension.read_bytes(), windows=windows)

    program = _program(bundle)
    with tempfile.TemporaryDirectory(prefix="hebi-bundle-check-") as name:
        scratch = Path(name)
        env = {
            **os.environ,
            "HEBI_DESKTOP_DATA_DIR": str(scratch / "data"),
            "HEBI_DESKTOP_KEY_DIR": str(scratch / "keys"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONUTF8": "1",  # a Windows runner's code page is not Chinese
        }
        env.pop("HEBI_DESKTOP_DB", None)
        database = scratch / "check.sqlite"
        status, output = _run(program, ["--db", str(database), "--create", "stats"], env)
        if status != 0:
            return [*problems, f"making a database failed ({status}):\n{output[-2000:]}"]
        header = database.read_bytes()[: len(PLAIN_HEADER)]
        if header == PLAIN_HEADER:
            problems.append("the bundle made a plain (unencrypted) SQLite database")
        status, output = _run(program, ["--db", str(database), "stats"], env)
        if status != 0:
            problems.append(f"the bundle cannot open its own database ({status}): {output}")
        status, output = _run(
            program,
            ["--db", str(database), "stats"],
            {**env, "HEBI_DESKTOP_KEY_DIR": str(scratch / "another-pc")},
        )
        if status != 1 or "恢复密钥" not in output:
            problems.append(f"without its key the database was not refused ({status}): {output}")

        status, output = _run(program, ["--self-test"], env)
        print(output.strip())
        passed = any(line.startswith(SELF_TEST_SUCCESS) for line in output.splitlines())
        if status != 0 or not passed:
            problems.append(f"--self-test failed ({status})")
        elif "加密数据库" not in output:
            problems.append("--self-test did not run on an encrypted database")
    return problems


# --- the Windows wheels -------------------------------------------------------------------


def pinned_version(package: str, constraints: Path = CONSTRAINTS) -> str | None:
    pattern = re.compile(rf"^{re.escape(package)}==([^\s;#]+)", re.I | re.M)
    match = pattern.search(constraints.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def spec_hidden_imports(spec: Path = SPEC) -> set[str]:
    """The module names the spec lists in ``hiddenimports = [...]`` / ``+= [...]``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(spec.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "hiddenimports" for t in targets):
                for item in ast.walk(node.value):
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        names.add(item.value)
    return names


def wheel_problems(wheel: Path, hidden_imports: set[str]) -> list[str]:
    """Whether one Windows wheel carries the cipher library the spec bundles by name."""
    with zipfile.ZipFile(wheel) as archive:
        extensions = [
            member
            for member in archive.namelist()
            if member.startswith(f"{CIPHER_PACKAGE}/") and member.endswith(".pyd")
        ]
        if not extensions:
            return [f"{wheel.name}: no compiled extension (.pyd) in {CIPHER_PACKAGE}/"]
        problems = []
        for member in extensions:
            problems += cipher_problems(member, archive.read(member), windows=True)
            module = member.split(".", 1)[0].replace("/", ".")
            if module not in hidden_imports:
                problems.append(f"installer/hebi-desktop.spec: hiddenimports lacks {module}")
    return problems


def windows_wheel_problems() -> list[str]:
    version = pinned_version(CIPHER_PACKAGE)
    if version is None:
        return [f"installer/constraints.txt does not pin {CIPHER_PACKAGE}"]
    hidden_imports = spec_hidden_imports()
    problems = []
    with tempfile.TemporaryDirectory(prefix="hebi-wheels-") as name:
        for python in WINDOWS_PYTHONS:
            folder = Path(name) / python
            command = [
                sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--only-binary=:all:", "--platform", "win_amd64", "--python-version", python,
                "--dest", str(folder), f"{CIPHER_PACKAGE}=={version}",
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
            wheels = sorted(folder.glob("*.whl")) if done.returncode == 0 else []
            if not wheels:
                problems.append(
                    f"no win_amd64 wheel of {CIPHER_PACKAGE}=={version} for Python {python}: "
                    f"{done.stderr.strip()[-500:]}"
                )
            for wheel in wheels:
                found = wheel_problems(wheel, hidden_imports)
                problems += found
                if not found:
                    print(f"{wheel.name}: carries SQLCipher and OpenSSL; the spec names it")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("folder").add_argument("bundle", type=Path)
    commands.add_parser("windows-wheels")
    args = parser.parse_args(argv)
    if args.command == "folder":
        problems = bundle_problems(args.bundle)
    else:
        problems = windows_wheel_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
