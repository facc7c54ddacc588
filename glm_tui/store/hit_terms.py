"""Where a search matched inside one message: what opening a hit scrolls to and highlights.

The words are found by FTS5 itself (its ``highlight()`` on the hit's row, with the very match
expression that found it), so stemming (``owl`` in ``owls``), diacritics, case and CJK
characters are matched exactly as the search matched them. The indexed text is the message's
with a separator around each CJK character (fts.py); the places are mapped back to the
message's own text.
"""

from __future__ import annotations

import sqlite3

from . import fts
from .models import MatchHighlight

# Marks around the matches in FTS5's output: private-use characters, as the sidebar's snippets.
_OPEN, _CLOSE = "\ue000", "\ue001"

_HIGHLIGHT_SQL = (
    "SELECT highlight(messages_fts, 0, :open, :close), highlight(messages_fts, 1, :open, :close)"
    " FROM messages_fts WHERE messages_fts MATCH :match AND rowid = :id"
)

Span = tuple[int, int]


def spans_in(original: str, marked: str) -> list[Span]:
    """The (start, end) places in ``original`` of the parts marked in ``marked``: the indexed
    form of ``original`` (separators around CJK characters) with marks around the matches.

    Adjacent marked parts (CJK characters, each a token) become one. A text that does not line
    up (it cannot, unless the original itself holds the marks) gives the places found so far.
    """
    spans: list[Span] = []
    i = 0  # in original
    start: int | None = None
    for ch in marked:
        if ch == _OPEN and start is None:
            start = i
        elif ch == _CLOSE and start is not None:
            if i > start:
                if spans and spans[-1][1] == start:
                    spans[-1] = (spans[-1][0], i)
                else:
                    spans.append((start, i))
            start = None
        elif i < len(original) and ch == original[i]:
            i += 1
        elif ch == fts.SEPARATOR:
            continue  # put there by the index, not in the message
        else:
            break  # out of step: keep what was found
    return spans


def _terms(text: str, spans: list[Span]) -> list[str]:
    return [text[start:end] for start, end in spans]


def hit_highlight(conn: sqlite3.Connection, message_id: int, query: str) -> MatchHighlight | None:
    """Where ``query`` matches in the message (None: it does not, or the message is gone).

    The whole words are tried first, then the last one as a prefix, as ``fts.search`` does.
    """
    row = conn.execute(
        "SELECT conversation_id, content, reasoning FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    if row is None:
        return None
    conversation_id, content, reasoning = row[0], row[1] or "", row[2] or ""
    for match in dict.fromkeys((fts.build_match(query, prefix=False), fts.build_match(query))):
        if match is None:
            continue
        marked = conn.execute(
            _HIGHLIGHT_SQL, {"open": _OPEN, "close": _CLOSE, "match": match, "id": message_id}
        ).fetchone()
        if marked is None:
            continue
        in_content = spans_in(content, marked[0] or "")
        in_reasoning = spans_in(reasoning, marked[1] or "")
        if not in_content and not in_reasoning:
            continue  # matched in the tool calls only
        seen: dict[str, str] = {}
        for term in _terms(content, in_content) + _terms(reasoning, in_reasoning):
            seen.setdefault(term.casefold(), term)
        return MatchHighlight(
            message_id=message_id,
            conversation_id=conversation_id,
            terms=tuple(seen.values()),
            content_spans=tuple(in_content),
            reasoning_spans=tuple(in_reasoning),
        )
    return None
