"""The optional start-up password: the key store holds the keys wrapped under it.

Each test runs on its own key folder (a shared PC of its own), with scrypt made cheap
so the tests stay fast; the cost the program uses is checked once on its own. "Another
run" is ``forget_session()``: nothing unwrapped is remembered, as in a new process.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hebi_desktop.errors import UserError
from hebi_desktop.services import backups
from hebi_desktop.services import startup_password as startup
from hebi_desktop.services.book import Book
from hebi_desktop.services.encryption import recovery_key
from hebi_desktop.storage import key_wrap, keys
from hebi_desktop.storage.backup import BackupError, check_backup
from hebi_desktop.storage.cipher import find_key
from hebi_desktop.storage.engine import resolve_url
from hebi_desktop.storage.keys import (
    KEY_DIR_ENV_VAR,
    WrongStartupPassword,
    forget_session,
    parse_recovery_key,
    unlock,
    use_recovery_key,
)
from tests.samples import housing

PASSWORD = "乡镇办公室2026"
NEW_PASSWORD = "another-long-one"


def another_run() -> None:
    """A new process: nothing unwrapped, no recovery key given."""
    forget_session()


def database(path: Path, records: int = 1) -> bytes:
    """A database with records; returns its key."""
    with Book.open(path) as book:
        for day in range(records):
            book.records("housing").create(housing(check_date=dt.date(2021, 1, 1 + day)))
    key = find_key(path)
    assert key is not None
    return key


def stored_bytes(folder: Path) -> bytes:
    return (folder / keys.KEY_FILE_NAME).read_bytes()


def test_the_key_file_holds_no_usable_key_once_the_password_is_on(
    shared_pc: Path, db_path: Path
) -> None:
    key = database(db_path)
    assert key.hex().encode() in stored_bytes(shared_pc)  # off by default: silent opening

    startup.turn_on(PASSWORD, PASSWORD)

    raw = stored_bytes(shared_pc)
    assert key.hex().encode() not in raw and key.hex().upper().encode() not in raw
    assert key not in raw
    record = json.loads(raw)
    assert (record["kdf"], record["r"], record["p"]) == ("scrypt", 8, 1)
    assert (shared_pc / keys.KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert startup.is_on()

    another_run()
    with pytest.raises(UserError, match="启动密码"):
        Book.open(db_path)
    with pytest.raises(WrongStartupPassword, match="启动密码不对"):
        unlock("not-the-password")
    unlock(PASSWORD)
    with Book.open(db_path) as book:
        assert book.records("housing").count() == 1


def test_the_password_costs_a_memory_hard_derivation() -> None:
    """The program's own cost: scrypt with 128 MB a try, and the cost is authenticated
    with the keys, so lowering it in the stored record does not help a guesser."""
    assert key_wrap.SCRYPT_N * key_wrap.SCRYPT_R * 128 >= 128 * 1024 * 1024
    wrapping = key_wrap.derive(PASSWORD, n=2**10)
    record = json.loads(wrapping.wrap(b"keys"))
    assert key_wrap.unwrap(json.dumps(record), PASSWORD)[0] == b"keys"
    with pytest.raises(key_wrap.WrongPassword):
        key_wrap.unwrap(json.dumps(record), PASSWORD + "x")
    record["n"] = 2**4
    with pytest.raises(key_wrap.WrongPassword):
        key_wrap.unwrap(json.dumps(record), PASSWORD)


def test_stores_wrapped_before_the_derivation_moved_to_hashlib_still_open() -> None:
    """scrypt is scrypt: a record whose key ``cryptography`` derived (earlier versions)
    opens with today's derivation, which lets the window's other threads run."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = bytes(range(16))
    earlier = Scrypt(salt=salt, length=32, n=2**10, r=8, p=1).derive(PASSWORD.encode())
    record = key_wrap.Wrapping(earlier, salt, 2**10, 8, 1).wrap(b"keys")
    assert key_wrap.unwrap(record, PASSWORD)[0] == b"keys"


def test_a_record_asking_more_memory_than_scrypt_may_take_is_damaged() -> None:
    record = json.loads(key_wrap.derive(PASSWORD, n=2**10).wrap(b"keys"))
    record.update(n=2**18, r=64)  # 2 GB a try: within the sanity bound, beyond the ceiling
    with pytest.raises(key_wrap.DamagedRecord):
        key_wrap.unwrap(json.dumps(record), PASSWORD)


def test_a_new_password_is_checked_in_chinese(shared_pc: Path) -> None:
    with pytest.raises(UserError, match="至少要8个字符"):
        startup.turn_on("short", "short")
    with pytest.raises(UserError, match="两次输入的新密码不一样"):
        startup.turn_on(PASSWORD, PASSWORD + "!")
    assert not startup.is_on()
    startup.turn_on(PASSWORD, PASSWORD)
    with pytest.raises(UserError, match="已经设有启动密码"):
        startup.turn_on(NEW_PASSWORD, NEW_PASSWORD)


