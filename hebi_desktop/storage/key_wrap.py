"""The desk's keys wrapped under a start-up password (shared PCs).

With a start-up password the key store holds no key that opens a database by itself:
it holds the key list encrypted (AES-256-GCM) under a key derived from the password
with scrypt, a memory-hard function, so each guess costs about a third of a second and
128 MB on an office PC; the salt and the cost parameters are stored beside it, so a
later version may raise the cost without breaking stores written before. The standard
library's scrypt lets other threads run meanwhile (``cryptography``'s holds the
interpreter), so the window checks a password on a worker and keeps drawing. The record is
one line of JSON, the same in the system key store and in the key file; binary fields
are base64, so the record stays smaller than the plain key list (Windows' Credential
Manager holds at most 2,560 bytes of UTF-16, about 1,280 characters).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "hebi-desktop wrapped keys"
VERSION = 1
# scrypt cost: N=2^17, r=8 takes 128 MB and ~0.3 s a try on a two-core office PC.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
WRAPPING_KEY_BYTES = 32
MAX_MEMORY = 2**31 - 1  # the most hashlib.scrypt accepts as its memory ceiling


class WrongPassword(Exception):
    """The password does not unwrap the keys (or the record was altered)."""


class DamagedRecord(Exception):
    """The key store holds something that is no wrapped-keys record of ours."""


@dataclass(frozen=True, slots=True)
class Wrapping:
    """A password-derived key and what derived it: re-wraps the list without a new
    derivation (adding a key learnt from a recovery key, say)."""

    key: bytes
    salt: bytes
    n: int
    r: int
    p: int

    def wrap(self, plaintext: bytes) -> str:
        """The record (one line of JSON) holding ``plaintext`` encrypted."""
        nonce = os.urandom(NONCE_BYTES)
        data = AESGCM(self.key).encrypt(nonce, plaintext, _associated(self))
        record = {
            "format": FORMAT,
            "version": VERSION,
            "kdf": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": _text(self.salt),
            "nonce": _text(nonce),
            "data": _text(data),
        }
        return json.dumps(record, separators=(",", ":"))


def _text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _associated(wrapping: Wrapping) -> bytes:
    """The parameters are authenticated with the data: altering them breaks the tag."""
    return f"{FORMAT} v{VERSION} scrypt {wrapping.n} {wrapping.r} {wrapping.p}".encode()


def derive(
    password: str, salt: bytes | None = None, n: int = 0, r: int = 0, p: int = 0
) -> Wrapping:
    """The wrapping key of ``password``: a fresh salt and today's cost unless given."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    n, r, p = n or SCRYPT_N, r or SCRYPT_R, p or SCRYPT_P
    memory = min(128 * r * (n + p + 2) + 2**20, MAX_MEMORY)  # what scrypt needs, a bit more
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=WRAPPING_KEY_BYTES
    )
    return Wrapping(key, salt, n, r, p)


def is_wrapped(text: str) -> bool:
    """Whether a key store's text is a wrapped record (not a list of plain keys)."""
    return text.lstrip().startswith("{")


def unwrap(text: str, password: str) -> tuple[bytes, Wrapping]:
    """The plaintext of a record and the wrapping that opened it.

    Raises WrongPassword or DamagedRecord."""
    try:
        record = json.loads(text)
        if record.get("format") != FORMAT or record.get("kdf") != "scrypt":
            raise DamagedRecord("not a wrapped-keys record")
        salt = _bytes(record["salt"])
        nonce = _bytes(record["nonce"])
        data = _bytes(record["data"])
        n, r, p = int(record["n"]), int(record["r"]), int(record["p"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise DamagedRecord(str(error)) from None
    if n < 2 or n & (n - 1) or not 0 < r <= 64 or not 0 < p <= 16 or n * r > 2**24:
        raise DamagedRecord("scrypt parameters out of range")  # no 100 GB derivation
    try:
        wrapping = derive(password, salt, n, r, p)
    except (ValueError, MemoryError) as error:  # beyond what this PC's scrypt may take
        raise DamagedRecord(str(error)) from None
    try:
        plaintext = AESGCM(wrapping.key).decrypt(nonce, data, _associated(wrapping))
    except InvalidTag:
        raise WrongPassword from None
    return plaintext, wrapping
