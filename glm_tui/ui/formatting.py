"""Plain-text formatting for the TUI: relative times, usage, cost, statuses, code blocks.

Nothing here imports Textual, so it is easy to test and cheap to call from render paths.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from glm_tui.api.events import Usage
from glm_tui.reply_status import describe_reply
from glm_tui.store.models import STATUSES

WRITING = "writing…"
"""Beside the model's name under a reply while it streams."""


def status_words(status: str, *, answered: bool = True, error: str | None = None) -> str:
    """The line under a reply that says why it is not complete ('' when it is): see
    :func:`glm_tui.reply_status.describe_reply` (``answered``: it has some answer text)."""
    note = describe_reply(status, error, answered=answered)
    return note.line if note is not None else ""


# What each status means without an error, in plain words (docs/architecture.md, "Message
# status").
STATUS_WORDS: dict[str, str] = {
    status: status_words(status) for status in STATUSES if status != "complete"
}
STATUS_WORDS["streaming"] = WRITING


def as_datetime(value: object) -> datetime | None:
    """A timezone-aware datetime from what the store gives (datetime, ISO text or epoch)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def relative_time(value: object, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '4 days ago', or the date."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return moment.astimezone(now.tzinfo).strftime("%Y-%m-%d")


def tokens_text(usage: Usage | None, *, detail: bool = True) -> str:
    """'1,234 tokens' (with the reasoning share when known), or '' without usage."""
    if usage is None:
        return ""
    total = usage.total_tokens
    if total is None and (usage.prompt_tokens is not None or usage.completion_tokens is not None):
        total = (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
    if total is None:
        return ""
    text = f"{total:,} tokens"
    if detail and usage.reasoning_tokens:
        text += f" ({usage.reasoning_tokens:,} thinking)"
    return text


def cost_text(usage: Usage | None, *, credits: bool = False) -> str:
    """'$0.0012' or '12.5 credits' when the provider reported it, else ''; with ``credits``,
    both when both are known ('$0.0012 · 2,400 credits', under a reply)."""
    if usage is None:
        return ""
    if usage.usd is not None:
        usd = f"${usage.usd:.4f}" if usage.usd < 1 else f"${usage.usd:.2f}"
        if credits and usage.credits is not None:
            return f"{usd} · {usage.credits:,.0f} credits"
        return usd
    if usage.credits is not None:
        return f"{usage.credits:,.1f} credits"
    return ""


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m {rest:02d}s"


def join_parts(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})([^\n]*)\n(.*?)^ {0,3}\1[ \t]*$", re.M | re.S)


def code_blocks(markdown: str) -> list[str]:
    """The bodies of the fenced code blocks in ``markdown``, in order."""
    return [match.group(3).rstrip("\n") for match in _FENCE.finditer(markdown)]


def has_code_block(markdown: str) -> bool:
    """Whether ``markdown`` has a fenced code block (the first found ends the search)."""
    return _FENCE.search(markdown) is not None


def code_languages(markdown: str) -> list[str]:
    """The language each fenced code block in ``markdown`` names ("" for none), in order."""
    return [(match.group(2).split() or [""])[0] for match in _FENCE.finditer(markdown)]
