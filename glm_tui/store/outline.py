"""Every branch of a conversation as a text tree (``glm-tui show ID --all``).

A straight run of turns stays at one indentation; only a message with several children (a
regenerated reply, an edited prompt) opens branches, so a long conversation does not drift right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .models import Conversation, Message

PREVIEW = 72
"""Characters of each message shown (its first non-empty line)."""


def _preview(message: Message) -> str:
    text = message.content
    if message.tool is not None:
        text = f"{message.tool.name} ({message.tool.status or 'no result'}): {text}"
    elif message.tool_calls and not text.strip():
        text = "calls " + ", ".join(call.name for call in message.tool_calls)
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    if len(line) > PREVIEW:
        line = line[: PREVIEW - 1].rstrip() + "…"
    status = "" if message.status == "complete" else f" ({message.status})"
    return f"#{message.id} {message.role}{status}: {line}"


def to_outline(
    conversation: Conversation, messages: Sequence[Message], current: Sequence[Message]
) -> str:
    """The tree of ``messages``; ``*`` in the first column marks the current branch."""
    on_branch = {m.id for m in current}
    children: dict[int | None, list[Message]] = defaultdict(list)
    known = {m.id for m in messages}
    for message in messages:
        # A parent that is not among the messages (never, in a whole conversation) makes a root.
        parent = message.parent_id if message.parent_id in known else None
        children[parent].append(message)
    lines = [f"# {conversation.title or 'Untitled conversation'}", ""]

    def emit(message: Message, indent: str) -> None:
        mark = "* " if message.id in on_branch else "  "
        lines.append(mark + indent + _preview(message))

    def walk(siblings: list[Message], prefix: str) -> None:
        # Iterative along a straight run, recursive only at a fork: a deep conversation is fine.
        while len(siblings) == 1:
            emit(siblings[0], prefix)
            siblings = children.get(siblings[0].id, [])
        for index, message in enumerate(siblings):
            last = index == len(siblings) - 1
            emit(message, prefix + ("└─ " if last else "├─ "))
            walk(children.get(message.id, []), prefix + ("   " if last else "│  "))

    walk(children.get(None, []), "")
    return "\n".join(lines) + "\n"
