"""Hiding passwords in database addresses: the one masking every shown or logged address
goes through (``storage.engine.display_url`` for messages, the log formatter for log lines).

A PostgreSQL address can carry its password in two places: the user-info
(``postgresql://clerk:secret@host/db``) and a query parameter handed to the driver
(``?password=secret``, ``&sslpassword=secret``). Both are replaced by ``***``, in a whole
address or anywhere inside a longer text (a driver's error message, a traceback).
"""

from __future__ import annotations

import re

HIDDEN = "***"

# scheme://user:password@  (the password may be empty)
_USER_INFO = re.compile(r"(\b[A-Za-z][\w+.-]*://[^\s/:@]*):[^\s/@]*@")
# ?password=…, &sslpassword=…, ;passwd=…, " password=…" (libpq conninfo), any case.
_SECRET_PARAMETER = re.compile(
    r"((?:^|[?&;\s(,])[\w.-]*(?:password|passwd|pwd|secret|token)[\w.-]*\s*=\s*)"
    r"('[^']*'|\"[^\"]*\"|[^&\s;,)'\"]*)",
    re.IGNORECASE,
)


def mask_address(text: str) -> str:
    """``text`` with every password of a database address in it replaced by ``***``."""
    text = _USER_INFO.sub(rf"\1:{HIDDEN}@", text)
    return _SECRET_PARAMETER.sub(rf"\1{HIDDEN}", text)
