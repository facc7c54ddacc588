"""The usage and cost of a request, from the stream's ``usage`` and ``meta.usage`` and from the
AI/ML API's cost headers; reports merged field by field, and what can be derived filled in."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from glm_tui.api._httpx import httpx
from glm_tui.api.events import Usage

USD_TO_CREDITS = 2_000_000


def _int(value: Any) -> int | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return int(value) if ok and float(value).is_integer() else None


def _num(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def parse_usage(usage: Any, meta: Any) -> Usage | None:
    found = Usage(
        prompt_tokens=_int(_dig(usage, "prompt_tokens")),
        completion_tokens=_int(_dig(usage, "completion_tokens")),
        total_tokens=_int(_dig(usage, "total_tokens")),
        cached_tokens=_int(_dig(usage, "prompt_tokens_details", "cached_tokens")),
        reasoning_tokens=_int(_dig(usage, "completion_tokens_details", "reasoning_tokens")),
        credits=_num(_dig(meta, "usage", "credits_used")),
        usd=_num(_dig(meta, "usage", "usd_spent")),
    )
    return None if found == Usage() else found


COST_HEADERS = ("x-aimlapi-credits-used", "x-aimlapi-usd-spent")
"""The AI/ML API's cost of a call, in credits and US$ (docs.aimlapi.com, "Request Tracing and
Cost Headers"): sent with a non-streaming answer; a stream has its cost in the last chunk's
``meta.usage`` instead, which wins when both are there."""


def header_cost(headers: httpx.Headers) -> Usage | None:
    credits, usd = (_header_number(headers.get(name)) for name in COST_HEADERS)
    if credits is None and usd is None:
        return None
    return Usage(credits=credits, usd=usd)


def _header_number(value: str | None) -> float | None:
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if 0 <= number < float("inf") else None  # not NaN, not infinite


def merge(old: Usage, new: Usage) -> Usage:
    """Later reports win field by field; a field a later report leaves out is kept."""
    changes = {f.name: getattr(new, f.name) for f in fields(new)}
    return replace(old, **{k: v for k, v in changes.items() if v is not None})


def complete_usage(usage: Usage) -> Usage:
    """Fill what can be derived: the total, and credits from dollars or the other way round."""
    total, credits, usd = usage.total_tokens, usage.credits, usage.usd
    if total is None and usage.prompt_tokens is not None and usage.completion_tokens is not None:
        total = usage.prompt_tokens + usage.completion_tokens
    if credits is None and usd is not None:
        credits = usd * USD_TO_CREDITS
    elif usd is None and credits is not None:
        usd = credits / USD_TO_CREDITS
    return replace(usage, total_tokens=total, credits=credits, usd=usd)
