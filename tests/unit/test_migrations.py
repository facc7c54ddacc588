"""Schema versions: upgrades from every earlier version, refusing newer files and non-databases."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from glm_tui.store import (
    SCHEMA_VERSION,
    DatabaseTooNew,
    NotADatabase,
    Store,
    StoreError,
    fts,
    migrations,
)
from glm_tui.store.migrations import MIGRATIONS, migrate
from tests.store_fixtures import build_tree, fts_in_sync


def make_old_database(path: Path, version: int) -> None:
    """A file as glm-tui left it at ``version``: only the first migrations, then some data.

    The data is written with the columns every version has, the way the code of that version
    wrote it (from version 2 on, it also kept the full-text index itself; from version 3 on, it
    kept the message counter).
    """
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, version)
    if version == 0:
        conn.close()
        return
    stamp = "2024-05-01T10:00:00.000000Z"
    conn.execute(
        "INSERT INTO conversations (id, title, provider, model, system_prompt, settings,"
        " created_at, updated_at, current_leaf_id)"
        " VALUES (1, 'Old chat', 'zai', 'glm-4.6', 'Be kind.', '{\"thinking\": false}', ?, ?, 3)",
        (stamp, stamp),
    )
    rows = [
        (1, None, "user", "Tell me about the zeppelin", None, "complete", None),
        (2, 1, "assistant", "Zeppelins are rigid airships.", "Recall history.", "complete", 12),
        (3, 1, "assistant", "A regenerated answer about airships.", None, "stopped", None),
    ]
    for mid, parent, role, content, reasoning, status, tokens in rows:
        conn.execute(
            "INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning,"
            " status, prompt_tokens, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
            (mid, parent, role, content, reasoning, status, tokens, stamp),
        )
        if version >= 2:
            conn.execute(
                "INSERT INTO messages_fts(rowid, content, reasoning) VALUES (?, ?, ?)",
                (mid, content, reasoning),
            )
    if version >= 3:
        conn.execute("UPDATE conversations SET message_count = 3")
    conn.close()


def schema(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [(t, n, " ".join(s.split())) for t, n, s in rows]


def test_there_is_more_than_one_version() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_upgrade_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    make_old_database(path, version)
    with Store.open(path) as store:
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        if version == 0:
            assert store.list_conversations() == []
            return
        conversation = store.get_conversation(1)
        assert (conversation.title, conversation.model, conversation.provider) == (
            "Old chat",
            "glm-4.6",
            "zai",
        )
        assert conversation.settings == {"thinking": False}
        assert conversation.message_count == 3
        assert [m.id for m in store.current_path(1)] == [1, 3]
        assert [m.id for m in store.siblings(2)] == [2, 3]
        assert store.get_message(2).usage is not None
        assert store.get_message(2).reasoning == "Recall history."
        assert store.get_message(2).writer_started is None
        assert {h.message_id for h in store.search("zeppelin")} == {1, 2}  # stemmed plural
        assert [h.message_id for h in store.search("regenerated")] == [3]
        assert {h.message_id for h in store.search("airships")} == {2, 3}
        assert fts_in_sync(store)
        # The upgraded file takes new writes like a new one.
        mid = store.add_message(1, parent_id=3, role="user", content="More on blimps")
        assert store.search("blimps")[0].message_id == mid
        assert store.get_conversation(1).message_count == 4


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_stepwise_upgrade_gives_the_same_schema(tmp_path: Path, version: int) -> None:
    stepwise, direct = tmp_path / "stepwise.db", tmp_path / "direct.db"
    make_old_database(stepwise, version)
    Store.open(stepwise).close()
    Store.open(direct).close()
    assert schema(stepwise) == schema(direct)


def test_a_failing_migration_leaves_the_old_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_old_database(path, 1)
    conn = sqlite3.connect(path)
    # Make migration 3 fail halfway: its index name is taken.
    conn.execute("CREATE TABLE clash (x)")
    conn.execute("CREATE INDEX conversations_updated ON clash(x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "messages_fts" not in tables  # migration 2 was rolled back with 3
    conn.close()


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Store.open(path) as store:
        build_tree(store)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(DatabaseTooNew) as info:
        Store.open(path)
    message = str(info.value)
    assert str(path) in message
    assert f"version {SCHEMA_VERSION + 1}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert "\n" not in message
    assert info.value.found == SCHEMA_VERSION + 1 and info.value.supported == SCHEMA_VERSION
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert not Path(f"{path}-wal").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"This is my shopping list.\nEggs\nMilk\n",
        os.urandom(8192),
        b"SQLite format 3\x00" + b"\xff" * 4000,  # the header, then garbage
    ],
    ids=["text", "random", "damaged"],
)
def test_not_a_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(NotADatabase) as info:
        Store.open(path)
    message = str(info.value)
    assert str(path) in message and "not a glm-tui history database" in message
    assert "\n" not in message
    assert path.read_bytes() == content


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADatabase, match="another program"):
        Store.open(path)
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    conn.close()
    assert names == ["bookmarks"]


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory"):
        Store.open(tmp_path)


def test_an_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Store.open(path) as store:
        assert store.list_conversations() == []


ANNOUNCEMENT = (
    "glm-tui: rebuilding the search index for Chinese, Japanese and Korean text ({} messages)…\n"
)


def test_upgrade_makes_cjk_text_searchable_and_says_so_when_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    make_old_database(path, 3)
    conn = sqlite3.connect(path, isolation_level=None)
    # Indexed as version 3 did: the whole run of Chinese characters one token.
    stamp = "2024-05-01T10:00:00.000000Z"
    conn.execute(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at)"
        " VALUES (4, 1, 3, 'user', '你好世界，飞艇', ?)",
        (stamp,),
    )
    conn.execute(
        "INSERT INTO messages_fts(rowid, content, reasoning) VALUES (4, '你好世界，飞艇', NULL)"
    )
    conn.execute("UPDATE conversations SET message_count = 4")
    conn.close()
    # Rebuilding four messages is quick: pretend any rebuild is slow enough to announce, and
    # make it take several batches (it says so once).
    monkeypatch.setattr(migrations, "ANNOUNCE_AFTER", 0.0)
    monkeypatch.setattr(migrations, "_REBUILD_BATCH", 3)
    with Store.open(path) as store:
        for query in ["你好世界", "好世", "界", "飞艇"]:
            assert [h.message_id for h in store.search(query)] == [4], query
        assert {h.message_id for h in store.search("zeppelin")} == {1, 2}
        assert {h.message_id for h in store.search("airships")} == {2, 3}
        assert fts_in_sync(store)
    assert capsys.readouterr().err == ANNOUNCEMENT.format(4)
    Store.open(path).close()  # rebuilt once: not again at the next open
    assert capsys.readouterr().err == ""


def test_a_new_database_has_no_index_to_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(migrations, "ANNOUNCE_AFTER", 0.0)
    with Store.open(tmp_path / "new.db") as store:
        assert store.search("你好") == []
    assert capsys.readouterr().err == ""


def test_a_streaming_reply_leaves_the_index_at_the_upgrade_and_comes_back_as_it_ends(
    tmp_path: Path,
) -> None:
    # Version 6 indexed a reply at each write while it streamed; version 7 indexes it when it
    # ends. A reply streaming at the upgrade (its writer alive) was indexed the old way.
    path = tmp_path / "old.db"
    make_old_database(path, 6)
    conn = sqlite3.connect(path, isolation_level=None)
    fts.register(conn)
    conn.execute(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, status, writer_pid,"
        " created_at) VALUES (4, 1, 3, 'assistant', 'half a story about dirigibles', 'streaming',"
        " ?, '2024-05-01T10:00:00.000000Z')",
        (os.getpid(),),
    )
    conn.execute(
        "INSERT INTO messages_fts(rowid, content, reasoning, tools)"
        " SELECT id, content, reasoning, tools FROM messages_search WHERE id = 4"
    )
    conn.close()
    with Store.open(path) as store:
        assert store.get_message(4).status == "streaming"  # its writer, this process, lives
        assert fts_in_sync(store)
        assert store.search("dirigibles") == []
        store.update_message(4, content="a whole story about dirigibles and blimps")
        assert store.search("blimps") == []
        store.update_message(4, status="complete")
        assert [h.message_id for h in store.search("dirigibles blimps")] == [4]
        assert {h.message_id for h in store.search("zeppelin")} == {1, 2}
        assert fts_in_sync(store)


def test_a_search_view_changed_by_hand_stops_the_upgrade_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_old_database(path, 6)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP VIEW messages_search")
    conn.execute(
        "CREATE VIEW messages_search AS SELECT id, content, reasoning, NULL AS tools"
        " FROM messages WHERE role = 'user'"
    )
    conn.close()
    with pytest.raises(StoreError, match="search view is not the one glm-tui made"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
    conn.close()
