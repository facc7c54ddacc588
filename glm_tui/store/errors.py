"""Errors of the history store: each one clear line for a person, naming the database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """Base of every error the store raises; ``str(error)`` is one line fit for ``error: ...``."""

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(message)


class DatabaseTooNew(StoreError):
    """The file was written by a newer glm-tui; it is refused and left untouched."""

    def __init__(self, path: Path | str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"{path} has schema version {found}, but this glm-tui knows versions up to "
            f"{supported}: upgrade glm-tui to open it (the file was not changed)",
            path=path,
        )


class NotADatabase(StoreError):
    """The file is not an SQLite database, or it is damaged."""

    def __init__(self, path: Path | str, detail: str = "") -> None:
        why = f" ({detail})" if detail else ""
        super().__init__(
            f"{path} is not a glm-tui history database: it is not SQLite or it is damaged{why}",
            path=path,
        )


class NotFound(StoreError):
    """An unknown conversation or message id."""

    def __init__(self, kind: str, ident: int, path: Path | str | None = None) -> None:
        self.kind = kind
        self.ident = ident
        where = f" in {path}" if path is not None else ""
        super().__init__(f"no {kind} with id {ident}{where}", path=path)


class ImportFormatError(StoreError):
    """A malformed import; ``where`` is a path such as ``conversations[2].messages[5].role``."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        location = f"{where}: " if where else ""
        super().__init__(f"malformed import: {location}{problem} (nothing was imported)")


class StoreWriteError(StoreError):
    """Writing to the database failed; nothing of the failed operation was kept."""


class ReadOnlyError(StoreWriteError):
    """The database file (or its directory) cannot be written."""


class DiskFullError(StoreWriteError):
    """The disk holding the database is full."""


class DatabaseLocked(StoreWriteError):
    """Another process held the database locked for longer than the busy timeout."""


def translate(exc: sqlite3.Error, path: Path | str) -> StoreError:
    """Turn an sqlite3 exception into the matching one-line StoreError."""
    text = str(exc)
    low = text.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        return ReadOnlyError(f"cannot write to {path}: the database is read-only", path=path)
    if "disk is full" in low or "disk full" in low:
        return DiskFullError(f"cannot write to {path}: the disk is full", path=path)
    if "locked" in low or "busy" in low:
        return DatabaseLocked(
            f"{path} stayed locked by another process for too long; try again", path=path
        )
    if "not a database" in low or "malformed" in low or "encrypted" in low:
        return NotADatabase(path, text)
    if "unable to open" in low:
        return StoreError(f"cannot open {path}: {text}", path=path)
    if "disk i/o" in low:
        return StoreWriteError(f"cannot read or write {path}: disk I/O error", path=path)
    return StoreError(f"{path}: database error: {text}", path=path)
