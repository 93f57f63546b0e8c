"""One window per database: a second start brings the first window forward and exits.

Two windows on one database would each keep their own idea of the records, and a
clerk who double-clicks the icon again usually just lost the window behind others.
The first instance holds a :class:`QLockFile` in the data folder and listens on a
local socket named after a hash of the database URL; a later start finds the lock
taken, sends ``raise`` to the socket and ends. The lock file records the owner's
process id, so after a crash the next start sees the lock is stale, takes it over
and removes the leftover socket (``QLocalServer.removeServer``) before listening.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from hebi_desktop.paths import working_dir
from hebi_desktop.services.instances import server_name

log = logging.getLogger(__name__)

__all__ = ["SingleInstance", "server_name"]

RAISE = b"raise\n"
LOCK_WAIT_MS = 200
CONNECT_WAIT_MS = 2000


class SingleInstance(QObject):
    """The lock and the socket of one database. ``raise_requested`` fires in the first
    instance each time a later start asks it to come forward."""

    raise_requested = Signal()

    def __init__(
        self, db_url: str, lock_dir: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.name = server_name(db_url)
        folder = lock_dir if lock_dir is not None else working_dir("")
        self.lock_path = Path(folder) / f"{self.name}.lock"
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(0)  # held for hours: stale only when its owner is gone
        self._server: QLocalServer | None = None
        self._sockets: list[QLocalSocket] = []

    @property
    def is_primary(self) -> bool:
        return self._lock.isLocked()

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def acquire(self) -> bool:
        """Take the lock and listen; False when another live instance holds it."""
        if not self._lock.tryLock(LOCK_WAIT_MS):
            if self._lock.error() is QLockFile.LockError.LockFailedError:
                return False
            # No permission or a broken data folder: better two windows than none.
            log.warning("cannot create lock file %s (%s)", self.lock_path, self._lock.error())
            return True
        # The lock is ours, so a socket of this name is a leftover from a crash.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if server.listen(self.name):
            server.newConnection.connect(self._accept)
            self._server = server
        else:
            log.warning("cannot listen on %s: %s", self.name, server.errorString())
        return True

    def notify_first(self, timeout_ms: int = CONNECT_WAIT_MS) -> bool:
        """Ask the running instance to bring its window forward; True when it was told."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            log.info("no running instance answers on %s: %s", self.name, socket.errorString())
            return False
        socket.write(RAISE)
        sent = socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        if socket.state() is not QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(timeout_ms)
        return sent

    def release(self) -> None:
        """Stop listening and drop the lock (at exit)."""
        for socket in self._sockets:
            socket.disconnected.disconnect(self._forget)
            socket.abort()
            socket.deleteLater()
        self._sockets.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    # Bound methods, not lambdas: Qt drops these connections when this object goes away,
    # so a socket closing during shutdown never calls into a deleted object.

    @Slot()
    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._sockets.append(socket)
            socket.readyRead.connect(self._ready_read)
            socket.disconnected.connect(self._forget)
            if socket.bytesAvailable():
                self._read(socket)

    @Slot()
    def _ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if RAISE.strip() in socket.readAll().data():
            log.info("another start asked this window to come forward")
            self.raise_requested.emit()

    @Slot()
    def _forget(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            if socket in self._sockets:
                self._sockets.remove(socket)
            socket.deleteLater()
