"""The desk's database keys: random, kept by the operating system, never typed.

Every SQLite database this desk creates is encrypted (SQLCipher) with the desk's key: 32
random bytes made on first use and kept in the user's key store — on Windows the
Credential Manager (protected by DPAPI, bound to the Windows account), on Linux the
Secret Service when one runs. Without a key store (a headless machine, CI) the keys live
in a file readable only by the user, in the user's config folder, and the clerk is told
once what that protects and what not. ``HEBI_DESKTOP_KEY_DIR`` names a folder to use as
that file's home instead (tests, portable installs).

The store holds a list: the desk's own key first, then keys learnt from recovery keys
(a database or backup brought from another PC), so such a file opens silently from
then on. A recovery key is the key itself, written in groups a person can copy.

On a shared PC the office may set a start-up password: the store then holds the list
wrapped under it (``key_wrap.py``) and nothing in it opens a database by itself. The
list is unwrapped once per process — by :func:`unlock` (the window's dialog) or by the
password source a front end installs (the command line's prompt or password file) —
and kept only in this process's memory. A recovery key still opens a database without
the password, which is how a forgotten password is reset.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_config_path

from hebi_desktop import APP_NAME
from hebi_desktop.storage.key_wrap import (
    DamagedRecord,
    Wrapping,
    WrongPassword,
    derive,
    is_wrapped,
    unwrap,
)

log = logging.getLogger(__name__)

KEY_DIR_ENV_VAR = "HEBI_DESKTOP_KEY_DIR"
KEY_BYTES = 32
KEY_FILE_NAME = "database-keys.txt"
KEYRING_SERVICE = APP_NAME
KEYRING_ENTRY = "database-keys"
GROUP = 8  # hex characters per group of a printed recovery key

KEY_FILE_NOTICE = (
    "提示：这台电脑没有系统密钥库，数据库密钥保存在只有当前用户能读的文件“{path}”中。"
    "这可以防止数据库文件或备份被复制到别处后被打开（丢失的U盘、拷走的文件）；"
    "但能以当前用户身份登录这台电脑的人仍能打开数据库。请打印并妥善保管“数据库恢复密钥”。"
)


class KeyStoreError(Exception):
    """The key store could not be read or written; ``str()`` is Chinese for the clerk."""


class RecoveryKeyError(Exception):
    """A recovery key that is not one; ``str()`` is Chinese for the clerk."""


FORGOTTEN_HINT = (
    "忘记启动密码时，可以用打印的“数据库恢复密钥”打开数据库（命令行加 --recovery-key-file "
    "恢复密钥文件），再设置新的启动密码或取消启动密码"
)
PASSWORD_REQUIRED = (
    "这台电脑上的数据库设有启动密码，需要先输入启动密码才能打开。命令行请在终端中运行并按提示输入，"
    "或加 --startup-password-file 密码文件（密码写在第一行）；" + FORGOTTEN_HINT
)
WRONG_PASSWORD = "启动密码不对。" + FORGOTTEN_HINT
DAMAGED_STORE = "数据库密钥库中的内容已损坏，无法读出密钥；请用打印的“数据库恢复密钥”打开数据库"
MAX_PASSWORD_TRIES = 3


class PasswordRequired(KeyStoreError):
    """The keys are wrapped under the start-up password and none was given."""


class WrongStartupPassword(KeyStoreError):
    """The start-up password given does not unwrap the keys."""


PasswordSource = Callable[[int], str | None]  # try number (1, 2, …) -> password, None: give up

_session_keys: list[bytes] = []  # recovery keys given to this process (--recovery-key-file)
_notices: list[str] = []
_cache: dict[str, list[bytes]] = {}
_unlocked: dict[str, Wrapping] = {}  # store -> the password wrapping its keys (when set)
_password_source: PasswordSource | None = None


# --- the two stores ---------------------------------------------------------------


def _key_dir_override() -> Path | None:
    value = os.environ.get(KEY_DIR_ENV_VAR)
    return Path(value) if value else None


def _keyring() -> object | None:
    """The system key store, or None when there is none that works (headless Linux)."""
    if _key_dir_override() is not None:
        return None
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring) or backend.priority <= 0:
            return None
        return backend
    except Exception:  # a broken backend (no D-Bus, locked collection) is no key store
        log.warning("no usable system key store", exc_info=True)
        return None


def key_file() -> Path:
    """Where the keys live when there is no system key store."""
    folder = _key_dir_override() or user_config_path(APP_NAME, appauthor=False)
    return folder / KEY_FILE_NAME


def _store_id() -> str:
    override = _key_dir_override()
    return f"dir:{override}" if override is not None else "system"


def _read_text() -> str:
    """What the store holds: plain key lines, or one wrapped record."""
    backend = _keyring()
    if backend is not None:
        try:
            text = backend.get_password(KEYRING_SERVICE, KEYRING_ENTRY) or ""  # type: ignore[attr-defined]
        except Exception:
            log.warning("system key store could not be read; using the key file", exc_info=True)
            text = _read_key_file()
        else:
            if not text:
                text = _read_key_file()  # keys kept while there was no key store
    else:
        text = _read_key_file()
    return text


def _parse(text: str) -> list[bytes]:
    return [bytes.fromhex(line) for line in text.split() if re.fullmatch(r"[0-9a-f]{64}", line)]


def _unwrap(text: str, password: str) -> list[bytes]:
    """The keys of a wrapped record; the wrapping is kept for writing the list back."""
    try:
        plaintext, wrapping = unwrap(text, password)
    except WrongPassword:
        log.info("wrong start-up password")
        raise WrongStartupPassword(WRONG_PASSWORD) from None
    except DamagedRecord:
        log.warning("the key store holds a damaged wrapped record")
        raise KeyStoreError(DAMAGED_STORE) from None
    if len(plaintext) % KEY_BYTES:
        raise KeyStoreError(DAMAGED_STORE)
    _unlocked[_store_id()] = wrapping
    return [plaintext[i : i + KEY_BYTES] for i in range(0, len(plaintext), KEY_BYTES)]


def _read_key_file() -> str:
    try:
        return key_file().read_text(encoding="ascii")
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise KeyStoreError(f"无法读取数据库密钥文件“{key_file()}”：{error.strerror}") from None


def _write_keys(keys: list[bytes]) -> None:
    """Store ``keys``: as plain lines, or wrapped when a start-up password is set.

    Wrapped, both stores get the record: a key file left from a time without a key store
    must not keep plain keys, and a key store that cannot be written must not either."""
    text = "\n".join(key.hex() for key in keys) + "\n"
    wrapping = _unlocked.get(_store_id())
    if wrapping is not None:
        text = wrapping.wrap(b"".join(keys)) + "\n"  # raw bytes: the shortest record
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, KEYRING_ENTRY, text)  # type: ignore[attr-defined]
        except Exception:
            log.warning("system key store could not be written; using a key file", exc_info=True)
            if wrapping is not None:
                _forget_system_entry(backend)
        else:
            if wrapping is not None and key_file().exists():
                _write_key_file(text)
            _cache[_store_id()] = list(keys)
            return
    _write_key_file(text)
    _cache[_store_id()] = list(keys)


def _forget_system_entry(backend: object) -> None:
    """Remove the key store's entry, which must not outlive the password in plain form."""
    try:
        backend.delete_password(KEYRING_SERVICE, KEYRING_ENTRY)  # type: ignore[attr-defined]
    except Exception:
        log.warning("system key store entry could not be removed", exc_info=True)
        raise KeyStoreError(
            "无法改写系统密钥库中的数据库密钥，启动密码没有设置；请稍后再试"
        ) from None


