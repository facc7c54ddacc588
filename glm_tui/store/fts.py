"""Full-text search: keeping ``messages_fts`` in step with ``messages``, and querying it.

The index is external-content FTS5 over the view ``messages_search`` (content, reasoning, and
the tool calls' names and arguments), maintained explicitly by the store in the same
transaction as each write (see migrations._v2_full_text_search for why not triggers). A
``delete`` must be given exactly the text that was indexed, so rows are unindexed before they
change and indexed after, each time read from the view itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .models import SearchHit, clean_text

# Shortest last word that gets a prefix match: "a*" or "co*" expand to thousands of terms,
# and merging their lists costs more than ranking.
MIN_PREFIX = 3

# When more messages than this match, only the most recent ones are ranked: bm25 costs a few
# microseconds per match, so ranking all 150,000 messages that contain "error" would take half
# a second, while the newest 2,000 take a few milliseconds and are what people look for.
RANK_WINDOW = 2000

# Dropped from a query that has other words: they match nearly everything, so they slow the
# search down without narrowing it. A query made only of them is searched as typed.
_STOPWORD_TEXT = (
    "a an and are as at be but by can do does for from had has have how i if in into is it its me"
    " my no not of on or so than that the their then there these they this to was we were what"
    " when where which who why will with would you your"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


_INDEX_SQL = (
    "INSERT INTO messages_fts(rowid, content, reasoning, tools)"
    " SELECT id, content, reasoning, tools FROM messages_search WHERE id = ?"
)
_UNINDEX_SQL = (
    "INSERT INTO messages_fts(messages_fts, rowid, content, reasoning, tools)"
    " SELECT 'delete', id, content, reasoning, tools FROM messages_search WHERE id = ?"
)


def index_ids(conn: sqlite3.Connection, ids: Iterable[int]) -> None:
    """Add these messages, as they are now, to the index."""
    conn.executemany(_INDEX_SQL, ((mid,) for mid in ids))


def index_range(conn: sqlite3.Connection, first: int, last: int) -> None:
    """Add the messages with ids ``first`` to ``last`` (a bulk import) to the index."""
    conn.execute(
        "INSERT INTO messages_fts(rowid, content, reasoning, tools)"
        " SELECT id, content, reasoning, tools FROM messages_search WHERE id BETWEEN ? AND ?",
        (first, last),
    )


def unindex_ids(conn: sqlite3.Connection, ids: Iterable[int]) -> None:
    """Remove these messages from the index: call before their text changes."""
    conn.executemany(_UNINDEX_SQL, ((mid,) for mid in ids))


def unindex_conversation(conn: sqlite3.Connection, conversation_id: int) -> None:
    conn.execute(
        "INSERT INTO messages_fts(messages_fts, rowid, content, reasoning, tools)"
        " SELECT 'delete', s.id, s.content, s.reasoning, s.tools FROM messages_search AS s"
        " JOIN messages AS m ON m.id = s.id WHERE m.conversation_id = ?",
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
    # FTS5 reads a NUL as the end of the string: "unterminated string".
    query = clean_text(query).replace("\x00", " ")
    pieces = [p for p in query.split() if any(_is_word_char(ch) for ch in p)]
    if not pieces:
        return None
    kept = [p for p in pieces if p.lower() not in STOPWORDS]
    if kept and kept[-1] != pieces[-1]:
        prefix = False  # the word being typed was a stopword: no prefix on another one
    pieces = kept or pieces
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


_OLDEST_SQL = (
    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
)

# bm25() in ORDER BY is about twice as fast as FTS5's own "ORDER BY rank" sorter. Snippets are
# made in a second pass over the few hits only (CROSS JOIN keeps that order), not for every
# ranked row.
_SEARCH_SQL = """
WITH hits AS (
    SELECT rowid AS mid, bm25(messages_fts, 2.0, 1.0, 1.0) AS score
    FROM messages_fts WHERE messages_fts MATCH :match AND rowid >= :oldest
    ORDER BY score LIMIT :limit
)
SELECT m.conversation_id, m.id, c.title, m.role,
       snippet(messages_fts, -1, :open, :close, '…', :tokens), hits.score
FROM hits
CROSS JOIN messages_fts ON messages_fts.rowid = hits.mid
JOIN messages AS m ON m.id = hits.mid
JOIN conversations AS c ON c.id = m.conversation_id
WHERE messages_fts MATCH :match
ORDER BY hits.score, m.id
"""


def _run(
    conn: sqlite3.Connection, match: str, limit: int, highlight: tuple[str, str], tokens: int
) -> list[SearchHit]:
    oldest = conn.execute(_OLDEST_SQL, (match, max(RANK_WINDOW, limit) - 1)).fetchone()
    rows = conn.execute(
        _SEARCH_SQL,
        {
            "match": match,
            "oldest": oldest[0] if oldest else 0,
            "limit": limit,
            "open": highlight[0],
            "close": highlight[1],
            "tokens": tokens,
        },
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


def search(
    conn: sqlite3.Connection,
    query: str,
    limit: int = 50,
    *,
    highlight: tuple[str, str] = ("[", "]"),
    snippet_tokens: int = 12,
) -> list[SearchHit]:
    """Best matches first (bm25, answer text weighted over reasoning); [] for an empty query.

    The words are matched whole first; only if that finds fewer than ``limit`` messages is the
    last word also matched as a prefix (a word still being typed). Expanding a prefix of a
    common word ("the*": their, then, there...) is the slowest thing FTS5 does, and a whole
    word that already fills the page does not need it. Only the RANK_WINDOW most recent matches
    are ranked; finding where they start walks the index in id order without scoring.
    """
    exact = build_match(query, prefix=False)
    if exact is None or limit <= 0:
        return []
    snippet_tokens = max(1, min(snippet_tokens, 64))
    hits = _run(conn, exact, limit, highlight, snippet_tokens)
    if len(hits) < limit:
        prefixed = build_match(query)
        if prefixed is not None and prefixed != exact:
            hits = _run(conn, prefixed, limit, highlight, snippet_tokens)
    return hits
