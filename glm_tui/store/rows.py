"""Column lists and row -> dataclass conversion shared by the store's modules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from glm_tui.api.events import ToolCall, WebSource

from .attachments import refs_from_text
from .models import Conversation, ConversationSummary, Message, ToolResultInfo, usage_from_row

MESSAGE_FIELDS = (
    "id",
    "conversation_id",
    "parent_id",
    "role",
    "content",
    "reasoning",
    "status",
    "finish_reason",
    "error",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "credits",
    "usd",
    "created_at",
    "duration",
    "writer_pid",
    "writer_started",
    "tool_calls",
    "tool_call_id",
    "tool_name",
    "tool_arguments",
    "tool_status",
    "sources",
    "attachments",
)
CONVERSATION_FIELDS = (
    "id",
    "title",
    "provider",
    "model",
    "system_prompt",
    "settings",
    "created_at",
    "updated_at",
    "current_leaf_id",
    "message_count",
    "pinned",
    "title_source",
)
SUMMARY_FIELDS = ("id", "title", "model", "created_at", "updated_at", "message_count", "pinned")
TAG_SEPARATOR = "\x1f"
"""Between the tags of one conversation in a summary row (a character no tag holds)."""


def columns(fields: Sequence[str], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in fields)


MESSAGE_COLUMNS = columns(MESSAGE_FIELDS)
CONVERSATION_COLUMNS = columns(CONVERSATION_FIELDS)
# The tags come along in one column: one index lookup per row, no second query.
SUMMARY_COLUMNS = (
    columns(SUMMARY_FIELDS) + ", (SELECT group_concat(tag, char(31)) FROM conversation_tags"
    " WHERE conversation_id = conversations.id)"
)


def message_from_row(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0],
        conversation_id=row[1],
        parent_id=row[2],
        role=row[3],
        content=row[4],
        reasoning=row[5],
        status=row[6],
        finish_reason=row[7],
        error=row[8],
        model=row[9],
        usage=usage_from_row(row[10:17]),
        created_at=row[17],
        duration=row[18],
        writer_pid=row[19],
        writer_started=row[20],
        tool_calls=calls_from_text(row[21]),
        tool=None if row[23] is None else _tool(row),
        sources=sources_from_text(row[26]),
        attachments=refs_from_text(row[27]),
    )


def _tool(row: Sequence[Any]) -> ToolResultInfo:
    return ToolResultInfo(row[22] or "", row[23], row[24] or "", row[25])


def _json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def calls_from_text(text: str | None) -> tuple[ToolCall, ...]:
    """The calls a message made, from the JSON the store keeps (a damaged list reads as none)."""
    calls = (ToolCall.from_json(item) for item in _json_list(text))
    return tuple(call for call in calls if call is not None)


def sources_from_text(text: str | None) -> tuple[WebSource, ...]:
    sources = (WebSource.from_json(item) for item in _json_list(text))
    return tuple(source for source in sources if source is not None)


def load_settings(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def conversation_from_row(row: Sequence[Any]) -> Conversation:
    return Conversation(
        id=row[0],
        title=row[1],
        provider=row[2],
        model=row[3],
        system_prompt=row[4],
        settings=load_settings(row[5]),
        created_at=row[6],
        updated_at=row[7],
        current_leaf_id=row[8],
        message_count=row[9],
        pinned=bool(row[10]),
        title_source=row[11],
    )


def tags_from_text(text: str | None) -> tuple[str, ...]:
    """The tags of a summary row's tag column, sorted without case."""
    if not text:
        return ()
    return tuple(sorted(text.split(TAG_SEPARATOR), key=lambda tag: (tag.casefold(), tag)))


def summary_from_row(row: Sequence[Any]) -> ConversationSummary:
    # Positional, and the tags parsed only when there are some: 10,000 rows fill the sidebar.
    tags = tags_from_text(row[7]) if row[7] else ()
    return ConversationSummary(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), tags)
