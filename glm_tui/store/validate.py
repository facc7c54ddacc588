"""Checking an import completely before anything is written.

Each problem is reported with where it is (``conversations[2].messages[5].role``) and what is
wrong. The result is a list of plans with messages in an order where parents come first.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from glm_tui.api.events import Usage
from glm_tui.records import record

from .attachments import ATTACHMENT_KINDS, AttachmentContent
from .errors import ImportFormatError
from .import_fields import (
    INT_USAGE,
    NO_EXTRAS,
    STORE_TIME,
    attachment_refs,
    fail,
    is_int,
    is_number,
    optional_text,
    sources_text,
    tag_list,
    text_field,
    time_field,
    tool_calls_text,
    tool_values,
    usage_field,
)
from .models import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    ROLES,
    STATUSES,
    TITLE_SOURCES,
    USAGE_FIELDS,
    utc_now,
)


@record(frozen=False)
class MessagePlan:
    old_id: int
    old_parent_id: int | None
    # role, content, reasoning, status, finish_reason, error, model, 7 usage values,
    # created_at, duration: the column order of export._MESSAGE_INSERT after the ids.
    values: tuple[Any, ...]
    # tool_calls, tool_call_id, tool_name, tool_arguments, tool_status, sources, attachments:
    # export._MESSAGE_EXTRAS's order. Most messages have none of them (see there).
    extras: tuple[Any, ...] = NO_EXTRAS
    attachment_shas: tuple[str, ...] = ()
    bookmarked_at: str | None = None


@record(frozen=False)
class CompactionPlan:
    through_old_id: int
    # summary, summarised, model, usage, created_at, undone_at: compactions.add's order.
    values: tuple[Any, ...]
    bookmarked_at: str | None = None


@record(frozen=False)
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


def _message(obj: object, where: str, now: str) -> MessagePlan:
    """The careful path: checks one field after the other and says which one is wrong."""
    if not isinstance(obj, dict):
        raise fail(where, "an object", obj)
    if "id" not in obj:
        raise ImportFormatError(f"{where}.id", "missing")
    mid = obj["id"]
    if not is_int(mid):
        raise fail(f"{where}.id", "a whole number", mid)
    parent = obj.get("parent_id")
    if parent is not None and not is_int(parent):
        raise fail(f"{where}.parent_id", "a message id or null", parent)
    role = obj.get("role")
    if role not in ROLES:
        raise fail(f"{where}.role", "one of " + ", ".join(ROLES), role)
    status = obj.get("status", "complete")
    if status not in STATUSES:
        raise fail(f"{where}.status", "one of " + ", ".join(STATUSES), status)
    duration = obj.get("duration")
    if duration is not None and not is_number(duration):
        raise fail(f"{where}.duration", "a number of seconds or null", duration)
    values = (
        role,
        text_field(obj, "content", where),
        optional_text(obj, "reasoning", where),
        status,
        optional_text(obj, "finish_reason", where),
        optional_text(obj, "error", where),
        optional_text(obj, "model", where),
        *usage_field(obj.get("usage"), f"{where}.usage"),
        time_field(obj, "created_at", where, now),
        duration,
    )
    extras = (
        tool_calls_text(obj.get("tool_calls"), f"{where}.tool_calls"),
        *tool_values(obj.get("tool"), role, f"{where}.tool"),
        sources_text(obj.get("sources"), f"{where}.sources"),
    )
    attachments, shas = attachment_refs(obj.get("attachments"), f"{where}.attachments")
    bookmarked = None
    if obj.get("bookmarked_at") is not None:
        bookmarked = time_field(obj, "bookmarked_at", where, now)
    return MessagePlan(mid, parent, values, (*extras, attachments), shas, bookmarked)


_NO_USAGE = (None,) * len(USAGE_FIELDS)
_PLAIN_ROLES = frozenset(ROLES) - {"tool"}
_TEXT_OR_NONE = (str, type(None))
_INT_OR_NONE = (int, type(None))
_NUMBER_OR_NONE = (int, float, type(None))
# The usage fields in order: the whole numbers first, then the other numbers (credits, usd).
_WHOLE_USAGE = sum(1 for name in USAGE_FIELDS if name in INT_USAGE)
assert set(USAGE_FIELDS[:_WHOLE_USAGE]) == INT_USAGE
_WHOLE_OR_NONE = frozenset(_INT_OR_NONE)
_ANY_NUMBER_OR_NONE = frozenset(_NUMBER_OR_NONE)


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
            and STORE_TIME.fullmatch(created)
        ):
            if usage is None:
                usage_values = _NO_USAGE
            elif type(usage) is dict:
                usage_values = tuple(map(usage.get, USAGE_FIELDS))
                kinds = tuple(map(type, usage_values))
                if not (
                    _WHOLE_OR_NONE.issuperset(kinds[:_WHOLE_USAGE])
                    and _ANY_NUMBER_OR_NONE.issuperset(kinds[_WHOLE_USAGE:])
                ):
                    usage_values = ()
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
                        *usage_values, created, duration,
                    )  # fmt: skip
                    return MessagePlan(mid, parent, values)
    return _message(obj, f"{conversation_where}.messages[{index}]", now)


def _parents_first(messages: list[MessagePlan], where: str) -> list[MessagePlan]:
    """Messages reordered so that each comes after its parent; rejects dangling links, cycles."""
    # An export's own order (ids rising, each parent before its child) is kept as it is: what
    # the general way below gives it, in a single pass.
    in_order: set[int] = set()
    last = None
    for message in messages:
        parent = message.old_parent_id
        if (last is not None and message.old_id <= last) or (
            parent is not None and parent not in in_order
        ):
            break
        in_order.add(message.old_id)
        last = message.old_id
    else:
        return list(messages)
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
        raise fail(where, "an object", obj)
    raw_messages = obj.get("messages")
    if not isinstance(raw_messages, list):
        if "messages" not in obj:
            raise ImportFormatError(f"{where}.messages", "missing")
        raise fail(f"{where}.messages", "a list", raw_messages)
    messages = [_fast_message(item, where, index, now) for index, item in enumerate(raw_messages)]
    settings = obj.get("settings") or {}
    if not isinstance(settings, dict):
        raise fail(f"{where}.settings", "an object", settings)
    leaf = obj.get("current_leaf_id")
    if leaf is not None and not is_int(leaf):
        raise fail(f"{where}.current_leaf_id", "a message id or null", leaf)
    ordered = _parents_first(messages, f"{where}.messages")
    if leaf is not None and all(m.old_id != leaf for m in messages):
        raise ImportFormatError(
            f"{where}.current_leaf_id", f"no message with id {leaf} in this conversation"
        )
    created = time_field(obj, "created_at", where, now)
    ids = {m.old_id for m in messages}
    pinned = obj.get("pinned", False)
    if not isinstance(pinned, bool):
        raise fail(f"{where}.pinned", "true or false", pinned)
    title_source = obj.get("title_source", "prompt")
    if title_source not in TITLE_SOURCES:
        raise fail(f"{where}.title_source", "one of " + ", ".join(TITLE_SOURCES), title_source)
    return ConversationPlan(
        title=text_field(obj, "title", where),
        provider=text_field(obj, "provider", where, default=""),
        model=text_field(obj, "model", where, default=""),
        system_prompt=optional_text(obj, "system_prompt", where),
        settings_json=json.dumps(settings),
        created_at=created,
        updated_at=time_field(obj, "updated_at", where, created),
        current_leaf_old_id=leaf,
        messages=ordered,
        compactions=_compactions(obj.get("compactions"), f"{where}.compactions", ids, now),
        pinned=pinned,
        tags=tag_list(obj.get("tags"), f"{where}.tags"),
        title_source=title_source,
    )


def _compactions(value: object, where: str, ids: set[int], now: str) -> list[CompactionPlan]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(where, "a list", value)
    plans: list[CompactionPlan] = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise fail(at, "an object", item)
        through = item.get("through_id")
        if not is_int(through) or through not in ids:
            raise fail(f"{at}.through_id", "the id of a message of this conversation", through)
        summarised = item.get("summarised", 0)
        if not is_int(summarised) or summarised < 0:
            raise fail(f"{at}.summarised", "a whole number", summarised)
        usage = usage_field(item.get("usage"), f"{at}.usage")
        plans.append(
            CompactionPlan(
                through,
                (
                    text_field(item, "summary", at),
                    summarised,
                    optional_text(item, "model", at),
                    None if all(v is None for v in usage) else Usage(*usage),
                    time_field(item, "created_at", at, now),
                    time_field(item, "undone_at", at, "") or None,
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
        raise fail("attachments", "an object of attachments by SHA-256", table)
    contents: list[AttachmentContent] = []
    for sha in sorted(needed):
        where = f"attachments.{sha[:12]}"
        entry = table.get(sha)
        if not isinstance(entry, dict):
            raise ImportFormatError(where, "missing: a message refers to it")
        kind = entry.get("kind")
        if kind not in ATTACHMENT_KINDS:
            raise fail(f"{where}.kind", "one of " + ", ".join(ATTACHMENT_KINDS), kind)
        text = optional_text(entry, "text", where)
        encoded = optional_text(entry, "data_base64", where)
        try:
            raw = base64.b64decode(encoded, validate=True) if encoded is not None else None
        except (binascii.Error, ValueError):
            raise fail(f"{where}.data_base64", "base64", encoded) from None
        stored = raw if raw is not None else (text or "").encode("utf-8")
        if (kind == "text") != (raw is None) or (kind != "image") != (text is not None):
            raise ImportFormatError(where, f"a {kind} attachment with the wrong fields")
        if hashlib.sha256(stored).hexdigest() != sha:
            raise ImportFormatError(where, "its content does not have this SHA-256")
        width, height = entry.get("width"), entry.get("height")
        for key, number in (("width", width), ("height", height)):
            if number is not None and not is_int(number):
                raise fail(f"{where}.{key}", "a whole number or null", number)
        mime = text_field(entry, "mime", where)
        contents.append(AttachmentContent(sha, kind, mime, len(stored), text, raw, width, height))
    return contents


def validate(data: object) -> list[ConversationPlan]:
    """Every conversation checked and planned; raises ImportFormatError on the first problem."""
    if not isinstance(data, dict):
        raise fail("", "a JSON object with a list of conversations", data)
    fmt = data.get("format")
    if fmt != EXPORT_FORMAT:
        raise fail("format", repr(EXPORT_FORMAT), fmt)
    version = data.get("version")
    if not is_int(version) or version < 1:
        raise fail("version", "a whole number", version)
    if version > EXPORT_VERSION:
        raise ImportFormatError(
            "version",
            f"export version {version} is newer than this glm-tui reads ({EXPORT_VERSION})",
        )
    conversations = data.get("conversations")
    if not isinstance(conversations, list):
        raise fail("conversations", "a list", conversations)
    now = utc_now()
    return [
        _conversation(item, f"conversations[{index}]", now)
        for index, item in enumerate(conversations)
    ]
