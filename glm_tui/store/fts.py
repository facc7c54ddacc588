"""Full-text search: keeping ``messages_fts`` in step with ``messages``, and querying it.

The index is external-content FTS5, maintained explicitly by the store in the same transaction
as each write (see migrations._v2_full_text_search for why not triggers). A ``delete`` must be
given exactly the text that was indexed, so callers pass the old values they read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .models import SearchHit

IndexRow = tuple[int, str, str | None]

# Shortest last word that gets a prefix match: "a*" would expand to thousands of terms.
MIN_PREFIX = 2


def index_rows(conn: sqlite3.Connection, rows: Iterable[IndexRow]) -> None:
    """Add (id, content, reasoning) rows to the index."""
    conn.executemany("INSERT INTO messages_fts(rowid, content, reasoning) VALUES (?, ?, ?)", rows)


def unindex_rows(conn: sqlite3.Connection, rows: Iterable[IndexRow]) -> None:
    """Remove rows from the index; the text must be what was indexed."""
    conn.executemany(
        "INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)"
        " VALUES ('delete', ?, ?, ?)",
        rows,
    )


def unindex_conversation(conn: sqlite3.Connection, conversation_id: int) -> None:
    conn.execute(
        "INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)"
        " SELECT 'delete', id, content, reasoning FROM messages WHERE conversation_id = ?",
        (conversation_id,),
    )


def _is_word_char(ch: str) -> bool:
    # What the unicode61 tokenizer keeps: letters and numbers.
    return ch.isalnum()


def build_match(query: str, *, prefix: bool = True) -> str | None:
    """An FTS5 MATCH expression for text a person typed, or None if it has no words.

    Every whitespace-separated piece is quoted as a phrase, so quotes, ``*``, ``AND``, ``-``,
    ``NEAR(`` and the like are plain text and can never be a syntax error. Pieces without a
    letter or digit are dropped (they would be empty phrases). The last piece also matches as a
    prefix, for search-as-you-type, unless the text ends with a space.
    """
    pieces = [p for p in query.split() if any(_is_word_char(ch) for ch in p)]
    if not pieces:
        return None
    phrases = ['"' + p.replace('"', '""') + '"' for p in pieces]
    last = pieces[-1]
    if (
        prefix
        and not query[-1].isspace()
        and _is_word_char(last[-1])
        and _trailing_word_length(last) >= MIN_PREFIX
    ):
        phrases[-1] += "*"
    return " ".join(phrases)


def _trailing_word_length(piece: str) -> int:
    n = 0
    for ch in reversed(piece):
        if not _is_word_char(ch):
            break
        n += 1
    return n


_SEARCH_SQL = """
SELECT m.conversation_id, m.id, c.title, m.role, hits.snip, hits.rank
FROM (
    SELECT rowid AS mid, rank, snippet(messages_fts, -1, ?, ?, '…', ?) AS snip
    FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?
) AS hits
JOIN messages AS m ON m.id = hits.mid
JOIN conversations AS c ON c.id = m.conversation_id
ORDER BY hits.rank, m.id
"""


def search(
    conn: sqlite3.Connection,
    query: str,
    limit: int = 50,
    *,
    highlight: tuple[str, str] = ("[", "]"),
    snippet_tokens: int = 12,
) -> list[SearchHit]:
    """Best matches first (bm25, answer text weighted over reasoning); [] for an empty query."""
    match = build_match(query)
    if match is None or limit <= 0:
        return []
    rows = conn.execute(
        _SEARCH_SQL, (highlight[0], highlight[1], snippet_tokens, match, limit)
    ).fetchall()
    return [
        SearchHit(
            conversation_id=row[0],
            message_id=row[1],
            title=row[2],
            role=row[3],
            # One line: snippets cut across paragraphs and code blocks.
            snippet=" ".join((row[4] or "").split()),
            rank=float(row[5]),
        )
        for row in rows
    ]
