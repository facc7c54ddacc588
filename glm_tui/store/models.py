"""What the store hands out: plain frozen dataclasses, each with the JSON shape ``show --json``
and the export print (README, "Scripting")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from typing import Any

from glm_tui.api.events import ToolCall, Usage, WebSource
from glm_tui.records import record

from .attachments import AttachmentRef
from .times import format_time as format_time  # the store's modules know the times as models'
from .times import normalize_time as normalize_time
from .times import utc_now as utc_now

EXPORT_FORMAT = "glm-tui-export"
EXPORT_VERSION = 3
"""2: tool calls, tool results (role ``tool``) and web sources. 3: attachments (each content
once, in the envelope's ``attachments``) and compactions. Older files still import."""

ROLES = ("system", "user", "assistant", "tool")
STATUSES = ("complete", "streaming", "stopped", "interrupted", "error", "truncated", "filtered")
TOOL_STATUSES = ("ok", "error", "denied", "timed_out", "cancelled")
"""How a tool call ended (a message with role ``tool``; None while it runs, or if it never
ended: its message is then ``streaming`` or ``interrupted``)."""
TITLE_SOURCES = ("prompt", "model", "user")
"""Who gave a conversation its title (see Conversation.title_source)."""
USAGE_FIELDS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "credits",
    "usd",
)


def clean_text(text: str) -> str:
    """Text SQLite can store: lone surrogates (from undecodable bytes in argv or a pipe) become
    "?" instead of failing the write with UnicodeEncodeError."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


@record
class ToolResultInfo:
    """What a ``tool`` message answers: the call (as run: the arguments may have been edited
    when it was approved) and how it ended. The result's text is the message's content."""

    call_id: str
    name: str
    arguments: str
    status: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "name": self.name,
            "arguments": self.arguments,
            "status": self.status,
        }


def usage_from_row(values: Sequence[Any]) -> Usage | None:
    """A Usage from the seven usage columns, or None when none of them is set."""
    if all(v is None for v in values):
        return None
    return Usage(*values)


@record
class Message:
    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str
    reasoning: str | None
    status: str
    finish_reason: str | None
    error: str | None
    model: str | None
    usage: Usage | None
    created_at: str
    duration: float | None
    writer_pid: int | None
    writer_started: int | None = None
    """When the writer process started (recovery.process_start)."""
    tool_calls: tuple[ToolCall, ...] = ()
    """The calls an assistant message made (its ``finish_reason`` is then ``tool_calls``)."""
    tool: ToolResultInfo | None = None
    """A ``tool`` message's call and how it ended."""
    sources: tuple[WebSource, ...] = ()
    """The web pages Z.ai's search found for this reply."""
    attachments: tuple[AttachmentRef, ...] = ()
    """The files, images and pasted texts a prompt carries (their content is stored apart)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "role": self.role,
            "content": self.content,
            "reasoning": self.reasoning,
            "status": self.status,
            "finish_reason": self.finish_reason,
            "error": self.error,
            "model": self.model,
            "usage": self.usage.to_dict() if self.usage is not None else None,
            "created_at": self.created_at,
            "duration": self.duration,
            "tool_calls": [c.to_json() for c in self.tool_calls] if self.tool_calls else None,
            "tool": self.tool.to_json() if self.tool is not None else None,
            "sources": [s.to_json() for s in self.sources] if self.sources else None,
            "attachments": [a.to_json() for a in self.attachments],
        }


@record
class Conversation:
    id: int
    title: str
    provider: str
    model: str
    system_prompt: str | None
    settings: dict[str, Any] = field(hash=False)
    created_at: str
    updated_at: str
    current_leaf_id: int | None
    message_count: int
    pinned: bool = False
    title_source: str = "prompt"
    """Who gave the title: ``prompt`` (its first line), ``model`` (an automatic title) or
    ``user`` (renamed; an automatic title never replaces it)."""

    def to_json(self, messages: Sequence[Message] = ()) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "model": self.model,
            "system_prompt": self.system_prompt,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "messages": [m.to_json() for m in messages],
        }


@record
class ConversationSummary:
    """One sidebar / ``list`` row."""

    id: int
    title: str
    model: str
    created_at: str
    updated_at: str
    message_count: int
    pinned: bool = False
    tags: tuple[str, ...] = ()
    """Sorted without case."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "model": self.model,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "message_count": self.message_count,
            "pinned": self.pinned,
            "tags": list(self.tags),
        }


@record
class SearchHit:
    """One search result; ``rank`` is bm25 (lower is better), ``snippet`` marks matches."""

    conversation_id: int
    message_id: int
    title: str
    role: str
    snippet: str
    rank: float

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "title": self.title,
            "role": self.role,
            "snippet": self.snippet,
        }


@record
class Bookmark:
    """A bookmarked message, with what a list of bookmarks shows and what opening it needs."""

    message_id: int
    conversation_id: int
    title: str
    """The conversation's title."""
    role: str
    excerpt: str
    """The start of the message's text, on one line."""
    created_at: str
    """When the message was written."""
    bookmarked_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "conversation_id": self.conversation_id,
            "title": self.title,
            "role": self.role,
            "excerpt": self.excerpt,
            "created_at": self.created_at,
            "bookmarked_at": self.bookmarked_at,
        }


@record
class MatchHighlight:
    """Where a search matched in one message: what opening a hit scrolls to and highlights."""

    message_id: int
    conversation_id: int
    terms: tuple[str, ...]
    """The matched words as the message writes them (``Owls`` for ``owl``; a run of CJK
    characters as one), each once: highlight these in the message as shown."""
    content_spans: tuple[tuple[int, int], ...]
    """(start, end) of each match in the message's content (character offsets)."""
    reasoning_spans: tuple[tuple[int, int], ...]
    """The same in its reasoning (open the Thinking block when only these exist)."""
