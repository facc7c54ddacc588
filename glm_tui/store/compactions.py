"""Compactions: a summary of a conversation's older turns that stands in for them in what is
sent to the model, from the message it summarises up to (``through_id``) on.

Nothing is deleted: the turns stay in the tree and on screen (folded), and undoing a compaction
only marks it undone. A compaction applies to every branch that goes through its
``through_id``; on a branch the newest one that is not undone wins.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from glm_tui.api.events import Usage
from glm_tui.records import record

from .models import USAGE_FIELDS, Message, usage_from_row, utc_now

_COLUMNS = (
    "id, conversation_id, through_id, summary, summarised, model, "
    + ", ".join(USAGE_FIELDS)
    + ", created_at, undone_at"
)


@record
class Compaction:
    id: int
    conversation_id: int
    through_id: int
    """The last message the summary stands for."""
    summary: str
    summarised: int
    """How many messages of the branch it stood for when it was made (the fold's count)."""
    model: str | None
    usage: Usage | None
    """What the summary request cost."""
    created_at: str
    undone_at: str | None

    @property
    def active(self) -> bool:
        return self.undone_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "through_id": self.through_id,
            "summary": self.summary,
            "summarised": self.summarised,
            "model": self.model,
            "usage": self.usage.to_dict() if self.usage is not None else None,
            "created_at": self.created_at,
            "undone_at": self.undone_at,
        }


def _from_row(row: Sequence[Any]) -> Compaction:
    return Compaction(
        id=row[0],
        conversation_id=row[1],
        through_id=row[2],
        summary=row[3],
        summarised=row[4],
        model=row[5],
        usage=usage_from_row(row[6:13]),
        created_at=row[13],
        undone_at=row[14],
    )


def add(
    conn: sqlite3.Connection,
    cid: int,
    through_id: int,
    summary: str,
    summarised: int,
    model: str | None,
    usage: Usage | None,
    created_at: str | None = None,
    undone_at: str | None = None,
) -> int:
    usage_values = tuple(getattr(usage, n) if usage else None for n in USAGE_FIELDS)
    cur = conn.execute(
        f"INSERT INTO compactions ({_COLUMNS.removeprefix('id, ')})"
        f" VALUES ({', '.join('?' * (len(USAGE_FIELDS) + 7))})",
        (
            cid,
            through_id,
            summary,
            summarised,
            model,
            *usage_values,
            created_at or utc_now(),
            undone_at,
        ),
    )
    return int(cur.lastrowid or 0)


def get(conn: sqlite3.Connection, compaction_id: int) -> Compaction | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM compactions WHERE id = ?", (compaction_id,)
    ).fetchone()
    return None if row is None else _from_row(row)


def of_conversation(conn: sqlite3.Connection, cid: int) -> list[Compaction]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM compactions WHERE conversation_id = ? ORDER BY id", (cid,)
    )
    return [_from_row(row) for row in rows]


def all_compactions(conn: sqlite3.Connection) -> list[Compaction]:
    """Every conversation's, by id (an export of many conversations reads them in one go)."""
    return [
        _from_row(row) for row in conn.execute(f"SELECT {_COLUMNS} FROM compactions ORDER BY id")
    ]


def set_undone(conn: sqlite3.Connection, compaction_id: int, undone: bool) -> int:
    cur = conn.execute(
        "UPDATE compactions SET undone_at = ? WHERE id = ?",
        (utc_now() if undone else None, compaction_id),
    )
    return cur.rowcount


def active_on(compactions: Sequence[Compaction], path: Sequence[Message]) -> Compaction | None:
    """The compaction that applies to this branch: the newest active one it goes through."""
    on_path = {m.id for m in path}
    for compaction in reversed(compactions):
        if compaction.active and compaction.through_id in on_path:
            return compaction
    return None
