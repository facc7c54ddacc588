"""What the model is sent of a conversation: the branch as chat messages.

An assistant message that made tool calls goes back with its calls and its
``reasoning_content``: GLM-4.7 thinks between calls, and without its earlier reasoning it loses
its plan. Each call is answered by a ``role: "tool"`` message with its ``tool_call_id``; a call
left without a result (the turn was stopped, or the program killed, before it ran) gets one
saying so, since providers refuse a call without an answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from glm_tui.store import Message
from glm_tui.store.attachments import AttachmentContent
from glm_tui.store.compactions import Compaction

NOT_RUN = "The call was not run: the turn ended before it."
NO_RESULT = "The call did not finish: the turn ended while it ran."


def _tool_message(message: Message) -> dict[str, Any]:
    assert message.tool is not None
    content = message.content
    if not content and message.tool.status is None:
        content = NO_RESULT
    return {"role": "tool", "tool_call_id": message.tool.call_id, "content": content}


SUMMARY_HEADING = (
    "The earlier part of this conversation ({count} messages) is summarised here; the messages"
    " after this summary follow it."
)


def summary_block(compaction: Compaction) -> str:
    """The compaction's summary as the model reads it, in the system message."""
    heading = SUMMARY_HEADING.format(count=compaction.summarised)
    return f"{heading}\n\n<summary>\n{compaction.summary.strip()}\n</summary>"


def after_compaction(path: Sequence[Message], compaction: Compaction | None) -> Sequence[Message]:
    """The branch less what the compaction summarises (all of it if it does not apply)."""
    if compaction is None:
        return path
    for index, message in enumerate(path):
        if message.id == compaction.through_id:
            return path[index + 1 :]
    return path


def history_for(
    path: Sequence[Message],
    system_prompt: str | None,
    *,
    contents: Mapping[str, AttachmentContent] | None = None,
    images: bool = True,
    compaction: Compaction | None = None,
) -> list[dict[str, Any]]:
    """The system prompt, then the branch; earlier turns' reasoning left out (the provider
    drops it anyway) except with tool calls. Replies that failed before saying anything are
    left out: the model never said them.

    A prompt's attachments come from ``contents`` (by SHA-256): text as fenced blocks, images
    as ``image_url`` parts, or, when ``images`` is False (a model that reads text only), a line
    saying one was there. With a ``compaction`` that applies to the branch, its summary goes in
    the system message and the messages it stands for are left out."""
    from glm_tui.attachments.wire import user_content

    messages: list[dict[str, Any]] = []
    system = system_prompt if system_prompt and system_prompt.strip() else ""
    remaining = after_compaction(path, compaction)
    if compaction is not None and len(remaining) < len(path):
        system = f"{system}\n\n{summary_block(compaction)}" if system else summary_block(compaction)
    path = remaining
    if system:
        messages.append({"role": "system", "content": system})
    index = 0
    while index < len(path):
        msg = path[index]
        index += 1
        if msg.role == "tool":
            if msg.tool is not None:
                messages.append(_tool_message(msg))
            continue
        if msg.role != "assistant":
            content: Any = msg.content
            if msg.attachments:
                content = user_content(msg.content, msg.attachments, contents or {}, images=images)
            messages.append({"role": msg.role, "content": content})
            continue
        if not msg.tool_calls:
            if msg.content:
                messages.append({"role": "assistant", "content": msg.content})
            continue
        entry: dict[str, Any] = {
            "role": "assistant",
            "content": msg.content,
            "tool_calls": [call.to_wire() for call in msg.tool_calls],
        }
        if msg.reasoning:
            entry["reasoning_content"] = msg.reasoning
        messages.append(entry)
        answered: set[str] = set()
        while index < len(path) and path[index].role == "tool":
            result = path[index]
            if result.tool is not None:
                answered.add(result.tool.call_id)
                messages.append(_tool_message(result))
            index += 1
        messages.extend(
            {"role": "tool", "tool_call_id": call.id, "content": NOT_RUN}
            for call in msg.tool_calls
            if call.id not in answered
        )
    return messages
