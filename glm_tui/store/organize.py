"""Organising the history: pins, tags, bookmarks, automatic titles and what the history cost.

The store's operations for them, in a base class of ``Store`` (store.py holds the rest). None of
these moves a conversation in the most-recently-updated order: pinning or tagging one is not
writing in it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from glm_tui.api.events import Usage

from .base import StoreBase
from .models import USAGE_FIELDS, Bookmark, clean_text, utc_now

if TYPE_CHECKING:
    # Loaded by the two methods that use it: `list` and `show` never do.
    from .spending import Grouping, UsageTotals

TAG_LENGTH = 40
"""The longest tag, in characters."""
EXCERPT_LENGTH = 120
"""Characters of a bookmarked message shown in a list of bookmarks."""


def clean_tag(text: str) -> str:
    """A tag as stored: the text without surrounding spaces or a leading ``#``; ValueError, in
    one sentence, when it cannot be a tag (empty, spaces or commas inside, too long)."""
    tag = clean_text(text).strip()
    if tag.startswith("#"):
        tag = tag[1:]
    if not tag:
        raise ValueError("a tag cannot be empty")
    if any(ch.isspace() or not ch.isprintable() for ch in tag):
        raise ValueError(f"a tag is one word, without spaces: {tag!r}")
    if "," in tag:
        raise ValueError(f"a tag cannot hold a comma: {tag!r}")
    if len(tag) > TAG_LENGTH:
        raise ValueError(f"a tag has at most {TAG_LENGTH} characters, not {len(tag)}")
    return tag


def _excerpt(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT_LENGTH else line[: EXCERPT_LENGTH - 1].rstrip() + "…"


_BOOKMARKS_SQL = """
SELECT b.message_id, m.conversation_id, c.title, m.role, substr(m.content, 1, 2000),
       m.created_at, b.created_at
