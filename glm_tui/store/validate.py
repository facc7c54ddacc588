"""Checking an import completely before anything is written.

Each problem is reported with where it is (``conversations[2].messages[5].role``) and what is
wrong. The result is a list of plans with messages in an order where parents come first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from glm_tui.api.events import ToolCall, Usage, WebSource, calls_to_text, sources_to_text

from .attachments import ATTACHMENT_KINDS, AttachmentContent, AttachmentRef, refs_to_text
from .errors import ImportFormatError
from .models import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    ROLES,
    STATUSES,
    TITLE_SOURCES,
    TOOL_STATUSES,
    USAGE_FIELDS,
    normalize_time,
    utc_now,
)
from .organize import clean_tag

_STORE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_INT_USAGE = frozenset(USAGE_FIELDS[:5])


@dataclass(slots=True)
class MessagePlan:
    old_id: int
    old_parent_id: int | None
    # role, content, reasoning, status, finish_reason, error, model, 7 usage values,
    # created_at, duration, then tool_calls, tool_call_id, tool_name, tool_arguments,
    # tool_status, sources, attachments: the column order of export.MESSAGE_INSERT after the
    # ids.
    values: tuple[Any, ...]
    attachment_shas: tuple[str, ...] = ()
    bookmarked_at: str | None = None


@dataclass(slots=True)
class CompactionPlan:
    through_old_id: int
    # summary, summarised, model, usage, created_at, undone_at: compactions.add's order.
    values: tuple[Any, ...]
    bookmarked_at: str | None = None


@dataclass(slots=True)
class ConversationPlan:
    title: str
    provider: str
    model: str
    system_prompt: str | None
    settings_json: str
    created_at: str
    updated_at: str
    current_leaf_old_id: int | None
    messages: list[MessagePlan]
    compactions: list[CompactionPlan]
    pinned: bool = False
    tags: tuple[str, ...] = ()
    title_source: str = "prompt"


def parse_json(text: str | bytes) -> object:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportFormatError("", f"not valid JSON ({exc})") from exc


def _kind(value: object) -> str:
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


def _fail(where: str, expected: str, value: object) -> ImportFormatError:
    shown = repr(value) if isinstance(value, str | int | float) else _kind(value)
    if isinstance(value, str) and len(shown) > 40:
        shown = shown[:37] + "...'"
    return ImportFormatError(where, f"expected {expected}, got {shown}")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(obj: dict[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        if key not in obj:
            raise ImportFormatError(f"{where}.{key}", "missing")
        raise _fail(f"{where}.{key}", "a string", value)
    return value


def _optional_text(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(f"{where}.{key}", "a string or null", value)
    return value


def _time(obj: dict[str, Any], key: str, where: str, default: str) -> str:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _fail(f"{where}.{key}", "an ISO 8601 time", value)
    try:
        if _STORE_TIME.fullmatch(value):
            datetime.fromisoformat(value)  # still checks the ranges (month 13...)
            return value
        return normalize_time(value)
    except ValueError:
        raise _fail(f"{where}.{key}", "an ISO 8601 time with a timezone", value) from None


def _usage(value: object, where: str) -> tuple[Any, ...]:
    if value is None:
        return (None,) * len(USAGE_FIELDS)
    if not isinstance(value, dict):
        raise _fail(where, "an object or null", value)
    for key, item in value.items():
        if key not in USAGE_FIELDS:
            continue  # a newer export may count more things; keep what we know
        if item is not None and not (_is_int(item) if key in _INT_USAGE else _is_number(item)):
            kind = "a whole number" if key in _INT_USAGE else "a number"
            raise _fail(f"{where}.{key}", f"{kind} or null", item)
    return tuple(value.get(name) for name in USAGE_FIELDS)


_NO_TOOLS = (None,) * 6
_NO_EXTRAS = (*_NO_TOOLS, None)
"""No tool calls, tool result, sources nor attachments."""


def _tool_calls(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail(where, "a list of tool calls or null", value)
    calls: list[ToolCall] = []
    for index, item in enumerate(value):
        call = ToolCall.from_json(item)
        if call is None:
            raise _fail(
                f"{where}[{index}]", 'an object with text "id", "name" and "arguments"', item
            )
        calls.append(call)
    return calls_to_text(calls)


def _tool(value: object, role: str, where: str) -> tuple[Any, ...]:
    """(call id, name, arguments, status) of a tool message's ``tool`` object."""
    if role != "tool":
        if value is not None:
            raise ImportFormatError(where, "only a message with role tool has a tool call")
        return (None,) * 4
    if not isinstance(value, dict):
        raise _fail(where, "an object (the call this tool message answers)", value)
    texts = []
    for key in ("call_id", "name", "arguments"):
        item = value.get(key)
        if not isinstance(item, str):
            raise _fail(f"{where}.{key}", "a string", item)
        texts.append(item)
    status = value.get("status")
    if status is not None and status not in TOOL_STATUSES:
        raise _fail(f"{where}.status", "one of " + ", ".join(TOOL_STATUSES) + " or null", status)
    return (*texts, status)


