"""Which of a conversation's messages the message pane mounts, and how.

A pane mounts pages of messages counted from the end, as many as fill a few screens (estimated
from their text); a line at the top counts the older ones not mounted yet. A turn that used tools
is several replies with the tools' results between them: ``tool_rounds`` pairs them up.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from glm_tui.store import Message

PAGE_SIZE = 30

OLDER_SCREENS = 2.0
"""Older messages are mounted about this many screens at a time."""

FIRST_SCREENS = 1.5
"""When a conversation opens, the last messages are mounted until they fill about this many
screens (estimated from their text), not a whole page of Markdown (seconds): the rest comes a
page at a time when scrolled to."""


def page_from_end(messages: Sequence[Message], width: int, wanted: int) -> int:
    """How many of the last messages make about ``wanted`` rows (estimated from their text),
    ``PAGE_SIZE`` at most, at least 2, starting at a prompt."""
    rows = 0
    count = 0
    for message in reversed(messages):
        count += 1
        text = message.content or ""
        rows += 4 + sum(len(line) // width + 1 for line in text.split("\n"))
        if rows >= wanted or count >= PAGE_SIZE:
            break
    count = max(min(2, len(messages)), count)
    if count < len(messages) and messages[-count].role == "assistant":
        count += 1  # and the prompt it answers
    return count


def changed(shown: Message, stored: Message) -> bool:
    """A message shown differs from what the store now holds."""
    return (shown.id, shown.content, shown.reasoning, shown.status) != (
        stored.id,
        stored.content,
        stored.reasoning,
        stored.status,
    )


def tool_rounds(path: Sequence[Message]) -> tuple[dict[int, list[Message]], set[int]]:
    """The tool results of each reply that asked for calls (the ``tool`` rows that follow it),
    and the replies that go on after results (a turn that used tools is several replies)."""
    results: dict[int, list[Message]] = {}
    continued: set[int] = set()
    asked: Message | None = None
    previous: Message | None = None
    for message in path:
        if message.role == "tool":
            if asked is not None:
                results.setdefault(asked.id, []).append(message)
        else:
            asked = message if message.role == "assistant" and message.tool_calls else None
            if message.role == "assistant" and previous is not None and previous.role == "tool":
                continued.add(message.id)
        previous = message
    return results, continued


class OlderMessages(Static):
    """The line at the top saying how many older messages are not mounted yet."""

    def set_count(self, count: int) -> None:
        noun = "message" if count == 1 else "messages"
        self.update(Content(f"↑ {count} earlier {noun}: scroll up to load them"))
