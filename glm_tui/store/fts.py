"""Full-text search: keeping ``messages_fts`` in step with ``messages``, and querying it.

The index is external-content FTS5 over the view ``messages_search`` (content, reasoning, and
the tool calls' names and arguments), maintained explicitly by the store in the same
transaction as each write (see migrations._v2_full_text_search for why not triggers). A
``delete`` must be given exactly the text that was indexed, so rows are unindexed before they
change and indexed after, each time read from the view itself. The view leaves out
``streaming`` messages: a reply is indexed once, when its stream ends (the change of status),
not at each of the writes made while it streams.

Chinese, Japanese and Korean have no spaces between words, and FTS5's unicode61 tokenizer
makes a whole run of such characters one token, so ``你好`` would not find ``你好世界``. The
view therefore gives the text with a separator around each of those characters
(``spread_cjk``): each becomes a token of its own, and a query ``你好`` is the phrase ``你 好``.
The text is stored once, and snippets are cut from what was indexed (their separators are
removed again). Every connection must register the view's function (``register``).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Sequence

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

# Scripts written without spaces between words, indexed one character at a time: Hangul Jamo,
# CJK punctuation, Hiragana, Katakana, Bopomofo and Hangul compatibility Jamo, CJK ideographs
# (extension A, the unified block, compatibility ideographs and the supplementary planes),
# Hangul syllables, and full- and half-width forms. Punctuation is a separator anyway; it is in
# the list so that a sentence is one run for the regular expression, not one per clause (a
# third of the time). Changing this list changes the index: it needs a migration that rebuilds
# it (see migrations._v4_cjk_search).
_CJK_RANGES = (
    "\u1100-\u11ff\u3000-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
)


# Compiled at their first use, not at every start (4-6 ms: the supplementary planes make the
# character class large).
@functools.cache
def _cjk_char() -> re.Pattern[str]:
    return re.compile(f"[{_CJK_RANGES}]")


# A run is written as one character of the class and then any more, not as ``[...]+``: re
# looks for a pattern that starts with a class by scanning the text for that class, but tries
# a whole match at every position for one that starts with a repetition. Spreading the
# 45,000 texts of 30,000 seeded messages took 42 % fewer instructions (callgrind: 1.84 G to
# 1.07 G; it was a sixth of all the import did).
@functools.cache
def _cjk_run() -> re.Pattern[str]:
    return re.compile(f"[{_CJK_RANGES}][{_CJK_RANGES}]*")


# Put around each CJK character in the indexed text. unicode61 reads it as a separator. It is
# invisible, so one that was in the message shows nothing either: snippets drop them all.
SEPARATOR = "\u200b"  # zero width space

# The SQL name of search_text, which the messages_search view calls.
SQL_FUNCTION = "glm_search_text"


def is_cjk(ch: str) -> bool:
    return _cjk_char().match(ch) is not None


def _spread(run: re.Match[str]) -> str:
    # Replacing "" puts the separator between every two characters and at both ends: twice as
    # fast as SEPARATOR.join(), which makes a string of each character.
    return run[0].replace("", SEPARATOR)


def spread_cjk(text: str) -> str:
    """The text as indexed: each CJK character set apart (Latin text is left as it is)."""
    return text if text.isascii() else _cjk_run().sub(_spread, text)


def search_text(text: str | None) -> str | None:
    """``spread_cjk`` for a column that may be NULL (the reasoning)."""
    return None if text is None else spread_cjk(text)


def register(conn: sqlite3.Connection) -> None:
    """Make the function the ``messages_search`` view uses known to this connection."""
    conn.create_function(SQL_FUNCTION, 1, search_text, deterministic=True)


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


# FTS5 keeps what a transaction adds in memory and writes it out as a new segment of the index
# each time it passes this many bytes (1 MiB by default); the segments are merged later. A bulk
# import of 5,000 messages wrote some 40 of them; with 16 MiB one. Seeding 100,000 messages takes
# 7-10 % less time (the index's own work: 2.9 -> 2.6 s), 1,000,000 14 % less; searching that
# million, p50 12.7-13.1 -> 14.5-14.8 ms, p95 the same. Only an import's transactions get large.
BULK_HASH_BYTES = 16 << 20


def index_range(conn: sqlite3.Connection, first: int, last: int) -> None:
    """Add the messages with ids ``first`` to ``last`` (a bulk import) to the index."""
    # Kept in the index's own settings: set once, in the import's transaction. FTS5's
    # ``automerge`` stays at 4: at 8, indexing a seed of 100,000 messages ran 8 % fewer
    # instructions (fewer merges), but the index of a 1,000,000-message history was left in
    # 15 segments instead of 12, and searching it took a third longer (p50 36-40 ms against
    # 28-31).
    row = conn.execute("SELECT v FROM messages_fts_config WHERE k = 'hashsize'").fetchone()
    if row is None or row[0] != BULK_HASH_BYTES:
        conn.execute(
            "INSERT INTO messages_fts(messages_fts, rank) VALUES ('hashsize', ?)",
            (BULK_HASH_BYTES,),
        )
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


# A run of letters and digits: what unicode61 makes a token (CJK aside).
_WORD = re.compile(r"[^\W_]+")


def build_match(query: str, *, prefix: bool = True) -> str | None:
    """An FTS5 MATCH expression for text a person typed, or None if it has no words.

    Every whitespace-separated piece is quoted as a phrase, so quotes, ``*``, ``AND``, ``-``,
    ``NEAR(`` and the like are plain text and can never be a syntax error; punctuation glued to
    a word (``owls?``, ``"owls"``) is dropped by the tokenizer, and words glued by punctuation
    (``c++``, ``file.txt``) must follow each other. Pieces without a letter or digit are dropped
    (they would be empty phrases), and so are pieces made of stopwords, unless nothing else is
    left. CJK characters become words of one character, so ``好世`` matches inside ``你好世界``.
    The last piece also matches as a prefix, for search-as-you-type, unless the text ends with a
    space or the piece ends with punctuation or a CJK character.
    """
    # FTS5 reads a NUL as the end of the string: "unterminated string".
    query = clean_text(query).replace("\x00", " ")
    pieces = [p for p in query.split() if _WORD.search(p)]
    if not pieces:
        return None
    kept = [p for p in pieces if not _is_stopword(p)]
    if kept and _is_stopword(pieces[-1]):
        prefix = False  # the word being typed was a stopword: no prefix on another one
    pieces = kept or pieces
    phrases = ['"' + spread_cjk(p).replace('"', '""') + '"' for p in pieces]
    if prefix and not query[-1].isspace() and _trailing_word_length(pieces[-1]) >= MIN_PREFIX:
        phrases[-1] += "*"
    return " ".join(phrases)


def _is_stopword(piece: str) -> bool:
    """Whether every word of the piece is a stopword: ``the``, ``(the``, ``"The``."""
    return all(word.lower() in STOPWORDS for word in _WORD.findall(piece))


def _trailing_word_length(piece: str) -> int:
    """How many letters and digits end the piece: 0 if it ends with punctuation or CJK."""
    n = 0
    for ch in reversed(piece):
        if not _is_word_char(ch) or is_cjk(ch):
            break
        n += 1
    return n


_OLDEST_SQL = (
    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :match{within}"
    " ORDER BY rowid DESC LIMIT 1 OFFSET :offset"
)

# bm25() in ORDER BY is about twice as fast as FTS5's own "ORDER BY rank" sorter. Snippets are
# made in a second pass over the few hits only (CROSS JOIN keeps that order), not for every
# ranked row.
_SEARCH_SQL = """
WITH hits AS (
    SELECT rowid AS mid, bm25(messages_fts, 2.0, 1.0, 1.0) AS score
    FROM messages_fts WHERE messages_fts MATCH :match AND rowid >= :oldest{within}
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


def _within_tags(tags: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The condition (and its parameters) that keeps the messages of conversations that have
    every one of ``tags`` (any case)."""
    unique = list({tag.casefold(): tag for tag in tags}.values())
    if not unique:
        return "", {}
    names = [f":tag{i}" for i in range(len(unique))]
    condition = (
        " AND rowid IN (SELECT id FROM messages WHERE conversation_id IN"
        f" (SELECT conversation_id FROM conversation_tags WHERE tag IN ({', '.join(names)})"
        f" GROUP BY conversation_id HAVING count(*) = {len(unique)}))"
    )
    return condition, {name[1:]: tag for name, tag in zip(names, unique, strict=True)}


def _run(
    conn: sqlite3.Connection,
    match: str,
    limit: int,
    highlight: tuple[str, str],
    tokens: int,
    tags: Sequence[str] = (),
) -> list[SearchHit]:
    within, tag_params = _within_tags(tags)
    oldest = conn.execute(
        _OLDEST_SQL.format(within=within),
        {"match": match, "offset": max(RANK_WINDOW, limit) - 1, **tag_params},
    ).fetchone()
    rows = conn.execute(
        _SEARCH_SQL.format(within=within),
        {
            "match": match,
            "oldest": oldest[0] if oldest else 0,
            "limit": limit,
            "open": highlight[0],
            "close": highlight[1],
            "tokens": tokens,
            **tag_params,
        },
    ).fetchall()
    return [
        SearchHit(
            conversation_id=row[0],
            message_id=row[1],
            title=row[2],
            role=row[3],
            # One line: snippets cut across paragraphs and code blocks.
            snippet=" ".join((row[4] or "").replace(SEPARATOR, "").split()),
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
    tags: Sequence[str] = (),
) -> list[SearchHit]:
    """Best matches first (bm25, answer text weighted over reasoning); [] for an empty query.

    The words are matched whole first; only if that finds fewer than ``limit`` messages is the
    last word also matched as a prefix (a word still being typed). Expanding a prefix of a
    common word ("the*": their, then, there...) is the slowest thing FTS5 does, and a whole
    word that already fills the page does not need it. Only the RANK_WINDOW most recent matches
    are ranked; finding where they start walks the index in id order without scoring.
    A query with CJK characters gets snippets of twice as many tokens: each character is one.
    ``tags``: only messages of conversations that have all of them.
    """
    exact = build_match(query, prefix=False)
    if exact is None or limit <= 0:
        return []
    if _cjk_char().search(query):
        snippet_tokens *= 2
    snippet_tokens = max(1, min(snippet_tokens, 64))
    hits = _run(conn, exact, limit, highlight, snippet_tokens, tags)
    if len(hits) < limit:
        prefixed = build_match(query)
        if prefixed is not None and prefixed != exact:
            hits = _run(conn, prefixed, limit, highlight, snippet_tokens, tags)
    return hits
