"""Password-protected workbooks (加密导出): written for the county, read from townships.

A protected workbook is the standard ECMA-376 "agile" encryption Excel uses for 用密码进行
加密 (AES-256, SHA-512 key derivation), written and read with msoffcrypto-tool, so Excel,
WPS and LibreOffice open it with the password. Such a file is an OLE compound file, not
a zip: it is recognised by that and decrypted before any reader sees it.

The readers (calamine, openpyxl's streaming mode, the metadata reader) take paths, so a
protected file is decrypted once into this process's private temporary folder (the data
folder, never the file's own folder or a USB stick) and read from there; the copy keeps
the original file name, so every message names the file the clerk chose. The copies are
removed when the work ends, at exit, or — after a crash — at the next start
(services/leftovers.py). Passwords are given by the front ends (a password file, a
prompt, a dialog); they are never logged and never taken from a command-line argument.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hebi_desktop.errors import UserError

log = logging.getLogger(__name__)

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIN_PASSWORD = 6

Prompt = Callable[[str], str | None]

_passwords: list[str] = []
_prompt: Prompt | None = None
_copies: dict[tuple[str, int, int], Path] = {}
_opened_with: dict[str, str] = {}  # resolved path -> the password that opened it


class PasswordNeeded(UserError):
    """A protected workbook and no password (or only wrong ones) for it."""


def provide_password(password: str) -> None:
    """A password to try on protected workbooks this process reads."""
    if password and password not in _passwords:
        _passwords.append(password)


def set_prompt(prompt: Prompt | None) -> None:
    """How to ask for a password when none given fits (the command line's getpass)."""
    global _prompt
    _prompt = prompt


def forget_passwords() -> None:
    """Forget every password and decrypted copy: protected files are locked again."""
    _passwords.clear()
    _opened_with.clear()
    set_prompt(None)
    discard_copies()


def read_password_file(path: Path) -> str:
    """The password in the first line of a text file (the way scripts pass one)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise UserError(f"无法读取密码文件“{path}”：{error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UserError(f"密码文件“{path}”不是文本文件") from None
    lines = text.splitlines()
    password = lines[0].strip("\r\n") if lines else ""
    if not password:
        raise UserError(f"密码文件“{path}”的第一行是空的；请把密码写在第一行")
    return password


def check_new_password(password: str) -> str:
    """A password good enough to protect a workbook sent by chat or on a USB stick."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"导出密码至少要{MIN_PASSWORD}个字符")
    return password


def is_protected(path: Path) -> bool:
    """True for a password-protected Office file (an OLE container holding the package)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(OLE_HEADER)) != OLE_HEADER:
                return False
            handle.seek(0)
            import msoffcrypto

            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
    except Exception:  # an unreadable or odd OLE file is simply not one we decrypt
        return False


def encrypt_file(plain: Path, target: Path, password: str) -> None:
    """Write ``target``, the workbook ``plain`` protected with ``password``."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as source, open(target, "wb") as out:
        OOXMLFile(source).encrypt(password, out)
        out.flush()
        os.fsync(out.fileno())


def readable(path: Path) -> Path:
    """``path`` itself, or for a protected workbook its decrypted private copy.

    Raises PasswordNeeded (Chinese) when no password given or asked for opens it.
    """
    path = Path(path)
    if not is_protected(path):
        return path
    stat = path.stat()
    cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    copy = _copies.get(cache_key)
    if copy is not None and copy.exists():
        return copy
    data = _decrypt(path)
    folder = Path(tempfile.mkdtemp(prefix="protected.", dir=_private_dir()))
    copy = folder / path.name
    descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    _copies[cache_key] = copy
    log.info("decrypted a protected workbook for reading")
    return copy


def _decrypt(path: Path) -> bytes:
    import msoffcrypto
    from msoffcrypto.exceptions import InvalidKeyError

    tried: list[str] = list(_passwords)
    asked = False
    while True:
        for password in tried:
            with open(path, "rb") as handle:
                office = msoffcrypto.OfficeFile(handle)
                try:
                    office.load_key(password=password)
                    out = io.BytesIO()
                    office.decrypt(out)
                except (InvalidKeyError, Exception):  # a wrong password fails its check
                    continue
                provide_password(password)
                _opened_with[str(path.resolve())] = password
                return out.getvalue()
        wrong = bool(tried)
        if _prompt is not None:
            question = f"工作簿“{path.name}”" + (
                "的密码不对，请重新输入" if asked else "设有密码，请输入"
            )
            answer = _prompt(question)
            if answer:
                tried, asked = [answer], True
                continue
        if wrong:
            raise PasswordNeeded(f"工作簿“{path.name}”的密码不对，无法打开；请向报送单位核对密码")
        raise PasswordNeeded(
            f"工作簿“{path.name}”设有打开密码；请在窗口中输入密码，"
            "或在命令行用 --password-file 密码文件 提供密码（密码写在文件第一行）"
        )


def _private_dir() -> Path:
    from hebi_desktop.services.leftovers import private_temp_dir

    return private_temp_dir()


def password_of(path: Path) -> str | None:
    """The password that opened the protected workbook ``path`` (its report gets it too:
    a report copies the rows, so it must not lie about unprotected beside the source)."""
    return _opened_with.get(str(Path(path).resolve()))


def discard_copies() -> None:
    """Remove every decrypted copy (the work that needed them is done)."""
    for copy in _copies.values():
        with contextlib.suppress(OSError):
            shutil.rmtree(copy.parent)
    _copies.clear()


atexit.register(discard_copies)
