"""Versioned schema: ``PRAGMA user_version`` says how many of ``MIGRATIONS`` have run.

Each migration is a function that takes the database inside the one write transaction that
runs all pending migrations, so a crash midway leaves the file at its old version. Never edit a
released migration: add a new one at the end.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import fts

if TYPE_CHECKING:
    # sqlite-utils costs ~100 ms to import; it is loaded only when a migration has to run.
    from sqlite_utils import Database

Migration = Callable[["Database"], None]


def _v1_initial(db: Database) -> None:
    """Conversations and their message trees."""
    db.execute(
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL DEFAULT '',
            provider TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            system_prompt TEXT,
            settings TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            current_leaf_id INTEGER
        )
        """
    )
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id INTEGER NOT NULL
                REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            reasoning TEXT,
            status TEXT NOT NULL DEFAULT 'complete',
            finish_reason TEXT,
            error TEXT,
            model TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            total_tokens INTEGER,
            cached_tokens INTEGER,
            reasoning_tokens INTEGER,
            credits REAL,
            usd REAL,
            created_at TEXT NOT NULL,
            duration REAL,
            writer_pid INTEGER
        )
        """
    )
    # Roots of one conversation, and the conversation's messages; parent_id alone serves
    # children() and the ON DELETE CASCADE check of the parent link.
    db.table("messages").create_index(
        ["conversation_id", "parent_id"], "messages_conversation_parent"
    )
    db.table("messages").create_index(["parent_id"], "messages_parent")


def _v2_full_text_search(db: Database) -> None:
    """FTS5 over content and reasoning, external content (the text is stored once).

    The store keeps it in sync itself, in the same transaction as each write: FTS5 flushes its
    buffer at every trigger-level savepoint, which made bulk imports four times slower.
    """
    db.execute(
        """
        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, reasoning,
            content='messages', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """
    )
    # Matches in the answer weigh twice those in the reasoning.
    db.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')")
    db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def _v3_sidebar(db: Database) -> None:
    """A message counter and an index for the sidebar; an index to find dead streams fast."""
    db.table("conversations").add_column("message_count", int, not_null_default=0)
    db.execute(
        "UPDATE conversations SET message_count ="
        " (SELECT count(*) FROM messages WHERE messages.conversation_id = conversations.id)"
    )
    db.table("conversations").create_index(["updated_at"], "conversations_updated")
    db.execute("CREATE INDEX messages_streaming ON messages(writer_pid) WHERE status = 'streaming'")


# The rebuild of the search index says what it is doing on stderr once it has taken this long
# (seconds): opening a large history the first time after the upgrade takes a while.
ANNOUNCE_AFTER = 1.0
_REBUILD_BATCH = 5000


def _v4_cjk_search_and_tools(db: Database) -> None:
    """Search inside Chinese, Japanese and Korean text; tool calls and their results; the start
    time of a reply's writer.

    An assistant message keeps the calls it made (JSON) and the web pages Z.ai's search found; a
    message with role ``tool`` holds one call's result (its text is the content) with the
    call's id, name, arguments as run, and how it ended. A ``streaming`` message also records
    when its writer process started, so that a reused process id, or a zombie, is not taken for
    a live writer (recovery.py).

    The index is made again from ``messages_search``, a view that sets each CJK character apart
    (see fts.py), with a third column, ``tools``: the calls' names and arguments.
    """
    messages = db.table("messages")
    messages.add_column("writer_started", int)
    for column in ("tool_calls", "tool_call_id", "tool_name", "tool_arguments", "tool_status"):
        messages.add_column(column, str)
    messages.add_column("sources", str)
    fts.register(db.conn)
    db.execute("DROP TABLE messages_fts")
    db.execute(
        f"""
        CREATE VIEW messages_search AS
        SELECT id, {fts.SQL_FUNCTION}(content) AS content,
               {fts.SQL_FUNCTION}(reasoning) AS reasoning,
               {fts.SQL_FUNCTION}(coalesce(tool_calls, tool_name || ' ' || tool_arguments))
                   AS tools
        FROM messages
        """
    )
    db.execute(
        """
        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, reasoning, tools,
            content='messages_search', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """
    )
    db.execute(
        "INSERT INTO messages_fts(messages_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0, 1.0)')"
    )
    _rebuild_search_index(db.conn)


def _rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Index every message, in batches, saying so on stderr if it takes over ANNOUNCE_AFTER."""
    start = time.monotonic()
    announced = False
    last = 0
    while True:
        row = conn.execute(
            "SELECT max(id), count(*) FROM"
            " (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)",
            (last, _REBUILD_BATCH),
        ).fetchone()
        if not row[1]:
            return
        conn.execute(
            "INSERT INTO messages_fts(rowid, content, reasoning, tools)"
            " SELECT id, content, reasoning, tools FROM messages_search WHERE id > ? AND id <= ?",
            (last, row[0]),
        )
        last = row[0]
        if not announced and time.monotonic() - start >= ANNOUNCE_AFTER:
            announced = True
            (total,) = conn.execute("SELECT count(*) FROM messages").fetchone()
            _announce(
                "glm-tui: rebuilding the search index for Chinese, Japanese and Korean text"
                f" ({total:,} messages)…"
            )


