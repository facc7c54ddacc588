"""The store's plumbing: the connection, transactions, and sqlite3 errors made readable.

Several processes may use one file at once (the TUI, ``glm-tui ask`` in a script...): every
write is one ``BEGIN IMMEDIATE`` transaction, so writers queue on the busy timeout instead of
failing with "database is locked" halfway through.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from . import tree
from .connection import close_quietly, connect
from .errors import NotFound, StoreError, translate
from .models import Message
from .recovery import recover_streaming

if TYPE_CHECKING:
    from sqlite_utils import Database


class StoreBase:
    """Opening, closing, transactions and error translation; Store adds the operations.

    A store may be handed between threads; its methods take a lock, so one runs at a time.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._db: Database | None = None
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout: float = 10.0, recover: bool = True) -> Self:
        """Open (creating it and its directory if needed), migrate, and recover dead streams.

        Raises DatabaseTooNew, NotADatabase, ReadOnlyError or another StoreError.
        """
        path = Path(path).expanduser()
        conn = connect(path, busy_timeout=busy_timeout)
        store = cls(conn, path)
        if recover:
            try:
                store.recover_interrupted()
            except BaseException:
                store.close()
                raise
        return store

    def recover_interrupted(self) -> list[int]:
        """Mark ``interrupted`` the replies still ``streaming`` whose writer process is gone.

        Done by ``open``; a long-running UI may call it again. Returns the ids it changed.
        """
        with self._lock, self._errors():
            return recover_streaming(self.conn)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                close_quietly(self._conn)
                self._conn = None
                self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the store for {self.path} is closed", path=self.path)
        return self._conn

    @property
    def db(self) -> Database:
        """The sqlite-utils Database, for tools and tests; writes should go through Store.

        Made on first use: importing sqlite-utils would add ~100 ms to every command.
        """
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False, recursive_triggers=False)
        return self._db

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            yield self.conn

    @contextmanager
    def waiting_at_most(self, seconds: float) -> Iterator[None]:
        """Within the block, wait at most ``seconds`` for another program's lock (then the write
        fails with DatabaseLocked) instead of the busy timeout the store was opened with: for a
        write that may as well be tried again later."""
        with self._lock, self._errors():
            conn = self.conn
            (previous,) = conn.execute("PRAGMA busy_timeout").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")
            try:
                yield
            finally:
                if self._conn is not None:
                    self._conn.execute(f"PRAGMA busy_timeout = {int(previous)}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: all of it is kept, or none of it."""
        with self._lock, self._errors():
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _conversation_row_exists(self, conn: sqlite3.Connection, cid: int) -> None:
        if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is None:
            raise NotFound("conversation", cid, self.path)

    def _message(self, conn: sqlite3.Connection, mid: int) -> Message:
        message = tree.get_message(conn, mid)
        if message is None:
            raise NotFound("message", mid, self.path)
        return message