def _sources(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail(where, "a list of web sources or null", value)
    sources: list[WebSource] = []
    for index, item in enumerate(value):
        source = WebSource.from_json(item)
        if source is None:
            raise _fail(f"{where}[{index}]", 'an object with a "link"', item)
        sources.append(source)
    return sources_to_text(sources)


def _attachments(value: object, where: str) -> tuple[str | None, tuple[str, ...]]:
    """A message's references as the store keeps them, and the SHA-256s they need."""
    if value is None or value == []:
        return None, ()
    if not isinstance(value, list):
        raise _fail(where, "a list of attachments", value)
    refs: list[AttachmentRef] = []
    for index, item in enumerate(value):
        ref = AttachmentRef.from_json(item)
        if ref is None or not _SHA256.fullmatch(ref.sha256):
            raise _fail(
                f"{where}[{index}]",
                'an object with text "name", "mime", "sha256" (64 hex digits) and a "size"',
                item,
            )
        refs.append(ref)
    return refs_to_text(refs), tuple(ref.sha256 for ref in refs)


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _message(obj: object, where: str, now: str) -> MessagePlan:
    """The careful path: checks one field after the other and says which one is wrong."""
    if not isinstance(obj, dict):
        raise _fail(where, "an object", obj)
    if "id" not in obj:
        raise ImportFormatError(f"{where}.id", "missing")
    mid = obj["id"]
    if not _is_int(mid):
        raise _fail(f"{where}.id", "a whole number", mid)
    parent = obj.get("parent_id")
    if parent is not None and not _is_int(parent):
        raise _fail(f"{where}.parent_id", "a message id or null", parent)
    role = obj.get("role")
    if role not in ROLES:
        raise _fail(f"{where}.role", "one of " + ", ".join(ROLES), role)
    status = obj.get("status", "complete")
    if status not in STATUSES:
        raise _fail(f"{where}.status", "one of " + ", ".join(STATUSES), status)
    duration = obj.get("duration")
    if duration is not None and not _is_number(duration):
        raise _fail(f"{where}.duration", "a number of seconds or null", duration)
    values = (
        role,
        _text(obj, "content", where),
        _optional_text(obj, "reasoning", where),
        status,
        _optional_text(obj, "finish_reason", where),
        _optional_text(obj, "error", where),
        _optional_text(obj, "model", where),
        *_usage(obj.get("usage"), f"{where}.usage"),
        _time(obj, "created_at", where, now),
        duration,
        _tool_calls(obj.get("tool_calls"), f"{where}.tool_calls"),
        *_tool(obj.get("tool"), role, f"{where}.tool"),
        _sources(obj.get("sources"), f"{where}.sources"),
    )
    attachments, shas = _attachments(obj.get("attachments"), f"{where}.attachments")
    bookmarked = None
    if obj.get("bookmarked_at") is not None:
        bookmarked = _time(obj, "bookmarked_at", where, now)
    return MessagePlan(mid, parent, (*values, attachments), shas, bookmarked)


_NO_USAGE = (None,) * len(USAGE_FIELDS)
_PLAIN_ROLES = frozenset(ROLES) - {"tool"}
_TEXT_OR_NONE = (str, type(None))
_INT_OR_NONE = (int, type(None))
_NUMBER_OR_NONE = (int, float, type(None))
_USAGE_TYPES = tuple(
    (name, _INT_OR_NONE if name in _INT_USAGE else _NUMBER_OR_NONE) for name in USAGE_FIELDS
)


def _fast_message(obj: object, conversation_where: str, index: int, now: str) -> MessagePlan:
    """The common case in one pass of exact type checks (bool is not int here);

    a message with tool calls, a tool result or web sources, and anything unusual, goes to
    ``_message``, which finds and reports the problem. Seeding and large imports spend a good
    part of their time here.
    """
    if type(obj) is dict:
        get = obj.get
        mid = get("id")
        parent = get("parent_id")
        role = get("role")
        content = get("content")
        reasoning = get("reasoning")
        status = get("status", "complete")
        finish_reason = get("finish_reason")
        error = get("error")
        model = get("model")
        usage = get("usage")
        created = get("created_at")
        duration = get("duration")
        if (
            type(mid) is int
            and type(parent) in _INT_OR_NONE
            and role in _PLAIN_ROLES
            and get("tool_calls") is None
            and get("tool") is None
            and get("sources") is None
            and not get("attachments")
            and get("bookmarked_at") is None
            and type(content) is str
            and type(reasoning) in _TEXT_OR_NONE
            and status in STATUSES
            and type(finish_reason) in _TEXT_OR_NONE
            and type(error) in _TEXT_OR_NONE
            and type(model) in _TEXT_OR_NONE
            and type(duration) in _NUMBER_OR_NONE
            and type(created) is str
            and _STORE_TIME.fullmatch(created)
        ):
            if usage is None:
                usage_values = _NO_USAGE
            elif type(usage) is dict and all(
                type(usage.get(name)) in types for name, types in _USAGE_TYPES
            ):
                usage_values = tuple(usage.get(name) for name in USAGE_FIELDS)
            else:
                usage_values = ()
            if usage_values:
                try:
                    datetime.fromisoformat(created)  # the ranges: no month 13
                except ValueError:
                    pass
                else:
                    values = (
                        role, content, reasoning, status, finish_reason, error, model,
                        *usage_values, created, duration, *_NO_EXTRAS,
                    )  # fmt: skip
                    return MessagePlan(mid, parent, values)
    return _message(obj, f"{conversation_where}.messages[{index}]", now)


def _parents_first(messages: list[MessagePlan], where: str) -> list[MessagePlan]:
    """Messages reordered so that each comes after its parent; rejects dangling links, cycles."""
    by_id: dict[int, MessagePlan] = {}
    for index, message in enumerate(messages):
        if message.old_id in by_id:
            raise ImportFormatError(
                f"{where}[{index}].id", f"message id {message.old_id} appears twice"
            )
        by_id[message.old_id] = message
    for index, message in enumerate(messages):
        parent = message.old_parent_id
        if parent is not None and parent not in by_id:
            raise ImportFormatError(
                f"{where}[{index}].parent_id", f"no message with id {parent} in this conversation"
            )
    ordered: list[MessagePlan] = []
    placed: set[int] = set()
    for message in sorted(messages, key=lambda m: m.old_id):
        chain: list[MessagePlan] = []
        seen: set[int] = set()
        current: MessagePlan | None = message
        while current is not None and current.old_id not in placed:
            if current.old_id in seen:
                raise ImportFormatError(
                    where, f"the parent links form a cycle through message {current.old_id}"
                )
            seen.add(current.old_id)
            chain.append(current)
            parent = current.old_parent_id
            current = None if parent is None else by_id[parent]
        for item in reversed(chain):
            placed.add(item.old_id)
            ordered.append(item)
    return ordered


def _conversation(obj: object, where: str, now: str) -> ConversationPlan:
    if not isinstance(obj, dict):
        raise _fail(where, "an object", obj)
    raw_messages = obj.get("messages")
    if not isinstance(raw_messages, list):
        if "messages" not in obj:
            raise ImportFormatError(f"{where}.messages", "missing")
        raise _fail(f"{where}.messages", "a list", raw_messages)
    messages = [_fast_message(item, where, index, now) for index, item in enumerate(raw_messages)]
    settings = obj.get("settings") or {}
    if not isinstance(settings, dict):
        raise _fail(f"{where}.settings", "an object", settings)
    leaf = obj.get("current_leaf_id")
    if leaf is not None and not _is_int(leaf):
        raise _fail(f"{where}.current_leaf_id", "a message id or null", leaf)
    ordered = _parents_first(messages, f"{where}.messages")
    if leaf is not None and all(m.old_id != leaf for m in messages):
        raise ImportFormatError(
            f"{where}.current_leaf_id", f"no message with id {leaf} in this conversation"
        )
    created = _time(obj, "created_at", where, now)
    ids = {m.old_id for m in messages}
    pinned = obj.get("pinned", False)
    if not isinstance(pinned, bool):
        raise _fail(f"{where}.pinned", "true or false", pinned)
    title_source = obj.get("title_source", "prompt")
    if title_source not in TITLE_SOURCES:
        raise _fail(f"{where}.title_source", "one of " + ", ".join(TITLE_SOURCES), title_source)
    return ConversationPlan(
        title=_text(obj, "title", where),
        provider=_text(obj, "provider", where, default=""),
        model=_text(obj, "model", where, default=""),
        system_prompt=_optional_text(obj, "system_prompt", where),
        settings_json=json.dumps(settings),
        created_at=created,
        updated_at=_time(obj, "updated_at", where, created),
        current_leaf_old_id=leaf,
        messages=ordered,
        compactions=_compactions(obj.get("compactions"), f"{where}.compactions", ids, now),
        pinned=pinned,
        tags=_tags(obj.get("tags"), f"{where}.tags"),
        title_source=title_source,
    )


def _compactions(value: object, where: str, ids: set[int], now: str) -> list[CompactionPlan]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, "a list", value)
    plans: list[CompactionPlan] = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise _fail(at, "an object", item)
        through = item.get("through_id")
        if not _is_int(through) or through not in ids:
            raise _fail(f"{at}.through_id", "the id of a message of this conversation", through)
        summarised = item.get("summarised", 0)
        if not _is_int(summarised) or summarised < 0:
            raise _fail(f"{at}.summarised", "a whole number", summarised)
        usage = _usage(item.get("usage"), f"{at}.usage")
        plans.append(
            CompactionPlan(
                through,
                (
                    _text(item, "summary", at),
                    summarised,
                    _optional_text(item, "model", at),
                    None if all(v is None for v in usage) else Usage(*usage),
                    _time(item, "created_at", at, now),
                    _time(item, "undone_at", at, "") or None,
                ),
            )
        )
    return plans


