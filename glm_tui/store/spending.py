"""Tokens and money over the history: by day, by model, by conversation.

Each reply keeps what the provider reported for it (``usage``: prompt, cached, completion and
reasoning tokens; the AI/ML API's credits and US$). These queries add them up over the replies
made in a range of days (the local calendar: a reply at 23:30 counts on the day it was written
where the user is). A conversation deleted takes its replies, and their cost, with it.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from glm_tui.records import record

from .models import format_time

Grouping = Literal["day", "model", "conversation"]
GROUPINGS: tuple[Grouping, ...] = ("day", "model", "conversation")

_SUMS = (
    "count(*), coalesce(sum(m.prompt_tokens), 0), coalesce(sum(m.cached_tokens), 0),"
    " coalesce(sum(m.completion_tokens), 0), coalesce(sum(m.reasoning_tokens), 0),"
    " coalesce(sum(coalesce(m.total_tokens,"
    " coalesce(m.prompt_tokens, 0) + coalesce(m.completion_tokens, 0))), 0),"
    " sum(m.credits), sum(m.usd)"
)
# A reply counts when the provider reported anything about it.
_REPORTED = (
    "(m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL"
    " OR m.total_tokens IS NOT NULL OR m.credits IS NOT NULL OR m.usd IS NOT NULL)"
)
_DAY = "date(m.created_at, 'localtime')"


@record
class UsageTotals:
    """What a group of replies cost. ``cached_tokens`` are part of ``prompt_tokens`` and
    ``reasoning_tokens`` part of ``completion_tokens``, as the providers count them; credits and
    US$ are None when no reply of the group had a cost (unknown is not zero)."""

    key: str
    """The day (``YYYY-MM-DD``), the model, or the conversation's id; ``total`` for all."""
    label: str
    """What to call the group: the day, the model, the conversation's title."""
    replies: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    total_tokens: int = 0
    credits: float | None = None
    usd: float | None = None
    conversation_id: int | None = None

    @property
    def uncached_prompt_tokens(self) -> int:
        return max(0, self.prompt_tokens - self.cached_tokens)

    @property
    def answer_tokens(self) -> int:
        """Completion tokens that are not reasoning: the written answer."""
        return max(0, self.completion_tokens - self.reasoning_tokens)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "conversation_id": self.conversation_id,
            "replies": self.replies,
            "prompt_tokens": self.prompt_tokens,
            "cached_tokens": self.cached_tokens,
            "completion_tokens": self.completion_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "total_tokens": self.total_tokens,
            "credits": self.credits,
            "usd": self.usd,
        }


def local_midnight(day: date) -> str:
    """The start of a local day, in the store's time format (UTC): comparing the stored text
    with it is much cheaper than converting every row's time."""
    return format_time(datetime.combine(day, time()).astimezone())


def _range(since: date | None, until: date | None) -> tuple[str, list[str]]:
    where, params = [], []
    if since is not None:
        where.append("m.created_at >= ?")
        params.append(local_midnight(since))
    if until is not None:
        where.append("m.created_at < ?")
        params.append(local_midnight(until + timedelta(days=1)))
    where.append(_REPORTED)
    return " AND ".join(where), params


def _totals(key: str, label: str, row: tuple[Any, ...], cid: int | None = None) -> UsageTotals:
    return UsageTotals(key, label, *row, conversation_id=cid)  # type: ignore[misc]


def grouped(
    conn: sqlite3.Connection,
    by: Grouping,
    *,
    since: date | None = None,
    until: date | None = None,
) -> list[UsageTotals]:
    """The totals of each day (oldest first), model or conversation (the dearest first)."""
    where, params = _range(since, until)
    if by == "day":
        rows = conn.execute(
            f"SELECT {_DAY}, {_SUMS} FROM messages AS m WHERE {where} GROUP BY 1 ORDER BY 1",
            params,
        )
        return [_totals(row[0], row[0], tuple(row[1:])) for row in rows]
    order = "ORDER BY sum(m.usd) IS NULL, sum(m.usd) DESC, sum(m.credits) DESC, 7 DESC, 1"
    if by == "model":
        rows = conn.execute(
            f"SELECT coalesce(m.model, ''), {_SUMS} FROM messages AS m WHERE {where}"
            f" GROUP BY 1 {order}",
            params,
        )
        return [_totals(row[0], row[0] or "(unknown)", tuple(row[1:])) for row in rows]
    if by == "conversation":
        rows = conn.execute(
            f"SELECT m.conversation_id, {_SUMS}, c.title FROM messages AS m"
            f" JOIN conversations AS c ON c.id = m.conversation_id WHERE {where}"
            f" GROUP BY 1 {order}",
            params,
        )
        return [_totals(str(row[0]), row[-1], tuple(row[1:-1]), int(row[0])) for row in rows]
    raise ValueError(f"usage by {by!r}: choose one of {', '.join(GROUPINGS)}")


def total(
    conn: sqlite3.Connection, *, since: date | None = None, until: date | None = None
) -> UsageTotals:
    where, params = _range(since, until)
    row = conn.execute(f"SELECT {_SUMS} FROM messages AS m WHERE {where}", params).fetchone()
    return _totals("total", "total", tuple(row))


def every_day(rows: list[UsageTotals], first: date, last: date) -> list[UsageTotals]:
    """One row per day from ``first`` to ``last``, the days without replies at zero (a chart
    needs them all)."""
    by_day = {row.key: row for row in rows}
    days = []
    day = first
    while day <= last:
        key = day.isoformat()
        days.append(by_day.get(key) or UsageTotals(key, key))
        day += timedelta(days=1)
    return days
