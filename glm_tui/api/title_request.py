"""The request for a conversation's title: a short, cheap side request after its first reply.

It is built here, beside the other requests, so that the demo model (demo.py) can tell it from a
turn and answer it offline. Thinking is disabled and ``max_tokens`` small: a title is a few words,
and reasoning would cost more than the title itself.
"""

from __future__ import annotations

import re
from typing import Any

TITLE_MAX_TOKENS = 48
"""Room for a title of about 60 characters in any language (a CJK character may be a token)."""
EXCERPT_CHARACTERS = 1500
"""Of the prompt and of the reply sent along: their beginning says what they are about."""

TITLE_INSTRUCTION = (
    "You name conversations. Reply with a title for the conversation below: at most six words"
    " and under 60 characters, saying what it is about, in the language of the user's message."
    " Reply with the title only: no quotes, no final period, no Markdown, no explanation."
)
_USER_LABEL = "User:"
_REPLY_LABEL = "Assistant:"


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT_CHARACTERS else text[:EXCERPT_CHARACTERS] + " […]"


def title_messages(prompt: str, reply: str) -> list[dict[str, Any]]:
    """The messages of a title request for a conversation's first prompt and reply."""
    exchange = f"{_USER_LABEL} {_excerpt(prompt)}\n\n{_REPLY_LABEL} {_excerpt(reply)}"
    return [
        {"role": "system", "content": TITLE_INSTRUCTION},
        {"role": "user", "content": exchange},
    ]


def is_title_request(body: dict[str, Any]) -> bool:
    """Whether a request body is a title request (for the demo model)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return False
    first = messages[0]
    return isinstance(first, dict) and first.get("content") == TITLE_INSTRUCTION


# Left out of a demo title: they say little about what a conversation is about.
_DEMO_SKIP_TEXT = (
    "a an and about are can could do does explain for give how i in is it me my of on or"
    " please show tell the to was what when where which who why with would you your"
)
_DEMO_SKIP = frozenset(_DEMO_SKIP_TEXT.split())
_DEMO_WORDS = 5


def demo_title(body: dict[str, Any]) -> str:
    """The demo model's title for a title request: the prompt's first telling words, each
    capitalised (the same prompt always gets the same title)."""
    messages = body.get("messages") or []
    exchange = messages[-1].get("content", "") if isinstance(messages[-1], dict) else ""
    prompt = str(exchange).split(f"\n\n{_REPLY_LABEL}", 1)[0].removeprefix(_USER_LABEL)
    first_line = next((line for line in prompt.splitlines() if line.strip()), "")
    words = [w for w in re.findall(r"[^\W_][\w'’.+#-]*", first_line) if w.lower() not in _DEMO_SKIP]
    words = [w.rstrip(".") for w in words if w.rstrip(".")]
    if not words:
        return "A Demo Conversation"
    return " ".join(w[:1].upper() + w[1:] for w in words[:_DEMO_WORDS])[:60].rstrip()
