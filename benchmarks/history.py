"""The large history the benchmarks share: 50,000 conversations / 1,000,000 messages (a third
of them in Chinese), plus the conversations the opening benchmarks open: five of 2,000
messages, five whose last reply is 20,000 tokens, three whose last reply is 1 MB. The first of
the 2,000-message ones is the most recently updated.

Built once through the store's own code (seed.py) and kept in a cache folder, since seeding
takes minutes. A marker written last records what was built and how many rows; a history
without it, or whose counts differ (an interrupted seed, a file changed since), is rebuilt,
never reused. ``fresh=True`` rebuilds it anyway.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common  # noqa: F401 - puts the checkout on sys.path
import replies
import seed

from glm_tui.store import EXPORT_FORMAT, EXPORT_VERSION, Store, fts
from glm_tui.store.migrations import SCHEMA_VERSION

CACHE = Path(os.environ.get("GLM_TUI_BENCH_CACHE", Path(tempfile.gettempdir()) / "glm-tui-bench"))
CONVERSATIONS = 50_000
MESSAGES_EACH = 20
LONG_MESSAGES = 2_000
LONG_COPIES = 5
BIG_REPLY_TOKENS = 20_000
BIG_REPLY_COPIES = 5
MB_REPLY_BYTES = 1_000_000
MB_REPLY_COPIES = 3
LONG_TITLE = "Benchmark: the long conversation"
BIG_REPLY_TITLE = "Benchmark: a 20,000-token reply"
MB_REPLY_TITLE = "Benchmark: a 1 MB reply"
# Changed whenever what is seeded changes: a history built to another recipe is rebuilt. The
# schema's version is part of it: a history the store would build otherwise (its search index
# written with other settings, say) is built again, not migrated; so is one whose index was
# written with other bulk settings.
RECIPE = f"v2 schema {SCHEMA_VERSION} {CONVERSATIONS}x{MESSAGES_EACH}"
RECIPE += f" long {LONG_COPIES}x{LONG_MESSAGES}"
RECIPE += f" big {BIG_REPLY_COPIES}x{BIG_REPLY_TOKENS} mb {MB_REPLY_COPIES}x{MB_REPLY_BYTES}"
RECIPE += f" index {fts.BULK_HASH_BYTES}"


def marker_path(db: Path) -> Path:
    return db.with_name(db.name + ".complete.json")


def count_rows(db: Path) -> tuple[int, int]:
    """(conversations, messages) in the database, read without the store (no migration)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conversations = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    finally:
        conn.close()
    return conversations, messages


def write_marker(db: Path, recipe: str) -> None:
    """Record a finished history: called last, once everything is written and closed."""
    conversations, messages = count_rows(db)
    marker = {"recipe": recipe, "conversations": conversations, "messages": messages}
    temporary = marker_path(db).with_suffix(".tmp")
    temporary.write_text(json.dumps(marker))
    temporary.replace(marker_path(db))


def why_incomplete(db: Path, recipe: str) -> str | None:
    """Why the cached history cannot be used, or None when it is complete."""
    if not db.exists():
        return "not built yet"
    marker_file = marker_path(db)
    if not marker_file.exists():
        return "no completion marker (an interrupted seed?)"
    try:
        marker = json.loads(marker_file.read_text())
    except (OSError, ValueError):
        return "the completion marker cannot be read"
    if not isinstance(marker, dict) or marker.get("recipe") != recipe:
        return "built to another recipe"
    try:
        counts = count_rows(db)
    except sqlite3.Error as exc:
        return f"cannot be read: {exc}"
    expected = (marker.get("conversations"), marker.get("messages"))
    if counts != expected:
        return f"holds {counts[0]:,} conversations / {counts[1]:,} messages, not {expected}"
    return None


def remove(db: Path) -> None:
    marker_path(db).unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _one_reply(title: str, when: datetime, reply: replies.Reply) -> dict[str, Any]:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    later = (when + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    question = {"id": 1, "parent_id": None, "role": "user", "content": "Explain it all, in full.",
                "created_at": stamp}  # fmt: skip
    answer = {"id": 2, "parent_id": 1, "role": "assistant", "content": reply.text,
              "reasoning": "".join(reply.reasoning), "model": "glm-4.7",
              "created_at": later}  # fmt: skip
    return {
        "title": title, "provider": "aimlapi", "model": "glm-4.7", "settings": {},
        "created_at": stamp, "updated_at": later, "current_leaf_id": 2,
        "messages": [question, answer],
    }  # fmt: skip


def special_conversations() -> list[dict[str, Any]]:
    """What the opening benchmarks open, oldest first: the first long one is the newest."""
    gen = seed.Generator(7)
    base = datetime(2025, 7, 1, tzinfo=UTC)
    found: list[dict[str, Any]] = []
    for copy in range(MB_REPLY_COPIES):
        reply = replies.reply_of_size(MB_REPLY_BYTES, seed=50 + copy)
        found.append(_one_reply(f"{MB_REPLY_TITLE} #{copy + 1}", base, reply))
    for copy in range(BIG_REPLY_COPIES):
        reply = replies.realistic_reply(BIG_REPLY_TOKENS, seed=20 + copy)
        found.append(_one_reply(f"{BIG_REPLY_TITLE} #{copy + 1}", base, reply))
    for copy in reversed(range(LONG_COPIES)):
        long = gen.conversation(
            0, LONG_MESSAGES, base + timedelta(days=1 + LONG_COPIES - copy), language=seed.ENGLISH
        )
        long["title"] = LONG_TITLE if copy == 0 else f"{LONG_TITLE} #{copy + 1}"
        found.append(long)
    return found


def ensure_history(path: Path, recipe: str, build: Callable[[Path], None]) -> bool:
    """Make ``path`` a complete history: kept if its marker and counts say so, otherwise
    removed and built again by ``build``, the marker written last. True when it was built."""
    reason = why_incomplete(path, recipe)
    if reason is None:
        return False
    print(f"     building the benchmark history ({reason}): {path}", flush=True)
    remove(path)
    build(path)
    write_marker(path, recipe)
    return True


def _build_big(path: Path) -> None:
    argv = ["--db", str(path), "--conversations", str(CONVERSATIONS)]
    seed.main([*argv, "--messages", str(MESSAGES_EACH), "--force"])
    with Store.open(path) as store:
        store.import_data(
            {
                "format": EXPORT_FORMAT,
                "version": EXPORT_VERSION,
                "conversations": special_conversations(),
            }
        )


def big_history(fresh: bool = False) -> tuple[Path, int, str]:
    """(database path, id of the newest 2,000-message conversation, its title); built first
    if the cache holds no complete one."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "history-1m.db"
    if fresh:
        remove(path)
    ensure_history(path, RECIPE, _build_big)
    with Store.open(path) as store:
        newest = store.list_conversations(limit=1)[0]
    return path, newest.id, newest.title


def conversation_ids(db: Path, title_prefix: str) -> list[int]:
    """Ids of the benchmark's own conversations whose title starts so, newest first."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id FROM conversations WHERE title LIKE ? || '%' ORDER BY updated_at DESC, id",
            (title_prefix,),
        ).fetchall()
    finally:
        conn.close()
    return [row[0] for row in rows]


def empty_history() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "history-empty.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Store.open(path).close()
    return path
