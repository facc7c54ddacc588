"""JSON export (complete enough to restore everything) and the import that reads it back."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from . import attachments as attached
from . import compactions, fts
from .import_fields import NO_EXTRAS
from .models import EXPORT_FORMAT, EXPORT_VERSION, Message
from .organize import tags_for
from .rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    conversation_from_row,
    message_from_row,
)
from .validate import ConversationPlan

_CONVERSATION_INSERT = (
    "INSERT INTO conversations (id, title, provider, model, system_prompt, settings,"
    " created_at, updated_at, current_leaf_id, message_count, pinned, title_source)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_MESSAGE_INSERT = (
    "INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, status,"
    " finish_reason, error, model, prompt_tokens, completion_tokens, total_tokens,"
    " cached_tokens, reasoning_tokens, credits, usd, created_at, duration)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Tool calls, a tool's result, web sources and attachments: set after the insert, for the few
# messages that have any. Binding a None costs Python's sqlite3 more than a number (see
# connection.py), and these seven NULLs were in every message's insert: without them, a
# process seeding 10,000 messages runs 9 % fewer instructions (callgrind: 4.53 -> 4.11 G).
_MESSAGE_EXTRAS = (
    "UPDATE messages SET tool_calls = ?, tool_call_id = ?, tool_name = ?, tool_arguments = ?,"
    " tool_status = ?, sources = ?, attachments = ? WHERE id = ?"
)


# Up to this many conversations are read one by one; more, in one pass over all messages.
_FEW = 50


def message_to_export(message: Message) -> dict[str, Any]:
    return message.to_json()


def export_envelope(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[str, Any]:
    """The export of these conversations, in the given order.

    A few conversations are read by id; many, in one pass over each table ordered by
    conversation rather than two queries per conversation, so exporting a large history stays
    fast.
    """
    few = len(ids) <= _FEW
    conversation_rows: list[Any] | sqlite3.Cursor
    if few:
        conversation_rows = [
            row
            for cid in ids
            for row in conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (cid,)
            )
        ]
    else:
        conversation_rows = conn.execute(f"SELECT {CONVERSATION_COLUMNS} FROM conversations")
    wanted = set(ids)
    tags = tags_for(conn, ids)
    conversations: dict[int, dict[str, Any]] = {}
    for row in conversation_rows:
        if row[0] not in wanted:
            continue
        c = conversation_from_row(row)
        conversations[c.id] = {
            "id": c.id,
            "title": c.title,
            "provider": c.provider,
            "model": c.model,
            "system_prompt": c.system_prompt,
            "settings": c.settings,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "current_leaf_id": c.current_leaf_id,
            "pinned": c.pinned,
            "tags": tags.get(c.id, []),
            "title_source": c.title_source,
            "messages": [],
        }
    rows: list[Any] | sqlite3.Cursor
    if few:
        rows = []
        for cid in conversations:
            rows.extend(
                conn.execute(
                    f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id",
                    (cid,),
                )
            )
    else:
        rows = conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages ORDER BY conversation_id, id")
    shas: set[str] = set()
    bookmarks = dict(conn.execute("SELECT message_id, created_at FROM bookmarks").fetchall())
    for row in rows:
        target = conversations.get(row[1])
        if target is not None:
            message = message_from_row(row)
            shas.update(ref.sha256 for ref in message.attachments)
            exported = message_to_export(message)
            exported["bookmarked_at"] = bookmarks.get(row[0])
            target["messages"].append(exported)
    for target in conversations.values():
        target["compactions"] = []
    made = (
        (c for cid in conversations for c in compactions.of_conversation(conn, cid))
        if few
        else compactions.all_compactions(conn)
    )
    for compaction in made:
        holder = conversations.get(compaction.conversation_id)
        if holder is not None:
            holder["compactions"].append(compaction.to_json())
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "conversations": [conversations[cid] for cid in ids if cid in conversations],
        "attachments": attached.export_contents(conn, shas),
    }


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    # AUTOINCREMENT never reuses an id, so start above both the sequence and the rows.
    row = conn.execute(
        f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0),"
        f" coalesce((SELECT max(id) FROM {table}), 0))"
    ).fetchone()
    return int(row[0]) + 1


def insert_plans(
    conn: sqlite3.Connection,
    plans: Sequence[ConversationPlan],
    contents: Sequence[attached.AttachmentContent] = (),
) -> list[int]:
    """Write validated conversations with new ids (inside the caller's transaction), and the
    attachments' contents they refer to."""
    attached.store_contents(conn, contents)
    next_cid = _next_id(conn, "conversations")
    next_mid = _next_id(conn, "messages")
    conversation_rows: list[tuple[Any, ...]] = []
    message_rows: list[tuple[Any, ...]] = []
    extra_rows: list[tuple[Any, ...]] = []
    first_mid = next_mid
    new_ids: list[int] = []
    id_maps: dict[int, dict[int, int]] = {}
    tag_rows: list[tuple[int, str]] = []
    bookmark_rows: list[tuple[int, str]] = []
    for plan in plans:
        cid = next_cid
        next_cid += 1
        id_map: dict[int, int] = {}
        id_maps[cid] = id_map
        for message in plan.messages:
            mid = next_mid
            next_mid += 1
            id_map[message.old_id] = mid
            parent = None if message.old_parent_id is None else id_map[message.old_parent_id]
            message_rows.append((mid, cid, parent, *message.values))
            if message.extras != NO_EXTRAS:
                extra_rows.append((*message.extras, mid))
            if message.bookmarked_at is not None:
                bookmark_rows.append((mid, message.bookmarked_at))
        leaf = None if plan.current_leaf_old_id is None else id_map[plan.current_leaf_old_id]
        conversation_rows.append(
            (
                cid,
                plan.title,
                plan.provider,
                plan.model,
                plan.system_prompt,
                plan.settings_json,
                plan.created_at,
                plan.updated_at,
                leaf,
                len(plan.messages),
                int(plan.pinned),
                plan.title_source,
            )
        )
        tag_rows.extend((cid, tag) for tag in plan.tags)
        new_ids.append(cid)
    conn.executemany(_CONVERSATION_INSERT, conversation_rows)
    conn.executemany(_MESSAGE_INSERT, message_rows)
    conn.executemany(_MESSAGE_EXTRAS, extra_rows)
    for plan, cid in zip(plans, new_ids, strict=True):
        for item in plan.compactions:
            compactions.add(conn, cid, id_maps[cid][item.through_old_id], *item.values)
    conn.executemany(
        "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) VALUES (?, ?)", tag_rows
    )
    conn.executemany("INSERT INTO bookmarks (message_id, created_at) VALUES (?, ?)", bookmark_rows)
    if message_rows:
        fts.index_range(conn, first_mid, next_mid - 1)
    return new_ids
