"""The installer's scenarios under Wine; run by installer/check_windows_installer.sh.

That script installs Wine and the compiler and sets the environment (a throw-away
WINEPREFIX, HOME and locale in its temporary folder); this one compiles the setups and
checks what a clerk would see on a Windows 10 PC:

1. a silent install goes to %LOCALAPPDATA%\\Programs\\hebi-desktop with the Start-menu
   shortcut and one uninstall entry under HKCU (none under HKLM, nothing in Program Files);
2. a silent uninstall removes the install folder and keeps the user's database;
3. while the program runs (holds its mutex) a silent upgrade and a silent uninstall both
   stop without changing a file of the install folder;
4. once it is closed, version N+1 installs over N into the folder N was installed in,
   leaving one uninstall entry that records N+1 and no library folder of N;
5. the final uninstall removes everything but the user's data.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ID_KEY = "{A3921E9B-7C4B-4FC3-BD14-EAD6011729A7}_is1"
APP_NAME = "鹤壁乡镇台账"
UNINSTALL = r"Software\Microsoft\Windows\CurrentVersion\Uninstall"
SILENT = ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"]
CONSOLE_ENCODING = "gbk"  # Wine's console code page in the zh_CN locale (936)


class CheckFailed(Exception):
    """A scenario did not behave as a clerk would need."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def app_version() -> str:
    text = (ROOT / "hebi_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    assert match
    return match.group(1)


def next_version(version: str) -> str:
    """0.1.0 -> 0.1.1: the "new release" the upgrade installs."""
    parts = version.split(".")
    return ".".join([*parts[:-1], str(int(parts[-1]) + 1)])


def windows_path(path: Path) -> str:
    """Wine maps the Unix root to drive Z:."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def wine(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["wine", *args],
        capture_output=True,
        encoding=CONSOLE_ENCODING,
        errors="replace",
        timeout=timeout,
    )


def wait_for_wine() -> None:
    """Until every Windows process of the prefix has ended."""
    subprocess.run(["wineserver", "-w"], timeout=300, check=False)


class Prefix:
    """The throw-away Windows 10 installation."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self) -> None:
        subprocess.run(["wineboot", "-i"], capture_output=True, timeout=600, check=True)
        subprocess.run(["winecfg", "-v", "win10"], capture_output=True, timeout=300, check=True)
        wait_for_wine()
        users = [p for p in (self.path / "drive_c" / "users").iterdir() if p.name != "Public"]
        expect(len(users) == 1, f"expected one user profile, found {users}")
        self.profile = users[0]
        version = wine("reg", "query", r"HKLM\Software\Microsoft\Windows NT\CurrentVersion")
        expect(re.search(r"CurrentVersion\s+REG_SZ\s+10\.0", version.stdout), "not Windows 10")

    @property
    def local_appdata(self) -> Path:
        return self.profile / "AppData" / "Local"

    @property
    def start_menu_shortcut(self) -> Path:
        programs = self.profile / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs"
        return programs / APP_NAME / f"{APP_NAME}.lnk"

    def program_files(self) -> set[str]:
        found = set()
        for name in ("Program Files", "Program Files (x86)"):
            folder = self.path / "drive_c" / name
            found |= {str(p.relative_to(folder.parent)) for p in folder.rglob("*")}
        return found

    def unix_path(self, windows: str) -> Path:
        """C:\\users\\... -> the file in the prefix."""
        drive, rest = windows[0].lower(), windows[3:].replace("\\", "/")
        expect(drive == "c", f"unexpected drive in {windows}")
        return self.path / "drive_c" / rest

    def c_drive_path(self, path: Path) -> str:
        """The file in the prefix -> C:\\users\\..."""
        return "C:\\" + str(path.relative_to(self.path / "drive_c")).replace("/", "\\")

    def uninstall_entries(self) -> dict[str, dict[str, str]]:
        """Every uninstall entry naming the program, by registry key, in any hive or view."""
        entries = {}
        wow64 = UNINSTALL.replace("Software\\", "Software\\WOW6432Node\\", 1)
        for base in (f"HKCU\\{UNINSTALL}", f"HKLM\\{UNINSTALL}", f"HKLM\\{wow64}"):
            for key, values in parse_reg_query(wine("reg", "query", base, "/s").stdout).items():
                if key.endswith(APP_ID_KEY) or values.get("DisplayName") == APP_NAME:
                    entries[key] = values
        return entries


def parse_reg_query(output: str) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in output.splitlines():
        if line.startswith("HKEY_"):
            current = keys.setdefault(line.strip(), {})
        elif current is not None and line.startswith("    "):
            parts = re.split(r"\s{4}", line.strip(), maxsplit=2)
            if len(parts) == 3:
                current[parts[0]] = parts[2]
            elif len(parts) == 2:
                current[parts[0]] = ""
    return keys


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def compiler_problems(output: str) -> list[str]:
    """The warning and error lines of ISCC's output (it exits 0 after warnings)."""
    return [
        line.strip()
        for line in output.splitlines()
        if re.match(r"\s*(warning|error)\b", line, re.I)
    ]


def file_version(executable: Path) -> tuple[int, int, int, int]:
    """FileVersion of the first VS_FIXEDFILEINFO in a Windows executable."""
    data = executable.read_bytes()
    at = data.find(struct.pack("<I", 0xFEEF04BD))
    expect(at >= 0, f"{executable.name} carries no version information")
    most, least = struct.unpack_from("<II", data, at + 8)
    return most >> 16, most & 0xFFFF, least >> 16, least & 0xFFFF


class Check:
    def __init__(self, args: argparse.Namespace) -> None:
        self.tmp: Path = args.tmp
        self.bundle: Path = args.bundle
        self.iscc: Path = args.iscc / "ISCC.exe"
        self.default_isl: Path = args.iscc / "Default.isl"
        self.stand_in: Path = args.stand_in
        self.prefix = Prefix(Path(os.environ["WINEPREFIX"]))
        self.version = app_version()
        self.next = next_version(self.version)
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        print(f"    [{time.monotonic() - self.started:5.0f}s] {text}", flush=True)

    # --- building ------------------------------------------------------------------

    def stage(self, version: str) -> Path:
        """The Linux bundle's libraries laid out as the Windows bundle of ``version``."""
        contents = self.bundle / f"_internal-{self.version}"
        expect(contents.is_dir(), f"{contents} is missing: the spec must name it so")
        stage = self.tmp / f"stage-{version}"
        shutil.copytree(contents, stage / f"_internal-{version}", copy_function=os.link)
        for name in ("hebi-desktop.exe", "hebi-desktop-cli.exe"):
            shutil.copy2(self.stand_in, stage / name)
        return stage

    def compile_setups(self) -> dict[str, Path]:
        """Both setups at once (two cores); fails on any error or warning of ISCC."""
        out = self.tmp / "setups"
        out.mkdir()
        script = windows_path(ROOT / "installer" / "hebi-desktop.iss")
        running = {}
        for version in (self.version, self.next):
            command = [
                "wine", str(self.iscc), f"/DAppVersion={version}",
                f"/DBundleDir={windows_path(self.stage(version))}",
                f"/DOutputDir={windows_path(out)}", script,
            ]  # fmt: skip
            log = (self.tmp / f"iscc-{version}.log").open("w+b")
            running[version] = (subprocess.Popen(command, stdout=log, stderr=log), log)
        setups = {}
        for version, (process, log) in running.items():
            code = process.wait(timeout=1200)
            log.seek(0)
            text = log.read().decode(CONSOLE_ENCODING, errors="replace")
            log.close()
            problems = compiler_problems(text)
            if code != 0 or problems:
                print(text[-4000:], file=sys.stderr)
                raise CheckFailed(f"ISCC for {version}: exit code {code}; {problems}")
            setups[version] = out / f"hebi-desktop-setup-{version}.exe"
            expect(setups[version].is_file(), f"no setup for {version}")
            numbers = tuple(int(n) for n in version.split("."))
            numbers += (0,) * (4 - len(numbers))
            found = file_version(setups[version])
            expect(found == numbers, f"setup {version} says FileVersion {found}")
        self.say(f"compiled setups {self.version} and {self.next} without warnings")
        return setups

    # --- running ---------------------------------------------------------------------

    def run_setup(self, setup: Path, *extra: str) -> int:
        log = self.tmp / f"setup-{time.monotonic_ns()}.log"
        done = wine(str(setup), *SILENT, f"/LOG={windows_path(log)}", *extra)
        self.last_log = (
            log.read_text(encoding="utf-8-sig", errors="replace") if log.exists() else ""
        )
        return done.returncode

    def uninstaller(self) -> Path:
        (values,) = self.prefix.uninstall_entries().values()
        command = values["QuietUninstallString"]
        return self.prefix.unix_path(command.split('"')[1])

    def run_uninstaller(self) -> int:
        """The uninstaller copies itself to %TEMP% and waits for that copy to finish."""
        log = self.tmp / f"uninstall-{time.monotonic_ns()}.log"
        done = wine(str(self.uninstaller()), *SILENT, f"/LOG={windows_path(log)}")
        self.last_log = (
            log.read_text(encoding="utf-8-sig", errors="replace") if log.exists() else ""
        )
        return done.returncode

    def assert_installed(self, app: Path, version: str) -> None:
        for name in ("hebi-desktop.exe", "hebi-desktop-cli.exe"):
            expect((app / name).is_file(), f"{name} is not in {app}")
        staged = snapshot(self.tmp / f"stage-{version}" / f"_internal-{version}")
        installed = snapshot(app / f"_internal-{version}")
        expect(staged.keys() == installed.keys(), f"_internal-{version} is incomplete in {app}")
        entries = self.prefix.uninstall_entries()
        expect(len(entries) == 1, f"expected one uninstall entry, found {list(entries)}")
        ((key, values),) = entries.items()
        expect(key.startswith("HKEY_CURRENT_USER\\"), f"uninstall entry outside HKCU: {key}")
        expect(values.get("DisplayVersion") == version, f"recorded version {values}")
        location = values.get("InstallLocation", "").rstrip("\\")
        expect(self.prefix.unix_path(location) == app, f"recorded folder {location}")
        expect(values.get("Inno Setup: Language") == "chinesesimplified", "wizard not Chinese")

    def run(self) -> None:
        self.prefix.create()
        self.say("Windows 10 prefix with a zh_CN locale ready")
        setups = self.compile_setups()
        old, new = setups[self.version], setups[self.next]
        programs = self.prefix.local_appdata / "Programs"
        default_app = programs / "hebi-desktop"
        data = self.prefix.local_appdata / "hebi-desktop"
        database = data / "hebi-desktop.sqlite"

        # 1. silent install, default folder
        before = self.prefix.program_files()
        expect(self.run_setup(old) == 0, f"install failed:\n{self.last_log}")
        wait_for_wine()
        self.assert_installed(default_app, self.version)
        expect(self.prefix.program_files() == before, "setup wrote into Program Files")
        expect(self.prefix.start_menu_shortcut.is_file(), "no Start-menu shortcut")
        self.say("1. install: per user, HKCU entry only, Start-menu shortcut")

        # 2. silent uninstall keeps the user's data
        data.mkdir(parents=True, exist_ok=True)
        database.write_bytes(b"SQLite format 3\x00 planted by the check")
        expect(self.run_uninstaller() == 0, f"uninstall failed:\n{self.last_log}")
        wait_for_wine()
        expect(not default_app.exists(), f"{default_app} is left after uninstalling")
        expect(not self.prefix.uninstall_entries(), "uninstall entry left behind")
        expect(not self.prefix.start_menu_shortcut.exists(), "Start-menu shortcut left")
        expect(database.read_bytes().endswith(b"planted by the check"), "database lost")
        self.say("2. uninstall: install folder gone, database kept")

        # 3. N into a folder of the clerk's choosing; upgrade and uninstall refused while
        #    the program runs
        chosen = programs / "鹤壁台账"
        expect(self.run_setup(old, f"/DIR={self.prefix.c_drive_path(chosen)}") == 0, self.last_log)
        wait_for_wine()
        self.assert_installed(chosen, self.version)
        holder = subprocess.Popen(
            ["wine", str(chosen / "hebi-desktop.exe"), "--hold-mutex", "600"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert holder.stdout is not None
            expect(holder.stdout.readline().strip() == b"holding", "stand-in did not start")
            untouched = snapshot(chosen)
            expect(self.run_setup(new) != 0, "the upgrade ran while the program was running")
            expect("is currently running" in self.last_log or "正在运行" in self.last_log,
                   f"setup did not report the running program:\n{self.last_log}")  # fmt: skip
            expect(snapshot(chosen) == untouched, "the refused upgrade changed the install folder")
            self.assert_installed(chosen, self.version)
            expect(self.run_uninstaller() != 0, "the uninstaller ran while the program was running")
            expect(
                snapshot(chosen) == untouched, "the refused uninstall changed the install folder"
            )
            self.assert_installed(chosen, self.version)
        finally:
            holder.kill()
            holder.wait(timeout=60)
        wait_for_wine()
        self.say("3. upgrade and uninstall while running: refused, install folder untouched")

        # 4. upgrade N -> N+1, remembered folder
        expect(self.run_setup(new) == 0, f"upgrade failed:\n{self.last_log}")
        wait_for_wine()
        self.assert_installed(chosen, self.next)
        leftovers = [
            p.name for p in chosen.glob("_internal*") if p.name != f"_internal-{self.next}"
        ]
        expect(not leftovers, f"library folders of the old version left: {leftovers}")
        expect(not default_app.exists(), "the upgrade ignored the remembered folder")
        self.say(f"4. upgrade {self.version} -> {self.next}: same folder, one entry, new version")

        # 5. final uninstall
        expect(self.run_uninstaller() == 0, f"uninstall failed:\n{self.last_log}")
        wait_for_wine()
        expect(not chosen.exists(), f"{chosen} is left after uninstalling")
        expect(not self.prefix.uninstall_entries(), "uninstall entry left behind")
        expect(database.read_bytes().endswith(b"planted by the check"), "database lost")
        self.say("5. uninstall after the upgrade: install folder gone, database kept")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tmp", type=Path, required=True)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--iscc", type=Path, required=True, help="folder of ISCC.exe")
    parser.add_argument("--stand-in", type=Path, required=True)
    args = parser.parse_args()
    isl_check = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "check_isl.py"), str(args.iscc / "Default.isl")],
        check=False,
    )
    if isl_check.returncode != 0:
        return 1
    try:
        Check(args).run()
    except CheckFailed as failure:
        print(f"Windows installer check FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
