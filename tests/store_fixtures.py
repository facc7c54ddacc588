"""Helpers for the store tests: a small branched conversation, and id-free exports."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glm_tui.api.events import Usage
from glm_tui.store import Store


@dataclass
class Tree:
    """Ids of a conversation shaped like this (``*`` is the current leaf)::

    u1 - a1 - u2 - a2
       \\ a1b - u3 - a3*
    """

    cid: int
    u1: int
    a1: int
    u2: int
    a2: int
    a1b: int
    u3: int
    a3: int


def build_tree(store: Store, title: str = "Branches") -> Tree:
    cid = store.create_conversation(
        title=title,
        provider="aimlapi",
        model="zhipu/glm-4.7",
        system_prompt="Be brief.",
        settings={"thinking": True, "temperature": 0.6},
    )
    u1 = store.add_message(cid, parent_id=None, role="user", content="What is a monad?")
    a1 = store.add_message(
        cid, parent_id=u1, role="assistant", content="A monoid in the category of endofunctors.",
        reasoning="The user wants the joke answer first.", model="zhipu/glm-4.7",
    )  # fmt: skip
    store.update_message(
        a1, status="complete", finish_reason="stop", usage=Usage(12, 30, 42, 0, 9, None, 0.0001),
        duration=2.5,
    )  # fmt: skip
    u2 = store.add_message(cid, parent_id=a1, role="user", content="Explain simply.")
    a2 = store.add_message(cid, parent_id=u2, role="assistant", content="", status="streaming")
    store.update_message(
        a2, content="A box with rules.", status="stopped", usage=Usage(prompt_tokens=50)
    )
    a1b = store.add_message(
        cid, parent_id=u1, role="assistant", content="A design pattern for chaining steps.",
        reasoning="Regenerated: be practical.",
    )  # fmt: skip
    u3 = store.add_message(cid, parent_id=a1b, role="user", content="Show Python code.")
    a3 = store.add_message(cid, parent_id=u3, role="assistant", content="")
    store.update_message(
        a3, content="```python\nresult = maybe(x).bind(f)\n```", reasoning="Keep it short.",
        status="error", error="The provider is overloaded.", usage=Usage(70, 20, 90, usd=0.002),
    )  # fmt: skip
    return Tree(cid, u1, a1, u2, a2, a1b, u3, a3)


def without_ids(export: dict[str, Any]) -> dict[str, Any]:
    """An export with every id replaced by the message's position, to compare two exports."""
    conversations = []
    for conversation in export["conversations"]:
        position = {m["id"]: i for i, m in enumerate(conversation["messages"])}
        messages = []
        for message in conversation["messages"]:
            copy = dict(message)
            copy["id"] = position[message["id"]]
            parent = message["parent_id"]
            copy["parent_id"] = None if parent is None else position[parent]
            messages.append(copy)
        copy_c = {k: v for k, v in conversation.items() if k != "id"}
        leaf = conversation["current_leaf_id"]
        copy_c["current_leaf_id"] = None if leaf is None else position[leaf]
        copy_c["messages"] = messages
        conversations.append(copy_c)
    return {**export, "conversations": conversations}


def counts(path: Path) -> tuple[int, int, int]:
    """(conversations, messages, indexed rows) read with a separate connection."""
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT count(*) FROM conversations").fetchone()[0],
            conn.execute("SELECT count(*) FROM messages").fetchone()[0],
            conn.execute("SELECT count(*) FROM messages_fts_docsize").fetchone()[0],
        )
    finally:
        conn.close()


def fts_in_sync(store: Store) -> bool:
    """FTS5's own check that the index matches the messages table."""
    try:
        store.db.conn.execute(
            "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"
        )
    except sqlite3.DatabaseError:
        return False
    return True
