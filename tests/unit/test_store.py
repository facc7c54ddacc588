"""The store: conversations, messages, the tree, usage, errors on writing, JSON shapes."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest

from glm_tui.api.events import Usage
from glm_tui.store import (
    DiskFullError,
    NotFound,
    ReadOnlyError,
    Store,
    StoreError,
)
from tests.store_fixtures import build_tree, fts_in_sync

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def new_conversation(store: Store, title: str = "Hello") -> int:
    return store.create_conversation(title=title, provider="aimlapi", model="zhipu/glm-4.7")


# -- opening ----------------------------------------------------------------------------------


def test_open_creates_directories_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "history.db"
    with Store.open(path) as store:
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert path.exists()


def test_closed_store_says_so(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.db")
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.list_conversations()


# -- conversations ----------------------------------------------------------------------------


def test_create_and_get_conversation(store: Store) -> None:
    cid = store.create_conversation(
        title="T", provider="zai", model="glm-4.7", system_prompt="S", settings={"a": [1, 2]}
    )
    conversation = store.get_conversation(cid)
    assert (conversation.title, conversation.provider, conversation.model) == (
        "T",
        "zai",
        "glm-4.7",
    )
    assert conversation.system_prompt == "S"
    assert conversation.settings == {"a": [1, 2]}
    assert conversation.current_leaf_id is None
    assert conversation.message_count == 0
    assert TIME.fullmatch(conversation.created_at)
    assert conversation.created_at == conversation.updated_at


def test_list_is_most_recently_updated_first(store: Store) -> None:
    first, second, third = (new_conversation(store, t) for t in ("one", "two", "three"))
    assert [c.id for c in store.list_conversations()] == [third, second, first]
    store.add_message(first, parent_id=None, role="user", content="bump")
    summaries = store.list_conversations()
    assert [c.id for c in summaries] == [first, third, second]
    assert summaries[0].message_count == 1
    assert [c.id for c in store.list_conversations(limit=2)] == [first, third]
    assert [c.id for c in store.list_conversations(limit=2, offset=2)] == [second]
    assert store.most_recent_conversation_id() == first
    assert store.count_conversations() == 3


def test_most_recent_of_empty_store(store: Store) -> None:
    assert store.most_recent_conversation_id() is None
    assert store.list_conversations() == []


def test_rename_and_set_fields(store: Store) -> None:
    cid = store.create_conversation(
        title="a", provider="aimlapi", model="m1", system_prompt="s", settings={"x": 1}
    )
    before = store.get_conversation(cid).updated_at
    store.rename_conversation(cid, "renamed")
    store.set_conversation_fields(cid, model="m2", settings={"y": 2})
    conversation = store.get_conversation(cid)
    assert (conversation.title, conversation.model, conversation.settings) == (
        "renamed",
        "m2",
        {"y": 2},
    )
    assert conversation.system_prompt == "s"  # not given: unchanged
    store.set_conversation_fields(cid, system_prompt=None)
    assert store.get_conversation(cid).system_prompt is None
    assert store.get_conversation(cid).updated_at > before


def test_touch_moves_to_top(store: Store) -> None:
    old, new = new_conversation(store), new_conversation(store)
    store.touch(old)
    assert store.most_recent_conversation_id() == old
    assert new != old


def test_delete_removes_messages(store: Store) -> None:
    tree = build_tree(store)
    keep = build_tree(store, "keep")
    store.delete_conversation(tree.cid)
    with pytest.raises(NotFound):
        store.get_conversation(tree.cid)
    with pytest.raises(NotFound):
        store.get_message(tree.a3)
    count = store.db.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert count == len(store.all_messages(keep.cid)) == 7
    assert fts_in_sync(store)


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda s: s.get_conversation(42), "no conversation with id 42"),
        (lambda s: s.rename_conversation(42, "x"), "no conversation with id 42"),
        (lambda s: s.delete_conversation(42), "no conversation with id 42"),
        (lambda s: s.touch(42), "no conversation with id 42"),
        (lambda s: s.current_path(42), "no conversation with id 42"),
        (lambda s: s.all_messages(42), "no conversation with id 42"),
        (lambda s: s.conversation_usage(42), "no conversation with id 42"),
        (lambda s: s.export_conversation(42), "no conversation with id 42"),
        (lambda s: s.export_markdown(42), "no conversation with id 42"),
        (lambda s: s.get_message(7), "no message with id 7"),
        (lambda s: s.update_message(7, content="x"), "no message with id 7"),
        (lambda s: s.path_to(7), "no message with id 7"),
        (lambda s: s.children(7), "no message with id 7"),
        (lambda s: s.siblings(7), "no message with id 7"),
        (lambda s: s.newest_leaf_under(7), "no message with id 7"),
        (lambda s: s.fork(7), "no message with id 7"),
        (
            lambda s: s.add_message(42, parent_id=None, role="user"),
            "no conversation with id 42",
        ),
    ],
)
def test_unknown_ids(store: Store, call: object, text: str) -> None:
    with pytest.raises(NotFound) as info:
        call(store)  # type: ignore[operator]
    message = str(info.value)
    assert message.startswith(text)
    assert str(store.path) in message
    assert "\n" not in message


# -- messages ---------------------------------------------------------------------------------


def test_add_message_sets_leaf_count_and_time(store: Store) -> None:
    cid = new_conversation(store)
    created = store.get_conversation(cid).updated_at
    mid = store.add_message(cid, parent_id=None, role="user", content="hi")
    conversation = store.get_conversation(cid)
    assert conversation.current_leaf_id == mid
    assert conversation.message_count == 1
    assert conversation.updated_at > created
    message = store.get_message(mid)
    assert (message.role, message.content, message.status) == ("user", "hi", "complete")
    assert message.reasoning is None and message.usage is None
    assert message.conversation_id == cid
    assert TIME.fullmatch(message.created_at)


def test_streaming_message_records_writer(store: Store) -> None:
    cid = new_conversation(store)
    mid = store.add_message(cid, parent_id=None, role="assistant", status="streaming")
    assert store.get_message(mid).writer_pid == os.getpid()


def test_update_changes_only_given_fields(store: Store) -> None:
    cid = new_conversation(store)
    mid = store.add_message(
        cid, parent_id=None, role="assistant", content="a", reasoning="r", status="streaming"
    )
    touched = store.get_conversation(cid).updated_at
    store.update_message(mid, content="ab")
    message = store.get_message(mid)
    assert (message.content, message.reasoning, message.status) == ("ab", "r", "streaming")
    assert store.get_conversation(cid).updated_at > touched
    usage = Usage(1, 2, 3, 0, 1, 0.5, 0.01)
    store.update_message(
        mid, status="truncated", finish_reason="length", usage=usage, duration=1.25, error="cut"
    )
    message = store.get_message(mid)
    assert message.content == "ab" and message.reasoning == "r"
    assert (message.status, message.finish_reason, message.error) == ("truncated", "length", "cut")
    assert message.usage == usage
    assert message.duration == 1.25


def test_undecodable_text_is_stored(store: Store) -> None:
    cid = store.create_conversation(title="bad \udcff byte", provider="p", model="m")
    mid = store.add_message(cid, parent_id=None, role="user", content="x\udcffy")
    store.update_message(mid, reasoning="r\ud800")
    assert store.get_message(mid).content == "x?y"
    assert store.get_message(mid).reasoning == "r?"
    assert store.get_conversation(cid).title == "bad ? byte"


@pytest.mark.parametrize(
    "kwargs",
    [{"role": "bot"}, {"role": "user", "status": "done"}],
)
def test_add_message_rejects_bad_role_or_status(store: Store, kwargs: dict[str, str]) -> None:
    cid = new_conversation(store)
    with pytest.raises(ValueError):
        store.add_message(cid, parent_id=None, **kwargs)  # type: ignore[arg-type]
    assert store.get_conversation(cid).message_count == 0


def test_update_rejects_bad_status(store: Store) -> None:
    cid = new_conversation(store)
    mid = store.add_message(cid, parent_id=None, role="user")
    with pytest.raises(ValueError):
        store.update_message(mid, status="finished")


def test_parent_must_be_in_the_same_conversation(store: Store) -> None:
    one, two = new_conversation(store), new_conversation(store)
    mid = store.add_message(one, parent_id=None, role="user")
    with pytest.raises(ValueError, match="belongs to conversation"):
        store.add_message(two, parent_id=mid, role="assistant")
    with pytest.raises(NotFound):
        store.add_message(two, parent_id=999, role="assistant")


def test_conversation_usage_sums_all_branches(store: Store) -> None:
    tree = build_tree(store)
    usage = store.conversation_usage(tree.cid)
    assert usage.prompt_tokens == 12 + 50 + 70
    assert usage.completion_tokens == 30 + 20
    assert usage.total_tokens == 42 + 90
    assert usage.reasoning_tokens == 9
    assert usage.credits is None  # never reported
    assert usage.usd == pytest.approx(0.0021)
    empty = new_conversation(store)
    assert store.conversation_usage(empty) == Usage(0, 0, 0, 0, 0, None, None)


# -- the tree ---------------------------------------------------------------------------------


def test_paths(store: Store) -> None:
    t = build_tree(store)
    assert [m.id for m in store.path_to(t.a2)] == [t.u1, t.a1, t.u2, t.a2]
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1b, t.u3, t.a3]
    assert [m.id for m in store.path_to(t.u1)] == [t.u1]
    assert [m.id for m in store.all_messages(t.cid)] == sorted(
        [t.u1, t.a1, t.u2, t.a2, t.a1b, t.u3, t.a3]
    )


def test_children_siblings_and_newest_leaf(store: Store) -> None:
    t = build_tree(store)
    assert [m.id for m in store.children(t.u1)] == [t.a1, t.a1b]
    assert store.children(t.a3) == []
    assert [m.id for m in store.siblings(t.a1)] == [t.a1, t.a1b]
    assert [m.id for m in store.siblings(t.a1b)] == [t.a1, t.a1b]
    assert [m.id for m in store.siblings(t.u2)] == [t.u2]
    assert store.newest_leaf_under(t.u1) == t.a3
    assert store.newest_leaf_under(t.a1) == t.a2
    assert store.newest_leaf_under(t.a3) == t.a3


def test_root_siblings(store: Store) -> None:
    t = build_tree(store)
    edited = store.add_message(t.cid, parent_id=None, role="user", content="Edited prompt")
    other = new_conversation(store)
    store.add_message(other, parent_id=None, role="user", content="elsewhere")
    assert [m.id for m in store.siblings(t.u1)] == [t.u1, edited]
    assert [m.id for m in store.current_path(t.cid)] == [edited]


def test_set_current_leaf(store: Store) -> None:
    t = build_tree(store)
    store.set_current_leaf(t.cid, t.a2)
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1, t.u2, t.a2]
    store.set_current_leaf(t.cid, t.a1)  # an inner message is fine: the branch ends there
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1]
    other = build_tree(store, "other")
    with pytest.raises(ValueError):
        store.set_current_leaf(t.cid, other.a1)
    with pytest.raises(NotFound):
        store.set_current_leaf(t.cid, 12345)


def test_current_path_without_leaf_falls_back_to_newest(store: Store) -> None:
    t = build_tree(store)
    store.db.conn.execute("UPDATE conversations SET current_leaf_id = NULL")
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1b, t.u3, t.a3]
    assert store.current_path(new_conversation(store)) == []


def test_fork_copies_the_path(store: Store) -> None:
    t = build_tree(store)
    fid = store.fork(t.a2)
    fork = store.get_conversation(fid)
    assert fork.title == "Branches (fork)"
    assert fork.model == "zhipu/glm-4.7" and fork.system_prompt == "Be brief."
    assert fork.settings == {"thinking": True, "temperature": 0.6}
    assert fork.message_count == 4
    copied = store.current_path(fid)
    original = store.path_to(t.a2)
    assert [m.content for m in copied] == [m.content for m in original]
    assert [m.usage for m in copied] == [m.usage for m in original]
    assert not {m.id for m in copied} & {m.id for m in original}
    assert copied[0].parent_id is None
    assert all(b.parent_id == a.id for a, b in itertools.pairwise(copied))
    assert fork.current_leaf_id == copied[-1].id
    assert store.get_conversation(t.cid).message_count == 7  # the original is untouched
    assert store.search("box rules")[0].conversation_id in (t.cid, fid)
    assert fts_in_sync(store)


# -- other processes, writes that fail --------------------------------------------------------


def test_data_version_sees_other_connections(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store, Store.open(path) as other:
        before = store.data_version()
        new_conversation(store)
        assert store.data_version() == before  # own writes do not count
        new_conversation(other)
        assert store.data_version() != before


def test_disk_full_is_a_clear_error_and_nothing_is_kept(store: Store) -> None:
    cid = new_conversation(store)
    pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFullError) as info:
        store.add_message(cid, parent_id=None, role="user", content="x" * 200_000)
    assert "disk is full" in str(info.value) and str(store.path) in str(info.value)
    store.db.conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.get_conversation(cid).message_count == 0
    assert store.add_message(cid, parent_id=None, role="user", content="fits")


def test_read_only_is_a_clear_error(store: Store) -> None:
    cid = new_conversation(store)
    store.db.conn.execute("PRAGMA query_only = 1")
    with pytest.raises(ReadOnlyError, match="read-only"):
        store.rename_conversation(cid, "nope")
    store.db.conn.execute("PRAGMA query_only = 0")
    assert store.get_conversation(cid).title == "Hello"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anyway")
def test_read_only_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        cid = new_conversation(store)
    path.chmod(0o444)
    try:
        with Store.open(path) as store:
            assert store.get_conversation(cid).title == "Hello"
            with pytest.raises(ReadOnlyError, match="read-only"):
                store.rename_conversation(cid, "nope")
    finally:
        path.chmod(0o644)


# -- JSON shapes (README, "Scripting") ---------------------------------------------------------


def test_json_shapes(store: Store) -> None:
    t = build_tree(store)
    message = store.get_message(t.a1).to_json()
    assert list(message) == [
        "id", "parent_id", "role", "content", "reasoning", "status", "finish_reason", "error",
        "model", "usage", "created_at", "duration", "tool_calls", "tool", "sources", "attachments",
    ]  # fmt: skip
    assert message["usage"] == Usage(12, 30, 42, 0, 9, None, 0.0001).to_dict()
    assert store.get_message(t.u1).to_json()["usage"] is None
    conversation = store.get_conversation(t.cid)
    shown = conversation.to_json(store.current_path(t.cid))
    assert list(shown) == [
        "id", "title", "model", "system_prompt", "created_at", "updated_at", "messages",
    ]  # fmt: skip
    assert [m["id"] for m in shown["messages"]] == [t.u1, t.a1b, t.u3, t.a3]
    summary = store.list_conversations()[0].to_json()
    assert summary == {
        "id": t.cid,
        "title": "Branches",
        "model": "zhipu/glm-4.7",
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "message_count": 7,
        "pinned": False,
        "tags": [],
    }
    hit = store.search("monad")[0].to_json()
    assert list(hit) == ["conversation_id", "message_id", "title", "role", "snippet"]
