"""The tree operations the branch UI relies on: positions among siblings, switching, forking."""

from __future__ import annotations

from pathlib import Path

from glm_tui.store import Store
from tests.store_fixtures import build_tree, fts_in_sync


def test_branch_positions(store: Store) -> None:
    t = build_tree(store)
    positions = store.branch_positions([t.u1, t.a1, t.u2, t.a1b, t.a3, 999_999])
    assert positions == {t.u1: (1, 1), t.a1: (1, 2), t.u2: (1, 1), t.a1b: (2, 2), t.a3: (1, 1)}
    assert store.branch_positions([]) == {}


def test_roots_are_siblings_within_their_conversation(store: Store) -> None:
    t = build_tree(store)
    other = build_tree(store, "other")  # its root must not count as a sibling of t.u1
    edited = store.add_message(t.cid, parent_id=None, role="user", content="Edited")
    assert store.branch_positions([t.u1, edited, other.u1]) == {
        t.u1: (1, 2),
        edited: (2, 2),
        other.u1: (1, 1),
    }


def test_branch_positions_of_many_messages(store: Store) -> None:
    # More ids than one query takes: the store asks in batches.
    cid = store.create_conversation(title="wide", provider="zai", model="glm-4.7")
    root = store.add_message(cid, parent_id=None, role="user", content="q")
    replies = [
        store.add_message(cid, parent_id=root, role="assistant", content=f"a{i}")
        for i in range(1200)
    ]
    positions = store.branch_positions(replies)
    assert len(positions) == 1200
    assert positions[replies[0]] == (1, 1200)
    assert positions[replies[-1]] == (1200, 1200)


def test_switching_to_a_sibling_shows_its_newest_branch(store: Store) -> None:
    """What ``[`` and ``]`` do: sibling -> newest leaf under it -> current leaf."""
    t = build_tree(store)
    siblings = [m.id for m in store.siblings(t.a1b)]
    previous = siblings[siblings.index(t.a1b) - 1]
    store.set_current_leaf(t.cid, store.newest_leaf_under(previous))
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1, t.u2, t.a2]
    store.set_current_leaf(t.cid, store.newest_leaf_under(t.a1b))
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1b, t.u3, t.a3]


def test_the_current_leaf_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        t = build_tree(store)
        store.set_current_leaf(t.cid, t.a2)
    with Store.open(path) as store:
        assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1, t.u2, t.a2]
        assert store.get_conversation(t.cid).current_leaf_id == t.a2


def test_new_messages_go_on_the_branch_shown(store: Store) -> None:
    t = build_tree(store)
    store.set_current_leaf(t.cid, t.a2)
    leaf = store.get_conversation(t.cid).current_leaf_id
    added = store.add_message(t.cid, parent_id=leaf, role="user", content="More?")
    assert [m.id for m in store.current_path(t.cid)] == [t.u1, t.a1, t.u2, t.a2, added]
    assert store.newest_leaf_under(t.a1b) == t.a3  # the other branch is untouched


def test_fork_at_a_prompt_and_at_the_root(store: Store) -> None:
    t = build_tree(store)
    at_prompt = store.fork(t.u3)
    assert [m.content for m in store.current_path(at_prompt)] == [
        "What is a monad?",
        "A design pattern for chaining steps.",
        "Show Python code.",
    ]
    at_root = store.fork(t.u1)
    assert [m.role for m in store.current_path(at_root)] == ["user"]
    assert store.get_conversation(at_root).message_count == 1
    # A fork is a conversation of its own: one branch, nothing shared with the original.
    assert store.branch_positions([m.id for m in store.current_path(at_prompt)]) == {
        m.id: (1, 1) for m in store.current_path(at_prompt)
    }
    assert len(store.all_messages(t.cid)) == 7
    assert fts_in_sync(store)


def test_outline_shows_every_branch_and_marks_the_current_one(store: Store) -> None:
    t = build_tree(store)
    store.set_current_leaf(t.cid, t.a2)
    text = store.outline(t.cid)
    lines = text.splitlines()
    assert lines[0] == "# Branches"
    assert lines[2:] == [
        f"* #{t.u1} user: What is a monad?",
        f"* ├─ #{t.a1} assistant: A monoid in the category of endofunctors.",
        f"* │  #{t.u2} user: Explain simply.",
        f"* │  #{t.a2} assistant (stopped): A box with rules.",
        f"  └─ #{t.a1b} assistant: A design pattern for chaining steps.",
        f"     #{t.u3} user: Show Python code.",
        f"     #{t.a3} assistant (error): ```python",
    ]
