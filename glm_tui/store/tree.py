"""Reading the message tree: paths, children, siblings, leaves."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from . import fts
from .models import Message
from .rows import MESSAGE_COLUMNS, MESSAGE_FIELDS, columns, message_from_row

_PATH_SQL = f"""
WITH RECURSIVE up(id, depth) AS (
    SELECT ?, 0
    UNION ALL
    SELECT m.parent_id, up.depth + 1 FROM messages AS m JOIN up ON m.id = up.id
    WHERE m.parent_id IS NOT NULL
)
SELECT {columns(MESSAGE_FIELDS, "m")} FROM up JOIN messages AS m ON m.id = up.id
ORDER BY up.depth DESC
"""

_NEWEST_LEAF_SQL = """
WITH RECURSIVE down(id, depth) AS (
    SELECT ?, 0
    UNION ALL
    SELECT (SELECT max(m.id) FROM messages AS m WHERE m.parent_id = down.id), down.depth + 1
    FROM down WHERE down.id IS NOT NULL
)
SELECT id FROM down WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1
"""


def get_message(conn: sqlite3.Connection, mid: int) -> Message | None:
    row = conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (mid,)).fetchone()
    return message_from_row(row) if row is not None else None


def path_to(conn: sqlite3.Connection, mid: int) -> list[Message]:
    """Root .. mid in one recursive query; [] if mid does not exist."""
    return [message_from_row(row) for row in conn.execute(_PATH_SQL, (mid,))]


def children(conn: sqlite3.Connection, mid: int) -> list[Message]:
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? ORDER BY id", (mid,)
    )
    return [message_from_row(row) for row in rows]


def siblings(conn: sqlite3.Connection, message: Message) -> list[Message]:
    """Messages with the same parent (for a root: the conversation's roots), oldest first."""
    if message.parent_id is None:
        rows = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages"
            " WHERE conversation_id = ? AND parent_id IS NULL ORDER BY id",
            (message.conversation_id,),
        )
    else:
        rows = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? ORDER BY id",
            (message.parent_id,),
        )
    return [message_from_row(row) for row in rows]


# Siblings share the parent; roots (parent NULL) are siblings within their conversation.
# "IS" matches NULL too, and (conversation_id, parent_id) is indexed.
_BRANCH_SQL = """
SELECT m.id,
    (SELECT count(*) FROM messages AS s WHERE s.conversation_id = m.conversation_id
        AND s.parent_id IS m.parent_id AND s.id <= m.id),
    (SELECT count(*) FROM messages AS s WHERE s.conversation_id = m.conversation_id
        AND s.parent_id IS m.parent_id)
FROM messages AS m WHERE m.id IN ({marks})
"""
_BATCH = 500


def branch_positions(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """For each id: (its 1-based place among its siblings, oldest first; how many there are)."""
    positions: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), _BATCH):
        batch = list(ids[start : start + _BATCH])
        sql = _BRANCH_SQL.format(marks=", ".join("?" * len(batch)))
        for mid, place, count in conn.execute(sql, batch):
            positions[int(mid)] = (int(place), int(count))
    return positions


def newest_leaf_under(conn: sqlite3.Connection, mid: int) -> int:
    """Follow the most recent child down from mid until a leaf (mid itself if it has none)."""
    row = conn.execute(_NEWEST_LEAF_SQL, (mid,)).fetchone()
    return int(row[0])


def newest_root(conn: sqlite3.Connection, cid: int) -> int | None:
    row = conn.execute(
        "SELECT max(id) FROM messages WHERE conversation_id = ? AND parent_id IS NULL", (cid,)
    ).fetchone()
    return None if row[0] is None else int(row[0])


def all_messages(conn: sqlite3.Connection, cid: int) -> list[Message]:
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id", (cid,)
    )
    return [message_from_row(row) for row in rows]


# Columns copy_path() sets itself rather than copying.
_NOT_COPIED = ("id", "conversation_id", "parent_id")


def copy_path(conn: sqlite3.Connection, path: list[Message], now: str) -> int:
    """A new conversation "<title> (fork)" holding copies of ``path``; returns its id.

    Runs inside the caller's write transaction. Rows are copied in SQL, so every column,
    usage and times included, comes along without being listed here.
    """
    # The fork's title is chosen ("... (fork)"): an automatic title does not replace it.
    cur = conn.execute(
        "INSERT INTO conversations (title, provider, model, system_prompt, settings,"
        " created_at, updated_at, message_count, title_source)"
        " SELECT title || ' (fork)', provider, model, system_prompt, settings, ?, ?, ?, 'user'"
        " FROM conversations WHERE id = ?",
        (now, now, len(path), path[0].conversation_id),
    )
    cid = int(cur.lastrowid or 0)
    copied = ", ".join(f for f in MESSAGE_FIELDS if f not in _NOT_COPIED)
    parent: int | None = None
    for message in path:
        cur = conn.execute(
            f"INSERT INTO messages (conversation_id, parent_id, {copied})"
            f" SELECT ?, ?, {copied} FROM messages WHERE id = ?",
            (cid, parent, message.id),
        )
        parent = int(cur.lastrowid or 0)
        fts.index_ids(conn, [parent])
    conn.execute("UPDATE conversations SET current_leaf_id = ? WHERE id = ?", (parent, cid))
    return cid
