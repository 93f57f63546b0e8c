"""The optional start-up password for shared PCs: set, change, remove, reset.

Off by default: the key store opens the database silently. On a PC several people use
(another Windows account, a colleague at an unlocked PC) the office can set one; then
the key store holds the database keys wrapped under it (storage/key_wrap.py) and the
window and every command ask for it before opening the database. Changing or removing
it needs the current password; a forgotten one is reset after opening the database with
the recovery key. The settings page and ``hebi-desktop startup-password`` share these
rules, so both say the same thing in the same words.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hebi_desktop.errors import UserError
from hebi_desktop.storage.cipher import KeyMissing, find_key, is_plain
from hebi_desktop.storage.keys import (
    KeyStoreError,
    WrongStartupPassword,
    has_startup_password,
    is_locked,
    protect_with_password,
    remove_password,
    reset_with_recovery_key,
    session_keys,
    unlock,
)

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

MIN_LENGTH = 8
WRONG_TYPED = "密码不对，请重新输入（注意大小写和输入法）"


def is_on() -> bool:
    """Whether this desk's keys are protected by a start-up password."""
    with _key_store_said():
        return has_startup_password()


def open_with(password: str) -> None:
    """Unwrap this desk's keys for this run with ``password`` (the window's start);
    refused with :data:`WRONG_TYPED` when it is not the start-up password."""
    if not password:
        raise UserError("请输入启动密码")
    with _key_store_said(wrong_password=WRONG_TYPED):
        unlock(password)


def check_new_password(password: str, confirmation: str | None = None) -> str:
    """A new start-up password, refused in Chinese when too short or not confirmed."""
    if not password:
        raise UserError("请输入新的启动密码")
    if len(password) < MIN_LENGTH:
        raise UserError(f"启动密码至少要{MIN_LENGTH}个字符，现在是{len(password)}个")
    if password.strip() != password:
        raise UserError("启动密码的开头和结尾不能是空格")
    if confirmation is not None and confirmation != password:
        raise UserError("两次输入的新密码不一样，请重新输入")
    return password


def turn_on(password: str, confirmation: str | None = None) -> None:
    """Set the start-up password on a desk that has none."""
    check_new_password(password, confirmation)
    if is_on():
        raise UserError("已经设有启动密码；要换密码请用“修改启动密码”")
    with _key_store_said():
        protect_with_password(password)


def change(current: str, password: str, confirmation: str | None = None) -> None:
    """Replace the start-up password; ``current`` must be the one set now."""
    _require_current(current)
    check_new_password(password, confirmation)
    with _key_store_said():
        protect_with_password(password)


def turn_off(current: str) -> None:
    """Remove the start-up password; the key store opens the database silently again."""
    _require_current(current)
    with _key_store_said():
        remove_password()


def is_recovered() -> bool:
    """Whether this run opened the database with a recovery key while the store stayed
    locked: the forgotten-password case, where :func:`reset_forgotten` applies."""
    try:
        return bool(session_keys()) and is_locked()
    except KeyStoreError:
        return False


def reset_forgotten(book: Book, password: str | None, confirmation: str | None = None) -> None:
    """After a forgotten password: keep the recovery key that opened ``book`` as the desk's
    key, under the new ``password``, or in plain form when ``password`` is None."""
    if not is_recovered():
        raise UserError("只有用恢复密钥打开数据库后，才能重新设置忘记的启动密码")
    if password is not None:
        check_new_password(password, confirmation)
    key = _recovery_key_of(book)
    with _key_store_said():
        reset_with_recovery_key(key, password)


def _recovery_key_of(book: Book) -> bytes:
    """The recovery key given this run that opens ``book`` (any given one for a server
    database, whose portable backups the desk key encrypts)."""
    path = book.sqlite_file
    if path is None or is_plain(path):
        return session_keys()[0]
    try:
        key = find_key(path)
    except (KeyMissing, KeyStoreError):
        key = None
    if key is None or key not in session_keys():
        raise UserError("输入的恢复密钥打不开这个数据库，启动密码没有改动")
    return key


def _require_current(current: str) -> None:
    if not is_on():
        raise UserError("这台电脑没有设置启动密码")
    if not current:
        raise UserError("请输入当前的启动密码")
    with _key_store_said(wrong_password="当前的启动密码不对，启动密码没有改动"):
        unlock(current)  # asked again even when this process is unlocked already


@contextmanager
def _key_store_said(wrong_password: str | None = None) -> Iterator[None]:
    """A key store that cannot be read or written is the user's to fix (its message says
    how), not a bug: it reaches them as a :class:`UserError`; so does a wrong password,
    in ``wrong_password``'s words where the caller has some."""
    try:
        yield
    except WrongStartupPassword as error:
        raise UserError(wrong_password or str(error)) from None
    except KeyStoreError as error:
        raise UserError(str(error)) from None