FROM bookmarks AS b
JOIN messages AS m ON m.id = b.message_id
JOIN conversations AS c ON c.id = m.conversation_id
{where}
ORDER BY b.created_at DESC, b.message_id DESC
LIMIT ?
"""


class Organising(StoreBase):
    """Pins, tags, bookmarks, automatic titles, side requests and usage (see the module)."""

    # -- pins --------------------------------------------------------------------------------

    def set_pinned(self, cid: int, pinned: bool) -> bool:
        """Pin a conversation (it stays at the top of lists) or unpin it; returns whether that
        changed anything."""
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            cur = conn.execute(
                "UPDATE conversations SET pinned = ? WHERE id = ? AND pinned != ?",
                (int(pinned), cid, int(pinned)),
            )
            return cur.rowcount > 0

    # -- tags --------------------------------------------------------------------------------

    def add_tag(self, cid: int, tag: str) -> bool:
        """Tag a conversation (``clean_tag`` rules; a tag it has in another case is kept as it
        was); returns whether the tag is new to it. ValueError for a bad tag."""
        tag = clean_tag(tag)
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            cur = conn.execute(
                "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) VALUES (?, ?)",
                (cid, tag),
            )
            return cur.rowcount > 0

    def remove_tag(self, cid: int, tag: str) -> bool:
        """Take a tag off a conversation (any case); returns whether it had it."""
        tag = clean_tag(tag)
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            cur = conn.execute(
                "DELETE FROM conversation_tags WHERE conversation_id = ? AND tag = ?", (cid, tag)
            )
            return cur.rowcount > 0

    def tags_of(self, cid: int) -> list[str]:
        with self._read() as conn:
            self._conversation_row_exists(conn, cid)
            return _tags(conn, cid)

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use and how many conversations have it, by name (without case). A tag
        written in several cases is listed once, as first written."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT tag, count(*) FROM conversation_tags GROUP BY tag"
                " ORDER BY tag COLLATE NOCASE"
            ).fetchall()
        return [(row[0], int(row[1])) for row in rows]

    # -- bookmarks ---------------------------------------------------------------------------

    def set_bookmark(self, mid: int, bookmarked: bool) -> bool:
        """Bookmark a message, or remove its bookmark; returns whether that changed anything."""
        with self._write() as conn:
            self._message(conn, mid)
            if bookmarked:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO bookmarks (message_id, created_at) VALUES (?, ?)",
                    (mid, utc_now()),
                )
            else:
                cur = conn.execute("DELETE FROM bookmarks WHERE message_id = ?", (mid,))
            return cur.rowcount > 0

    def bookmarked_ids(self, cid: int) -> set[int]:
        """The conversation's bookmarked messages (all branches): the pane marks them."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT b.message_id FROM bookmarks AS b JOIN messages AS m ON m.id = b.message_id"
                " WHERE m.conversation_id = ?",
                (cid,),
            ).fetchall()
        return {int(row[0]) for row in rows}

    def list_bookmarks(
        self, limit: int | None = None, *, conversation_id: int | None = None
    ) -> list[Bookmark]:
        """Bookmarks across conversations (or of one), the most recently made first."""
        where, params = "", [-1 if limit is None else limit]
        if conversation_id is not None:
            where, params = "WHERE m.conversation_id = ?", [conversation_id, *params]
        with self._read() as conn:
            rows = conn.execute(_BOOKMARKS_SQL.format(where=where), params).fetchall()
        return [
            Bookmark(
                message_id=row[0],
                conversation_id=row[1],
                title=row[2],
                role=row[3],
                excerpt=_excerpt(row[4] or ""),
                created_at=row[5],
                bookmarked_at=row[6],
            )
            for row in rows
        ]

    # -- automatic titles and what they cost -------------------------------------------------

    def set_model_title(self, cid: int, title: str) -> bool:
        """Give a conversation an automatic title, unless its title is no longer the one made
        from its first prompt (renamed meanwhile, or titled already): returns whether it did.
        The conversation does not move in the most-recently-updated order."""
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            cur = conn.execute(
                "UPDATE conversations SET title = ?, title_source = 'model'"
                " WHERE id = ? AND title_source = 'prompt'",
                (clean_text(title), cid),
            )
            return cur.rowcount > 0

    def add_side_request(
        self, cid: int | None, *, purpose: str, model: str | None, usage: Usage
    ) -> None:
        """Keep what a request that is no message cost (an automatic title): counted in the
        conversation's usage like its messages."""
        values = tuple(getattr(usage, name) for name in USAGE_FIELDS)
        with self._write() as conn:
            if cid is not None:
                self._conversation_row_exists(conn, cid)
            conn.execute(
                f"INSERT INTO side_requests (conversation_id, purpose, model, created_at,"
                f" {', '.join(USAGE_FIELDS)}) VALUES (?, ?, ?, ?{', ?' * len(USAGE_FIELDS)})",
                (cid, purpose, model, utc_now(), *values),
            )

    def side_requests_usage(self, cid: int) -> Usage:
        """The usage of a conversation's side requests alone (token counts 0 when none)."""
        with self._read() as conn:
            return _usage_sums(conn, "side_requests", cid)

    # -- what the history cost ----------------------------------------------------------------

    def conversation_usage(self, cid: int) -> Usage:
        """Usage summed over every message of the conversation, all branches included, and
        over its side requests (its automatic title).

        Token counts are 0 when nothing was reported; credits and usd stay None unless some
        message had a cost (an unknown cost is not a zero cost).
        """
        with self._read() as conn:
            self._conversation_row_exists(conn, cid)
            messages = _usage_sums(conn, "messages", cid)
            side = _usage_sums(conn, "side_requests", cid)
        return add_usages(messages, side)

    def usage_by(
        self, by: Grouping, *, since: date | None = None, until: date | None = None
    ) -> list[UsageTotals]:
        """Tokens and cost of the replies made from ``since`` to ``until`` (local days,
        inclusive; None: no bound), by day, model or conversation (see spending.py)."""
        from . import spending

        with self._read() as conn:
            return spending.grouped(conn, by, since=since, until=until)

    def usage_total(self, *, since: date | None = None, until: date | None = None) -> UsageTotals:
        from . import spending

        with self._read() as conn:
            return spending.total(conn, since=since, until=until)


def _tags(conn: sqlite3.Connection, cid: int) -> list[str]:
    rows = conn.execute(
        "SELECT tag FROM conversation_tags WHERE conversation_id = ? ORDER BY tag COLLATE NOCASE",
        (cid,),
    ).fetchall()
    return [row[0] for row in rows]


def usage_sums_sql(table: str) -> str:
    """The sums of the usage columns of ``table`` for one conversation: token counts 0 when
    nothing was reported, credits and usd NULL unless some row had a cost."""
    sums = ", ".join(
        f"sum({name})" if name in ("credits", "usd") else f"coalesce(sum({name}), 0)"
        for name in USAGE_FIELDS
    )
    return f"SELECT {sums} FROM {table} WHERE conversation_id = ?"


def _usage_sums(conn: sqlite3.Connection, table: str, cid: int) -> Usage:
    return Usage(*conn.execute(usage_sums_sql(table), (cid,)).fetchone())


def add_usages(first: Usage, second: Usage) -> Usage:
    """Field by field; a cost stays None only when both are None (unknown is not zero)."""
    values: dict[str, Any] = {}
    for name in USAGE_FIELDS:
        a, b = getattr(first, name), getattr(second, name)
        values[name] = None if a is None and b is None else (a or 0) + (b or 0)
    return Usage(**values)


def tags_for(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    """The tags of these conversations (an id without tags is left out)."""
    tags: dict[int, list[str]] = {}
    wanted = set(ids)
    rows = conn.execute(
        "SELECT conversation_id, tag FROM conversation_tags ORDER BY tag COLLATE NOCASE"
    )
    for cid, tag in rows:
        if cid in wanted:
            tags.setdefault(cid, []).append(tag)
    return tags