def _write_key_file(text: str) -> None:
    path = key_file()
    first = not path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        raise KeyStoreError(f"无法保存数据库密钥文件“{path}”：{error.strerror}") from None
    if first:
        log.info("database keys kept in a key file (no system key store)")
        if _key_dir_override() is None:
            _notices.append(KEY_FILE_NOTICE.format(path=path))


# --- what the rest of the program uses -----------------------------------------------


def _stored() -> list[bytes]:
    """The store's keys; wrapped ones are unwrapped with the password source's answer.

    Raises PasswordRequired (no source, or it gave up) or WrongStartupPassword."""
    store = _store_id()
    if store not in _cache:
        text = _read_text()
        _cache[store] = _ask_and_unwrap(text) if is_wrapped(text) else _parse(text)
    return _cache[store]


def _ask_and_unwrap(text: str) -> list[bytes]:
    wrong = False
    for attempt in range(1, MAX_PASSWORD_TRIES + 1):
        password = _password_source(attempt) if _password_source is not None else None
        if not password:
            break
        try:
            return _unwrap(text, password)
        except WrongStartupPassword:
            wrong = True
    raise WrongStartupPassword(WRONG_PASSWORD) if wrong else PasswordRequired(PASSWORD_REQUIRED)


def known_keys() -> list[bytes]:
    """Every key this desk knows: its own first, then learnt ones, then this run's."""
    keys = list(_stored())
    keys += [key for key in _session_keys if key not in keys]
    return keys


def session_keys() -> list[bytes]:
    """The recovery keys given to this process; tried before the store, which may be
    locked by a start-up password (a recovery key opens a database without it)."""
    return list(_session_keys)


def stored_keys() -> list[bytes]:
    """The store's keys (asking the password source when they are wrapped)."""
    return list(_stored())


# --- the start-up password -----------------------------------------------------------


def set_password_source(source: PasswordSource | None) -> None:
    """How to ask for the start-up password when the keys are first needed (the command
    line's prompt or password file); without one a locked store raises PasswordRequired."""
    global _password_source
    _password_source = source


def has_startup_password() -> bool:
    """Whether the store holds its keys wrapped under a start-up password."""
    return is_wrapped(_read_text())


def is_locked() -> bool:
    """Whether the keys are wrapped and this process has not unwrapped them yet."""
    return _store_id() not in _cache and has_startup_password()


def unlock(password: str) -> None:
    """Unwrap the store's keys with ``password`` for this process (WrongStartupPassword).

    A store without a start-up password needs none: nothing happens."""
    text = _read_text()
    if is_wrapped(text):
        _cache[_store_id()] = _unwrap(text, password)


