"""What the model is sent of a conversation: the branch as chat messages.

An assistant message that made tool calls goes back with its calls and its
``reasoning_content``: GLM-4.7 thinks between calls, and without its earlier reasoning it loses
its plan. Each call is answered by a ``role: "tool"`` message with its ``tool_call_id``; a call
left without a result (the turn was stopped, or the program killed, before it ran) gets one
saying so, since providers refuse a call without an answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glm_tui.store import Message

NOT_RUN = "The call was not run: the turn ended before it."
NO_RESULT = "The call did not finish: the turn ended while it ran."


def _tool_message(message: Message) -> dict[str, Any]:
    assert message.tool is not None
    content = message.content
    if not content and message.tool.status is None:
        content = NO_RESULT
    return {"role": "tool", "tool_call_id": message.tool.call_id, "content": content}


def history_for(path: Sequence[Message], system_prompt: str | None) -> list[dict[str, Any]]:
    """The system prompt, then the branch; earlier turns' reasoning left out (the provider
    drops it anyway) except with tool calls. Replies that failed before saying anything are
    left out: the model never said them."""
    messages: list[dict[str, Any]] = []
    if system_prompt and system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt})
    index = 0
    while index < len(path):
        msg = path[index]
        index += 1
        if msg.role == "tool":
            if msg.tool is not None:
                messages.append(_tool_message(msg))
            continue
        if msg.role != "assistant":
            messages.append({"role": msg.role, "content": msg.content})
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
