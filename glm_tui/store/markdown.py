"""A conversation's current branch as Markdown, for people (the JSON export is for restoring)."""

from __future__ import annotations

from collections.abc import Sequence

from .models import Conversation, Message

_ROLE_HEADINGS = {"system": "System", "user": "User", "assistant": "Assistant"}


def _fence_safe(text: str) -> str:
    # A stray "</details>" in the reasoning would close the fold early.
    return text.replace("</details>", "&lt;/details&gt;")


def _usage_line(message: Message) -> str:
    usage = message.usage
    if usage is None:
        return ""
    parts = []
    if usage.prompt_tokens is not None:
        parts.append(f"{usage.prompt_tokens} prompt tokens")
    if usage.completion_tokens is not None:
        parts.append(f"{usage.completion_tokens} completion tokens")
    if usage.reasoning_tokens:
        parts.append(f"{usage.reasoning_tokens} reasoning tokens")
    if usage.usd is not None:
        parts.append(f"${usage.usd:.6f}")
    return ", ".join(parts)


def to_markdown(conversation: Conversation, path: Sequence[Message]) -> str:
    lines = [f"# {conversation.title or 'Untitled conversation'}", ""]
    lines.append(
        f"- Model: `{conversation.model}`"
        + (f" ({conversation.provider})" if conversation.provider else "")
    )
    lines.append(f"- Created: {conversation.created_at}")
    lines.append(f"- Updated: {conversation.updated_at}")
    lines.append("")
    if conversation.system_prompt and not any(m.role == "system" for m in path):
        lines += ["## System", "", conversation.system_prompt, ""]
    for message in path:
        heading = _ROLE_HEADINGS.get(message.role, message.role.title())
        details = [message.created_at]
        if message.role == "assistant" and message.model:
            details.insert(0, f"`{message.model}`")
        if message.status != "complete":
            details.append(f"**{message.status}**")
        lines += [f"## {heading}", "", "*" + " · ".join(details) + "*", ""]
        if message.reasoning:
            lines += [
                "<details><summary>Thinking</summary>",
                "",
                _fence_safe(message.reasoning.strip("\n")),
                "",
                "</details>",
                "",
            ]
        if message.content:
            lines += [message.content.strip("\n"), ""]
        if message.error:
            lines += [f"> Error: {message.error}", ""]
        usage = _usage_line(message)
        if usage:
            lines += [f"<sub>{usage}</sub>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
