"""Telling a reply that failed because the conversation no longer fits the model's window.

The provider says so with ``finish_reason: model_context_window_exceeded`` (Z.ai), or refuses
the request: Z.ai's code 1261 ("prompt too long"), OpenAI's ``context_length_exceeded``, vLLM's
"maximum context length". The saved error holds the provider's code and words, so they are
looked for there.
"""

from __future__ import annotations

import re

from glm_tui.store import Message

EXCEEDED = "model_context_window_exceeded"
_ERROR_SIGNS = re.compile(
    r"model_context_window_exceeded|context_length_exceeded|code 1261\b|maximum context length"
    r"|context window|prompt (?:is )?too long|too many (?:input )?tokens|exceeds? the context",
    re.IGNORECASE,
)


def overflowed(message: Message) -> bool:
    """Whether the reply ended because what was sent did not fit the window."""
    if message.role != "assistant":
        return False
    if message.finish_reason == EXCEEDED:
        return True
    return message.status == "error" and bool(message.error and _ERROR_SIGNS.search(message.error))
