"""Automatic titles: after a conversation's first reply, the model is asked for a short title.

The request is a side request (api/title_request.py): thinking disabled, a small ``max_tokens``.
What it cost is kept with the conversation (``Store.add_side_request``, purpose ``title``) and
counted in its usage like its messages; it is no message of the conversation's tree. The title
replaces only the one made from the first prompt: a title the user gave is never overwritten,
and whatever fails (the request, the answer, the store) leaves the first-prompt title as it was.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from glm_tui.api.events import ContentDelta, Usage
from glm_tui.records import record
from glm_tui.store import Message
from glm_tui.terminal_text import strip_controls

if TYPE_CHECKING:
    from glm_tui.api.client import GLMClient

TITLE_LENGTH = 60
TITLE_PURPOSE = "title"
"""The purpose of a title request among a conversation's side requests."""

_QUOTES = "\"'`“”‘’«»「」『』‹›"
_LABEL = re.compile(r"^(?:title|titre|titel|título|标题|標題|タイトル)\s*[:：]\s*", re.IGNORECASE)
_MARKDOWN_LEAD = re.compile(r"^(?:#+\s*|[*_]+|>\s*|[-+]\s+)")
_TRAILING_PERIODS = ".。．"


def clean_title(raw: str) -> str | None:
    """A title from the model's answer: its first line, without Markdown, a ``Title:`` label,
    quotes or a final period, at most 60 characters (cut at a word); None if nothing is left."""
    text = strip_controls(raw)
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    for _ in range(3):  # "**Title:** "X"" has several layers
        before = line
        line = _MARKDOWN_LEAD.sub("", line).strip()
        line = _LABEL.sub("", line).strip()
        line = line.strip("*_").rstrip(_TRAILING_PERIODS).strip()
        while len(line) >= 2 and line[0] in _QUOTES and line[-1] in _QUOTES:
            line = line[1:-1].strip()
        if line == before:
            break
    line = line.strip(_QUOTES).strip()
    if len(line) > TITLE_LENGTH:
        cut = line[: TITLE_LENGTH + 1].rsplit(" ", 1)[0]
        line = cut if len(cut) >= TITLE_LENGTH // 2 else line[:TITLE_LENGTH]
        line = line.rstrip(" ,;:-–—")
    line = line.rstrip(_TRAILING_PERIODS).rstrip()
    return line or None


def first_exchange(path: Sequence[Message]) -> tuple[Message, Message] | None:
    """The prompt and the reply a title is made from, when ``path`` (root .. a reply that just
    ended) answers the conversation's first prompt with some text; None otherwise."""
    if not path:
        return None
    prompts = [m for m in path if m.role == "user"]
    reply = path[-1]
    if len(prompts) != 1 or reply.role != "assistant" or not reply.content.strip():
        return None
    return prompts[0], reply


@record
class TitleAnswer:
    """What a title request came to: the title (None: no usable one) and what it cost."""

    title: str | None
    usage: Usage | None


async def request_title(client: GLMClient, *, model: str, prompt: str, reply: str) -> TitleAnswer:
    """Ask the model for a title; raises the client's APIError when the request fails."""
    from glm_tui.api.title_request import TITLE_MAX_TOKENS, title_messages

    parts: list[str] = []
    usage: Usage | None = None
    stream = client.stream_chat(
        title_messages(prompt, reply),
        model=model,
        thinking=False,
        max_tokens=TITLE_MAX_TOKENS,
    )
    async with contextlib.aclosing(stream) as events:
        async for event in events:
            if isinstance(event, ContentDelta):
                parts.append(event.text)
            elif isinstance(event, Usage):
                usage = event
    return TitleAnswer(clean_title("".join(parts)), usage)
