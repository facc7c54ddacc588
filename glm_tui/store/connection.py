"""Opening the database file: checks before any write, pragmas, migrations."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

from . import fts
from .errors import DatabaseTooNew, NotADatabase, StoreError, translate
from .migrations import SCHEMA_VERSION, ForeignDatabase, migrate, read_version

SQLITE_MAGIC = b"SQLite format 3\x00"

# Python's sqlite3 binds a None only after looking for an adapter for it. With none registered,
# it asks its protocol class for ``__adapt__``, and the failed lookup formats an AttributeError
# message each time: binding a None cost five to seven times as much as a number. A seeded
# message binds seven on average. This adapter, which gives the None back, is found by the
# first lookup; SQLite gets the same NULL. (Registered for the whole process: any other user
# of sqlite3 here gets the same NULLs too.)
_NOTHING: dict[object, None] = {}
sqlite3.register_adapter(type(None), _NOTHING.get)


def connect(
    path: Path, *, busy_timeout: float = 10.0, migrate_to: int = SCHEMA_VERSION
) -> sqlite3.Connection:
    """A ready connection: checked, in WAL mode, migrated. Raises StoreError subclasses.

    Nothing is written to the file before its version is known to be one we can handle, so a
    database from a newer glm-tui, or a file that is not ours, is left exactly as it was.
    """
    _check_header(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the directory for {path}: {exc.strerror}", path=path
        ) from exc
    _create_private(path)
    try:
        conn = sqlite3.connect(
            str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        _prepare(conn, path, busy_timeout, migrate_to)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_private(path: Path) -> None:
    """Create a new database file readable by its owner only (0600), as the config file is: it
    holds every conversation. SQLite gives its ``-wal`` and ``-shm`` files the same mode."""
    if str(path) == ":memory:":
        return
    # An existing file is left as it is; any other failure is SQLite's to report, in its words.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that does not start like SQLite, before SQLite touches it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except IsADirectoryError as exc:
        raise StoreError(f"cannot open {path}: it is a directory", path=path) from exc
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}", path=path) from exc
    if head and head != SQLITE_MAGIC:
        raise NotADatabase(path, "no SQLite header")


def _prepare(conn: sqlite3.Connection, path: Path, busy_timeout: float, migrate_to: int) -> None:
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        version = read_version(conn)
        # Reading the schema catches a damaged file early, still without writing.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise NotADatabase(path, str(exc)) from exc
    if version > SCHEMA_VERSION:
        raise DatabaseTooNew(path, version, SCHEMA_VERSION)
    try:
        # Only takes effect on a new, empty file. Larger pages suit long messages and the FTS
        # index: bulk writes are about 15% faster and the file 15% smaller than with 4 KiB.
        conn.execute("PRAGMA page_size = 16384")
        _set_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL: durable across crashes of the app
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MiB
        # The search index reads its text through a view that calls a function of ours (see
        # fts.py). SQLite built to distrust schemas refuses such a view; this file is ours.
        fts.register(conn)
        conn.execute("PRAGMA trusted_schema = ON")
        migrate(conn, migrate_to)
    except ForeignDatabase as exc:
        raise NotADatabase(path, "an SQLite database of another program") from exc
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc


def _set_wal(conn: sqlite3.Connection) -> None:
    # Switching a new file to WAL needs a moment alone with it; several processes opening a new
    # file at once may be told "locked" without the busy handler being asked, so wait here.
    deadline = time.monotonic() + 10.0
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def close_quietly(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        conn.close()
