"""What every start of the program does before anything else, on every platform.

Two things the Windows build needs and that are harmless elsewhere:

* The windowed ``hebi-desktop.exe`` has no console, so Python starts it with
  ``sys.stdout``/``sys.stderr`` set to None; any ``print`` or ``isatty()`` would then crash
  the program. They are pointed at the null device instead.
* The program holds a named Windows mutex for its whole life. The installer names the same
  mutex (``AppMutex`` in installer/hebi-desktop.iss), so Setup and the uninstaller see that
  the program is running and ask the clerk to close it before they change any file.
"""

from __future__ import annotations

import os
import sys
from typing import Any

# Must equal AppMutex in installer/hebi-desktop.iss (tests/test_process_guard.py checks).
APP_MUTEX_NAME = "HebiDesktop.Running.A3921E9B-7C4B-4FC3-BD14-EAD6011729A7"

# The mutex handle lives as long as the process: Windows releases it when the process ends.
_held_mutex: Any = None


def ensure_standard_streams() -> None:
    """Give missing standard streams (windowed exe, pythonw) a harmless null device."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115


def hold_app_mutex() -> bool:
    """Create the program's named mutex on Windows; a no-op (False) elsewhere.

    Several instances may run at once (the window and the console companion): each just
    opens the same mutex, which stays in existence while any of them runs.
    """
    global _held_mutex
    if sys.platform != "win32" or _held_mutex is not None:
        return _held_mutex is not None
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    create = kernel32.CreateMutexW
    create.argtypes = [wintypes.LPVOID, wintypes.BOOL, wintypes.LPCWSTR]
    create.restype = wintypes.HANDLE
    handle = create(None, False, APP_MUTEX_NAME)
    if not handle:
        return False  # never stop the program over this; Setup merely cannot see it
    _held_mutex = handle
    return True


def prepare_process() -> None:
    """Everything above, first thing in the entry point."""
    ensure_standard_streams()
    hold_app_mutex()