def attachment_contents(data: object, plans: list[ConversationPlan]) -> list[AttachmentContent]:
    """The contents the plans' messages refer to, from the envelope's ``attachments``, each
    checked: its kind, and that its text or bytes have the SHA-256 and size it claims."""
    import base64
    import binascii
    import hashlib

    needed = {sha for plan in plans for m in plan.messages for sha in m.attachment_shas}
    if not needed:
        return []
    table = data.get("attachments") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise _fail("attachments", "an object of attachments by SHA-256", table)
    contents: list[AttachmentContent] = []
    for sha in sorted(needed):
        where = f"attachments.{sha[:12]}"
        entry = table.get(sha)
        if not isinstance(entry, dict):
            raise ImportFormatError(where, "missing: a message refers to it")
        kind = entry.get("kind")
        if kind not in ATTACHMENT_KINDS:
            raise _fail(f"{where}.kind", "one of " + ", ".join(ATTACHMENT_KINDS), kind)
        text = _optional_text(entry, "text", where)
        encoded = _optional_text(entry, "data_base64", where)
        try:
            raw = base64.b64decode(encoded, validate=True) if encoded is not None else None
        except (binascii.Error, ValueError):
            raise _fail(f"{where}.data_base64", "base64", encoded) from None
        stored = raw if raw is not None else (text or "").encode("utf-8")
        if (kind == "text") != (raw is None) or (kind != "image") != (text is not None):
            raise ImportFormatError(where, f"a {kind} attachment with the wrong fields")
        if hashlib.sha256(stored).hexdigest() != sha:
            raise ImportFormatError(where, "its content does not have this SHA-256")
        width, height = entry.get("width"), entry.get("height")
        for key, number in (("width", width), ("height", height)):
            if number is not None and not _is_int(number):
                raise _fail(f"{where}.{key}", "a whole number or null", number)
        mime = _text(entry, "mime", where)
        contents.append(AttachmentContent(sha, kind, mime, len(stored), text, raw, width, height))
    return contents


def _tags(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(where, "a list of tags", value)
    tags: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _fail(f"{where}[{index}]", "a string", item)
        try:
            tags.append(clean_tag(item))
        except ValueError as exc:
            raise ImportFormatError(f"{where}[{index}]", str(exc)) from None
    return tuple(tags)


def validate(data: object) -> list[ConversationPlan]:
    """Every conversation checked and planned; raises ImportFormatError on the first problem."""
    if not isinstance(data, dict):
        raise _fail("", "a JSON object with a list of conversations", data)
    fmt = data.get("format")
    if fmt != EXPORT_FORMAT:
        raise _fail("format", repr(EXPORT_FORMAT), fmt)
    version = data.get("version")
    if not _is_int(version) or version < 1:
        raise _fail("version", "a whole number", version)
    if version > EXPORT_VERSION:
        raise ImportFormatError(
            "version",
            f"export version {version} is newer than this glm-tui reads ({EXPORT_VERSION})",
        )
    conversations = data.get("conversations")
    if not isinstance(conversations, list):
        raise _fail("conversations", "a list", conversations)
    now = utc_now()
    return [
        _conversation(item, f"conversations[{index}]", now)
        for index, item in enumerate(conversations)
    ]