def _announce(line: str) -> None:
    # A closed or missing stderr must not make the upgrade fail.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(line, file=sys.stderr, flush=True)


def _v5_attachments_and_compactions(db: Database) -> None:
    """Attachments stored once per content, referenced by messages; compactions.

    ``attachments`` holds each content once, keyed by its SHA-256; a message refers to its
    attachments in its ``attachments`` column (a JSON list of ``{name, mime, size, sha256}``,
    see attachments.py). The search view reads the attachments' text as part of the message's
    content: no message has any yet, so the index needs no rebuild. (The view finds them with
    ``instr`` on the SHA-256: FTS5's integrity check fails on a view that uses ``json_each``.)
    ``compactions`` holds the summaries that stand for older turns in what is sent
    (compactions.py).
    """
    db.execute(
        """
        CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            mime TEXT NOT NULL,
            size INTEGER NOT NULL,
            text TEXT,
            data BLOB,
            width INTEGER,
            height INTEGER,
            created_at TEXT NOT NULL
        )
        """
    )
    db.table("messages").add_column("attachments", str)
    db.execute(
        "CREATE INDEX messages_with_attachments ON messages(conversation_id)"
        " WHERE attachments IS NOT NULL"
    )
    usage_columns = ", ".join(
        f"{name} {'REAL' if name in ('credits', 'usd') else 'INTEGER'}"
        for name in ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens",
                     "reasoning_tokens", "credits", "usd")
    )  # fmt: skip
    db.execute(
        f"""
        CREATE TABLE compactions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            through_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            summary TEXT NOT NULL,
            summarised INTEGER NOT NULL,
            model TEXT,
            {usage_columns},
            created_at TEXT NOT NULL,
            undone_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX compactions_conversation ON compactions(conversation_id)")
    db.execute("CREATE INDEX compactions_through ON compactions(through_id)")
    db.execute("DROP VIEW messages_search")
    db.execute(
        f"""
        CREATE VIEW messages_search AS
        SELECT id,
               {fts.SQL_FUNCTION}(CASE WHEN attachments IS NULL THEN content
                   ELSE content || coalesce(char(10) || (
                       SELECT group_concat(a.text, char(10)) FROM attachments AS a
                       WHERE a.text IS NOT NULL AND instr(messages.attachments, a.sha256) > 0
                   ), '')
                   END) AS content,
               {fts.SQL_FUNCTION}(reasoning) AS reasoning,
               {fts.SQL_FUNCTION}(coalesce(tool_calls, tool_name || ' ' || tool_arguments))
                   AS tools
        FROM messages
        """
    )


def _v6_organising(db: Database) -> None:
    """Pins, tags and bookmarks; who gave a conversation its title; what side requests cost.

    ``title_source`` is ``prompt`` (the first prompt's line), ``model`` (an automatic title) or
    ``user`` (renamed: never replaced by an automatic title). A tag is kept as first typed and
    compared without case. ``side_requests`` holds the usage of requests that are no message of
    a conversation's tree (its automatic title), so that they are counted like any other; a
    deleted conversation leaves them (spent is spent), without a conversation.
    """
    conversations = db.table("conversations")
    conversations.add_column("pinned", int, not_null_default=0)
    conversations.add_column("title_source", str, not_null_default="prompt")
    # The sidebar's order: pinned first, then the most recently updated.
    db.execute("CREATE INDEX conversations_pinned_updated ON conversations(pinned, updated_at, id)")
    db.execute(
        """
        CREATE TABLE conversation_tags (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            tag TEXT NOT NULL COLLATE NOCASE,
            PRIMARY KEY (conversation_id, tag)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX conversation_tags_tag ON conversation_tags(tag, conversation_id)")
    db.execute(
        """
        CREATE TABLE bookmarks (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE side_requests (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
            purpose TEXT NOT NULL,
            model TEXT,
            created_at TEXT NOT NULL,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            total_tokens INTEGER,
            cached_tokens INTEGER,
            reasoning_tokens INTEGER,
            credits REAL,
            usd REAL
        )
        """
    )
    db.execute("CREATE INDEX side_requests_conversation ON side_requests(conversation_id)")


def _v7_streaming_unindexed(db: Database) -> None:
    """A reply is indexed for search once its stream ends, not while it streams.

    A streaming reply is written every half second, and each write unindexed and indexed its
    whole text again: for a long reply, most of the cost of the writes, and it grew with the
    reply (a 1 MB reply's last writes tokenised 2 MB each). The search view leaves out
    ``streaming`` messages, so the store's unindex-before and index-after of each write are no
    work for them, and the change of status that ends a stream indexes the reply once. A
    reply that was ``streaming`` and indexed is unindexed first, by the view as it was.
    """
    db.execute(
        "INSERT INTO messages_fts(messages_fts, rowid, content, reasoning, tools)"
        " SELECT 'delete', s.id, s.content, s.reasoning, s.tools FROM messages_search AS s"
        " JOIN messages AS m ON m.id = s.id WHERE m.status = 'streaming'"
    )
    # The view as version 5 made it, with the streaming messages left out.
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'messages_search'"
    ).fetchone()
    view = row[0].rstrip()
    if not view.endswith("FROM messages"):  # changed by hand: a damaged schema, said so
        raise sqlite3.DatabaseError("the search view is not the one glm-tui made")
    db.execute("DROP VIEW messages_search")
    db.execute(f"{view}\n        WHERE status <> 'streaming'")


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial,
    _v2_full_text_search,
    _v3_sidebar,
    _v4_cjk_search_and_tools,
    _v5_attachments_and_compactions,
    _v6_organising,
    _v7_streaming_unindexed,
)
SCHEMA_VERSION = len(MIGRATIONS)


def read_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


class ForeignDatabase(Exception):
    """Version 0 but already holding tables: some other program's database."""


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to ``target`` in one IMMEDIATE transaction; returns the old version.

    The version is read again once the write lock is held, so that several processes opening a
    new file at once migrate it exactly once. A version above ``target`` is left alone.
    """
    if read_version(conn) >= target:
        return read_version(conn)
    from sqlite_utils import Database

    db = Database(conn, execute_plugins=False, recursive_triggers=False)
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = read_version(conn)
        if old == 0 and _has_tables(conn):
            raise ForeignDatabase
        for version in range(old + 1, target + 1):
            MIGRATIONS[version - 1](db)
        if target > old:
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return old


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])
