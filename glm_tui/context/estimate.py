"""Token estimates without a tokenizer: good to about a fifth for English, code and Chinese.

GLM's tokenizer is not published as a Python package, and a real count is only needed for
what was already sent (the provider reports it: ``usage.prompt_tokens``). What is new (a
draft, an attachment, a reply) is estimated from its characters: ASCII text runs at about
3.6 characters a token (prose a little more, code a little less), other scripts at about 1.5
(a Chinese character is a token or less). An image costs one token per 28x28 pixels (14-pixel
patches merged two by two), as GLM-4.6V reads it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

ASCII_CHARS_PER_TOKEN = 3.6
OTHER_CHARS_PER_TOKEN = 1.5
IMAGE_PATCH = 28
IMAGE_MIN_TOKENS = 64
IMAGE_MAX_TOKENS = 16_384
MESSAGE_OVERHEAD = 4
"""The role and the separators around each message."""


def text_tokens(text: str) -> int:
    if not text:
        return 0
    if text.isascii():
        return math.ceil(len(text) / ASCII_CHARS_PER_TOKEN)
    other = sum(1 for ch in text if ord(ch) > 127)
    ascii_count = len(text) - other
    return math.ceil(ascii_count / ASCII_CHARS_PER_TOKEN + other / OTHER_CHARS_PER_TOKEN)


def image_tokens(width: int | None, height: int | None) -> int:
    """An image of ``width`` x ``height`` pixels (unknown: a typical screenshot)."""
    if not width or not height:
        width, height = 1280, 800
    patches = math.ceil(width / IMAGE_PATCH) * math.ceil(height / IMAGE_PATCH)
    return max(IMAGE_MIN_TOKENS, min(IMAGE_MAX_TOKENS, patches))


def wire_tokens(messages: Iterable[dict[str, Any]]) -> int:
    """The chat messages of a request as the provider will count them, roughly."""
    total = 0
    for message in messages:
        total += MESSAGE_OVERHEAD
        content = message.get("content")
        if isinstance(content, str):
            total += text_tokens(content)
        elif isinstance(content, list):
            for part in content:
                total += _part_tokens(part)
        for call in message.get("tool_calls") or ():
            function = call.get("function", {}) if isinstance(call, dict) else {}
            total += text_tokens(str(function.get("name", "")))
            total += text_tokens(str(function.get("arguments", "")))
        reasoning = message.get("reasoning_content")
        if isinstance(reasoning, str):
            total += text_tokens(reasoning)
    return total


def _part_tokens(part: object) -> int:
    if not isinstance(part, dict):
        return 0
    if part.get("type") == "text":
        return text_tokens(str(part.get("text", "")))
    if part.get("type") == "image_url":
        return image_tokens(None, None)  # the size is not in the URL: a typical one
    return 0


def format_tokens(count: int) -> str:
    """``950``, ``12.4k``, ``200k``: for the status line and chips."""
    if count < 1000:
        return str(count)
    value = count / 1000
    if value >= 100 or value == int(value):
        return f"{round(value)}k"
    return f"{value:.1f}k"
