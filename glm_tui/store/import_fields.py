"""One field of an import checked: its type, its range, its text as the store keeps it. Each
problem is an ImportFormatError saying where it is and what was expected (validate.py puts the
fields together into plans)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeGuard

from glm_tui.api.events import ToolCall, WebSource, calls_to_text, sources_to_text

from .attachments import AttachmentRef, refs_to_text
from .errors import ImportFormatError
from .models import TOOL_STATUSES, USAGE_FIELDS, normalize_time
from .organize import clean_tag

STORE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
INT_USAGE = frozenset(USAGE_FIELDS[:5])


def kind_of(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def fail(where: str, expected: str, value: object) -> ImportFormatError:
    shown = repr(value) if isinstance(value, str | int | float) else kind_of(value)
    if isinstance(value, str) and len(shown) > 40:
        shown = shown[:37] + "...'"
    return ImportFormatError(where, f"expected {expected}, got {shown}")


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def text_field(obj: dict[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        if key not in obj:
            raise ImportFormatError(f"{where}.{key}", "missing")
        raise fail(f"{where}.{key}", "a string", value)
    return value


def optional_text(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise fail(f"{where}.{key}", "a string or null", value)
    return value


def time_field(obj: dict[str, Any], key: str, where: str, default: str) -> str:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise fail(f"{where}.{key}", "an ISO 8601 time", value)
    try:
        if STORE_TIME.fullmatch(value):
            datetime.fromisoformat(value)  # still checks the ranges (month 13...)
            return value
        return normalize_time(value)
    except ValueError:
        raise fail(f"{where}.{key}", "an ISO 8601 time with a timezone", value) from None


def usage_field(value: object, where: str) -> tuple[Any, ...]:
    if value is None:
        return (None,) * len(USAGE_FIELDS)
    if not isinstance(value, dict):
        raise fail(where, "an object or null", value)
    for key, item in value.items():
        if key not in USAGE_FIELDS:
            continue  # a newer export may count more things; keep what we know
        if item is not None and not (is_int(item) if key in INT_USAGE else is_number(item)):
            kind = "a whole number" if key in INT_USAGE else "a number"
            raise fail(f"{where}.{key}", f"{kind} or null", item)
    return tuple(value.get(name) for name in USAGE_FIELDS)


NO_TOOLS = (None,) * 6
NO_EXTRAS = (*NO_TOOLS, None)
"""No tool calls, tool result, sources nor attachments."""


def tool_calls_text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise fail(where, "a list of tool calls or null", value)
    calls: list[ToolCall] = []
    for index, item in enumerate(value):
        call = ToolCall.from_json(item)
        if call is None:
            raise fail(
                f"{where}[{index}]", 'an object with text "id", "name" and "arguments"', item
            )
        calls.append(call)
    return calls_to_text(calls)


def tool_values(value: object, role: str, where: str) -> tuple[Any, ...]:
    """(call id, name, arguments, status) of a tool message's ``tool`` object."""
    if role != "tool":
        if value is not None:
            raise ImportFormatError(where, "only a message with role tool has a tool call")
        return (None,) * 4
    if not isinstance(value, dict):
        raise fail(where, "an object (the call this tool message answers)", value)
    texts = []
    for key in ("call_id", "name", "arguments"):
        item = value.get(key)
        if not isinstance(item, str):
            raise fail(f"{where}.{key}", "a string", item)
        texts.append(item)
    status = value.get("status")
    if status is not None and status not in TOOL_STATUSES:
        raise fail(f"{where}.status", "one of " + ", ".join(TOOL_STATUSES) + " or null", status)
    return (*texts, status)


def sources_text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise fail(where, "a list of web sources or null", value)
    sources: list[WebSource] = []
    for index, item in enumerate(value):
        source = WebSource.from_json(item)
        if source is None:
            raise fail(f"{where}[{index}]", 'an object with a "link"', item)
        sources.append(source)
    return sources_to_text(sources)


def attachment_refs(value: object, where: str) -> tuple[str | None, tuple[str, ...]]:
    """A message's references as the store keeps them, and the SHA-256s they need."""
    if value is None or value == []:
        return None, ()
    if not isinstance(value, list):
        raise fail(where, "a list of attachments", value)
    refs: list[AttachmentRef] = []
    for index, item in enumerate(value):
        ref = AttachmentRef.from_json(item)
        if ref is None or not SHA256.fullmatch(ref.sha256):
            raise fail(
                f"{where}[{index}]",
                'an object with text "name", "mime", "sha256" (64 hex digits) and a "size"',
                item,
            )
        refs.append(ref)
    return refs_to_text(refs), tuple(ref.sha256 for ref in refs)


SHA256 = re.compile(r"[0-9a-f]{64}")


def tag_list(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail(where, "a list of tags", value)
    tags: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise fail(f"{where}[{index}]", "a string", item)
        try:
            tags.append(clean_tag(item))
        except ValueError as exc:
            raise ImportFormatError(f"{where}[{index}]", str(exc)) from None
    return tuple(tags)