def protect_with_password(password: str) -> None:
    """Wrap the store's keys under ``password`` (set or change the start-up password).

    The store must be readable (unlocked); a desk with no key yet gets one now, so the
    first key this desk stores is never written in plain form."""
    keys = _stored() or [secrets.token_bytes(KEY_BYTES)]
    _rewrite(keys, derive(password))
    log.info("start-up password set; keys kept wrapped")


def remove_password() -> None:
    """Keep the store's keys in plain form again (the store must be unlocked)."""
    _rewrite(_stored(), None)
    log.info("start-up password removed")


def reset_with_recovery_key(key: bytes, password: str | None) -> None:
    """A forgotten start-up password: the store becomes ``key`` (a recovery key that
    just opened this desk's database) alone, wrapped under ``password`` or plain.

    Keys learnt from other recovery keys were wrapped under the forgotten password and
    are gone with it; their databases open again with their own recovery keys."""
    _rewrite([key], derive(password) if password is not None else None)
    log.info("start-up password reset with a recovery key (%s)", "set" if password else "removed")


def _rewrite(keys: list[bytes], wrapping: Wrapping | None) -> None:
    """Write ``keys`` wrapped by ``wrapping`` (None: plain); on failure this process
    keeps the state it had, as the store does."""
    store = _store_id()
    unlocked, cached = dict(_unlocked), dict(_cache)
    if wrapping is None:
        _unlocked.pop(store, None)
    else:
        _unlocked[store] = wrapping
    try:
        _write_keys(keys)
    except BaseException:
        _unlocked.clear()
        _unlocked.update(unlocked)
        _cache.clear()
        _cache.update(cached)
        raise


def desk_key() -> bytes:
    """The desk's own key, made and stored on first use; new databases get it."""
    stored = _stored()
    if stored:
        return stored[0]
    key = secrets.token_bytes(KEY_BYTES)
    _write_keys([key])
    log.info("made a new database key for this desk")
    return key


def remember(key: bytes) -> None:
    """Keep ``key`` (from a recovery key) so its databases open silently from now on.

    The desk's own key stays first: a desk without one gets one now, so its new
    databases never share the learnt key by accident."""
    stored = _stored()
    if key in stored:
        return
    _write_keys([*(stored or [secrets.token_bytes(KEY_BYTES)]), key])
    log.info("remembered a database key from a recovery key")


def adopt(key: bytes) -> None:
    """A recovery key just opened a file: keep it, if it is not kept already.

    Not while the store is locked by a start-up password: the key stays this run's."""
    if is_locked():
        return
    if key not in _stored():
        remember(key)


def use_recovery_key(key: bytes) -> None:
    """Let this process try ``key`` on every file it opens (``--recovery-key-file``)."""
    if key not in _session_keys:
        _session_keys.append(key)


def forget_session() -> None:
    """Drop this run's recovery keys and cached store (tests switch desks)."""
    _session_keys.clear()
    _cache.clear()
    _notices.clear()
    _unlocked.clear()
    set_password_source(None)


def take_notices() -> list[str]:
    """One-time notices for the clerk (the key-file notice), each returned once."""
    notices = list(_notices)
    _notices.clear()
    return notices


# --- recovery keys -----------------------------------------------------------------


def format_recovery_key(key: bytes) -> str:
    """The key as printed: upper-case hex in groups of eight, e.g. ``1A2B3C4D-…``."""
    text = key.hex().upper()
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def parse_recovery_key(text: str) -> bytes:
    """A key from a recovery key as typed or printed (spaces, dashes and case ignored)."""
    digits = re.sub(r"[\s\-_:]", "", text)
    if not re.fullmatch(r"[0-9a-fA-F]*", digits):
        raise RecoveryKeyError("恢复密钥只由数字0-9和字母A-F组成，请对照打印的恢复密钥检查")
    if len(digits) != KEY_BYTES * 2:
        raise RecoveryKeyError(
            f"恢复密钥应有{KEY_BYTES * 2}个字符（不算短横线），现在是{len(digits)}个；"
            "请对照打印的恢复密钥检查"
        )
    return bytes.fromhex(digits)


def read_recovery_key_file(path: Path) -> bytes:
    """The key in a text file holding a recovery key as printed."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RecoveryKeyError(f"无法读取恢复密钥文件“{path}”：{error.strerror}") from None
    except UnicodeDecodeError:
        raise RecoveryKeyError(f"“{path}”不是恢复密钥文件（应为文本文件）") from None
    # The file may carry a title or notes: the key is the line that parses.
    lines = [line for line in text.splitlines() if line.strip()]
    for line in [text, *lines]:
        with contextlib.suppress(RecoveryKeyError):
            return parse_recovery_key(line)
    raise RecoveryKeyError(f"在“{path}”中找不到恢复密钥；文件中应有一行像打印的恢复密钥那样的文字")


def fingerprint(key: bytes) -> str:
    """A short, harmless name of a key (which key a reminder or a sheet is about)."""
    return hashlib.sha256(b"hebi-desktop key fingerprint" + key).hexdigest()[:12]
