"""The values a message is written with: what ``Store.add_message`` inserts and what
``Store.update_message`` changes, each checked (a role, status or tool status the schema does
not know is a ValueError) and cleaned (text SQLite can store) before the transaction starts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from glm_tui.api.events import ToolCall, Usage, WebSource, calls_to_text, sources_to_text

from .models import (
    ROLES,
    STATUSES,
    TOOL_STATUSES,
    USAGE_FIELDS,
    ToolResultInfo,
    clean_optional,
    clean_text,
    utc_now,
)
from .recovery import process_start

INSERT_MESSAGE = (
    "INSERT INTO messages (conversation_id, parent_id, role, content, reasoning,"
    " status, model, created_at, writer_pid, writer_started, tool_call_id,"
    " tool_name, tool_arguments, tool_status, attachments)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
"""The last value, the attachments' references, is the caller's."""


def message_values(
    cid: int,
    *,
    parent_id: int | None,
    role: str,
    content: str,
    reasoning: str | None,
    status: str,
    model: str | None,
    writer_pid: int | None,
    tool: ToolResultInfo | None,
) -> tuple[Any, ...]:
    """The values of INSERT_MESSAGE but the last; the eighth is the time it is written at.

    A ``streaming`` message records the writing process (this one unless told) and when that
    process started, so that a later open can tell a live reply from one whose writer died.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if (role == "tool") != (tool is not None):
        raise ValueError("a tool message, and only a tool message, answers a tool call")
    if tool is not None and tool.status is not None and tool.status not in TOOL_STATUSES:
        raise ValueError(f"tool status must be one of {', '.join(TOOL_STATUSES)}")
    if status == "streaming" and writer_pid is None:
        writer_pid = os.getpid()
    writer = (writer_pid, process_start(writer_pid))
    tool_values = (
        (None,) * 4
        if tool is None
        else (
            clean_text(tool.call_id),
            clean_text(tool.name),
            clean_text(tool.arguments),
            tool.status,
        )
    )
    content, reasoning = clean_text(content), clean_optional(reasoning)
    row = (cid, parent_id, role, content, reasoning, status, model, utc_now(), *writer)
    return (*row, *tool_values)


def message_changes(
    *,
    content: str | None,
    reasoning: str | None,
    status: str | None,
    finish_reason: str | None,
    error: str | None,
    usage: Usage | None,
    duration: float | None,
    tool_calls: Sequence[ToolCall] | None,
    tool_status: str | None,
    sources: Sequence[WebSource] | None,
) -> dict[str, Any]:
    """Column -> new value, for the fields given (None means "leave as is")."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if tool_status is not None and tool_status not in TOOL_STATUSES:
        raise ValueError(f"tool status must be one of {', '.join(TOOL_STATUSES)}")
    content, reasoning, error = (clean_optional(t) for t in (content, reasoning, error))
    changes: dict[str, Any] = {}
    for name, value in (
        ("content", content),
        ("reasoning", reasoning),
        ("status", status),
        ("finish_reason", finish_reason),
        ("error", error),
        ("duration", duration),
        ("tool_calls", clean_optional(calls_to_text(list(tool_calls or ())))),
        ("tool_status", tool_status),
        ("sources", clean_optional(sources_to_text(list(sources or ())))),
    ):
        if value is not None:
            changes[name] = value
    if usage is not None:
        changes.update((name, getattr(usage, name)) for name in USAGE_FIELDS)
    return changes