def test_change_and_remove_need_the_current_password(shared_pc: Path, db_path: Path) -> None:
    key = database(db_path)
    startup.turn_on(PASSWORD)
    before = stored_bytes(shared_pc)

    with pytest.raises(UserError, match="当前的启动密码不对"):
        startup.change("guess-guess", NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(UserError, match="当前的启动密码不对"):
        startup.turn_off("guess-guess")
    assert stored_bytes(shared_pc) == before

    startup.change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    another_run()
    with pytest.raises(WrongStartupPassword):
        unlock(PASSWORD)
    unlock(NEW_PASSWORD)
    assert find_key(db_path) == key

    another_run()
    startup.turn_off(NEW_PASSWORD)
    assert key.hex().encode() in stored_bytes(shared_pc)
    another_run()
    with Book.open(db_path) as book:  # silent again
        assert book.records("housing").count() == 1


def test_the_recovery_key_resets_a_forgotten_password(shared_pc: Path, db_path: Path) -> None:
    database(db_path)
    with Book.open(db_path) as book:
        printed = recovery_key(book)
    startup.turn_on(PASSWORD)

    another_run()  # the password is forgotten; the printed sheet is in the cupboard
    use_recovery_key(parse_recovery_key(printed))
    with Book.open(db_path) as book:
        assert startup.is_recovered()
        assert book.records("housing").count() == 1
        startup.reset_forgotten(book, NEW_PASSWORD, NEW_PASSWORD)
    assert parse_recovery_key(printed).hex().encode() not in stored_bytes(shared_pc)

    another_run()
    with pytest.raises(WrongStartupPassword):
        unlock(PASSWORD)
    unlock(NEW_PASSWORD)
    with Book.open(db_path) as book:
        assert book.records("housing").count() == 1

    # The same way back can also turn the password off.
    another_run()
    use_recovery_key(parse_recovery_key(printed))
    with Book.open(db_path) as book:
        startup.reset_forgotten(book, None)
    another_run()
    with Book.open(db_path) as book:
        assert book.records("housing").count() == 1


def test_a_wrong_recovery_key_is_no_way_around_the_password(shared_pc: Path, db_path: Path) -> None:
    database(db_path)
    startup.turn_on(PASSWORD)
    another_run()
    use_recovery_key(bytes(32))
    with pytest.raises(UserError, match="恢复密钥"):
        Book.open(db_path)
    assert startup.is_on()
    unlock(PASSWORD)  # the password still opens it; the wrong key was not learnt
    assert parse_recovery_key("0" * 64).hex().encode() not in stored_bytes(shared_pc)
    with Book.open(db_path) as book, pytest.raises(UserError, match="只有用恢复密钥打开"):
        startup.reset_forgotten(book, NEW_PASSWORD)


def test_backups_and_restore_work_with_the_password_on(
    shared_pc: Path, db_path: Path, tmp_path: Path
) -> None:
    key = database(db_path, records=2)
    startup.turn_on(PASSWORD)
    another_run()
    unlock(PASSWORD)
    with Book.open(db_path) as book:
        backups.save_policy(book, tmp_path / "backups", keep=3, on_exit=True)
        book.records("housing").create(housing(check_date=dt.date(2022, 3, 1)))
        automatic = backups.backup_on_exit(book)
    assert automatic is not None

    another_run()
    with pytest.raises(BackupError, match="启动密码"):
        check_backup(automatic)
    unlock(PASSWORD)
    check_backup(automatic)
    with Book.open(db_path) as book:
        book.records("housing").create(housing(check_date=dt.date(2022, 3, 2)))
    outcome = backups.restore_database(resolve_url(db_path), automatic, tmp_path / "kept")
    with outcome.book as book:
        assert book.records("housing").count() == 3
    assert find_key(db_path) == key


def test_a_system_key_store_holds_the_wrapped_form_and_no_stale_key_file(
    shared_pc: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a key store (Windows' Credential Manager), its entry is wrapped too, and a
    key file left from a time without one no longer holds the keys in plain form."""
    key = database(db_path)  # kept in the key file: no key store yet
    entries: dict[tuple[str, str], str] = {}

    class MemoryKeyring:
        def get_password(self, service: str, name: str) -> str | None:
            return entries.get((service, name))

        def set_password(self, service: str, name: str, value: str) -> None:
            entries[(service, name)] = value

        def delete_password(self, service: str, name: str) -> None:
            entries.pop((service, name), None)

    monkeypatch.setattr(keys, "_keyring", lambda: MemoryKeyring())
    startup.turn_on(PASSWORD)

    entry = entries[(keys.KEYRING_SERVICE, keys.KEYRING_ENTRY)]
    assert key.hex() not in entry and key_wrap.is_wrapped(entry)
    assert key.hex().encode() not in stored_bytes(shared_pc)
    another_run()
    unlock(PASSWORD)
    assert find_key(db_path) == key


def test_a_backup_made_with_the_password_on_needs_it_or_the_recovery_key(
    shared_pc: Path, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On either engine (a server desk's portable backup is encrypted with the desk key)."""
    book.records("housing").create(housing())
    printed = recovery_key(book)
    startup.turn_on(PASSWORD)
    saved = backups.make_backup(book, folder=tmp_path / "usb")

    another_run()
    with pytest.raises(BackupError, match="启动密码"):
        check_backup(saved)
    unlock(PASSWORD)
    check_backup(saved)

    monkeypatch.setenv(KEY_DIR_ENV_VAR, str(tmp_path / "another-pc"))  # no password there
    another_run()
    use_recovery_key(parse_recovery_key(printed))
    with Book.open(saved) as copy:
        assert copy.records("housing").count() == 1


def test_a_key_learnt_with_the_password_on_is_kept_wrapped(
    shared_pc: Path, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database from another PC opened with its recovery key: its key is remembered,
    inside the wrapped record, never beside it in plain form."""
    other = tmp_path / "别的电脑.sqlite"
    monkeypatch.setenv(KEY_DIR_ENV_VAR, str(tmp_path / "other-pc"))
    other_key = database(other)
    monkeypatch.setenv(KEY_DIR_ENV_VAR, str(shared_pc))
    another_run()
    database(db_path)
    startup.turn_on(PASSWORD)

    use_recovery_key(other_key)
    with Book.open(other) as book:
        assert book.records("housing").count() == 1
    assert other_key.hex().encode() not in stored_bytes(shared_pc)

    another_run()
    unlock(PASSWORD)
    assert find_key(other) == other_key  # learnt: no recovery key needed any more


def test_the_wrapped_record_fits_the_windows_credential_manager(shared_pc: Path) -> None:
    """Credential Manager keeps 2,560 bytes of UTF-16: the desk key and 20 learnt keys
    wrapped must fit (the plain list of as many would not: the record is the smaller)."""
    learnt = [bytes([n]) * 32 for n in range(1, 21)]
    for key in learnt:
        keys.remember(key)
    startup.turn_on(PASSWORD)
    record = stored_bytes(shared_pc).decode("ascii").strip()
    assert len(record) * 2 <= 2560 < 21 * 65 * 2
    another_run()
    unlock(PASSWORD)
    assert keys.stored_keys()[1:] == learnt


def test_a_damaged_wrapped_record_is_explained_with_the_way_back(
    shared_pc: Path, db_path: Path
) -> None:
    database(db_path)
    startup.turn_on(PASSWORD)
    record = json.loads(stored_bytes(shared_pc))
    record["data"] = record["data"][:-8] + "!!!!!!!!"
    (shared_pc / keys.KEY_FILE_NAME).write_text(json.dumps(record), encoding="ascii")
    another_run()
    with pytest.raises(keys.KeyStoreError, match=r"已损坏.*恢复密钥"):
        unlock(PASSWORD)


def test_a_key_store_that_refuses_the_record_leaves_no_plain_key_behind(
    shared_pc: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting the password where the key store cannot be written: the wrapped record
    goes to the key file and the store's plain entry is removed; when even that fails,
    nothing changes and the clerk is told."""
    entries: dict[tuple[str, str], str] = {}
    can_delete = [False]

    class ReadOnlyKeyring:
        def get_password(self, service: str, name: str) -> str | None:
            return entries.get((service, name))

        def set_password(self, service: str, name: str, value: str) -> None:
            if entries:
                raise OSError("the credential store is locked")
            entries[(service, name)] = value

        def delete_password(self, service: str, name: str) -> None:
            if not can_delete[0]:
                raise OSError("the credential store is locked")
            entries.clear()

    monkeypatch.setattr(keys, "_keyring", lambda: ReadOnlyKeyring())
    key = database(db_path)
    assert key.hex() in entries[(keys.KEYRING_SERVICE, keys.KEYRING_ENTRY)]

    with pytest.raises(UserError, match="启动密码没有设置"):
        startup.turn_on(PASSWORD)
    assert not startup.is_on()
    another_run()
    assert find_key(db_path) == key  # as before: silent

    can_delete[0] = True
    startup.turn_on(PASSWORD)
    assert not entries and key.hex().encode() not in stored_bytes(shared_pc)
    another_run()
    unlock(PASSWORD)
    assert find_key(db_path) == key
