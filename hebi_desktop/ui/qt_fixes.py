"""Work-arounds for defects of the Qt binding, applied once before widgets are used.

PySide6 6.12.0 returns ``True`` from ``SignalInstance.emit()`` without taking a
reference to it. On Python 3.11 (where ``True`` is an ordinary, counted object) every
signal emitted from Python code therefore takes one reference away from ``True``;
after a few thousand keystrokes the interpreter aborts with "deallocating True or
False". :func:`apply` detects the defect at run time and, only if present, wraps
``emit`` so it gives back the missing reference. Newer versions (or Python 3.12+,
where ``True`` is immortal) show no defect and are left alone.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

log = logging.getLogger(__name__)

_applied = False


class _Probe(QObject):
    fired = Signal()


def emit_loses_reference() -> bool:
    """Whether emitting a signal takes a reference away from the value it returns."""
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False)
    result = probe.fired.emit()  # type: ignore[func-returns-value]  # it does, here
    del result
    after = sys.getrefcount(True), sys.getrefcount(False)
    probe.deleteLater()
    return after < before


def apply() -> bool:
    """Install the work-around if this binding needs it; returns whether it is active."""
    global _applied
    if _applied:
        return True
    if not emit_loses_reference():
        return False
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:
            incref(result)  # the reference the binding forgot to take
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _applied = True
    if emit_loses_reference():  # pragma: no cover - would mean the diagnosis was wrong
        log.error("signal emit still loses references after the work-around")
    else:
        log.info("worked around the signal-emit reference defect of PySide6")
    return True


apply()
