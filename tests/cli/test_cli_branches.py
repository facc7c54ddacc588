"""A branched conversation through the scripting commands: show, show --all, export, import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glm_tui.store import Store
from tests.cli_helpers import CLI
from tests.store_fixtures import Tree, build_tree, without_ids

pytestmark = pytest.mark.slow


@pytest.fixture
def branched(tmp_path: Path) -> tuple[CLI, Tree]:
    """A conversation with a regenerated reply, showing the older branch (not the newest)::

    u1 - a1 - u2 - a2*
       \\ a1b - u3 - a3
    """
    cli = CLI(tmp_path)
    with Store.open(cli.db) as store:
        tree = build_tree(store)
        store.set_current_leaf(tree.cid, tree.a2)
    return cli, tree


def shape(messages: list[dict[str, Any]]) -> list[tuple[str, str, int | None]]:
    """(role, content, position of the parent) for each message: the tree without its ids."""
    position = {m["id"]: i for i, m in enumerate(messages)}
    return [
        (m["role"], m["content"], None if m["parent_id"] is None else position[m["parent_id"]])
        for m in messages
    ]


def test_show_json_is_the_current_branch(branched: tuple[CLI, Tree]) -> None:
    cli, t = branched
    data = cli.json("show", str(t.cid))
    assert [m["id"] for m in data["messages"]] == [t.u1, t.a1, t.u2, t.a2]
    assert [m["parent_id"] for m in data["messages"]] == [None, t.u1, t.a1, t.u2]
    assert data["messages"][-1]["status"] == "stopped"
    text = cli.run("show", str(t.cid)).stdout
    assert "A box with rules." in text and "A design pattern" not in text


def test_show_all_holds_the_whole_tree(branched: tuple[CLI, Tree]) -> None:
    cli, t = branched
    data = cli.json("show", str(t.cid), "--all")
    parents = {m["id"]: m["parent_id"] for m in data["messages"]}
    assert parents == {
        t.u1: None,
        t.a1: t.u1,
        t.u2: t.a1,
        t.a2: t.u2,
        t.a1b: t.u1,
        t.u3: t.a1b,
        t.a3: t.u3,
    }
    assert data["title"] == "Branches" and data["system_prompt"] == "Be brief."
    reply = next(m for m in data["messages"] if m["id"] == t.a3)
    assert reply["status"] == "error" and reply["error"] == "The provider is overloaded."

    result = cli.run("show", str(t.cid), "--all")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"* │  #{t.a2} assistant (stopped): A box with rules." in lines
    assert f"  └─ #{t.a1b} assistant: A design pattern for chaining steps." in lines


def test_export_import_restores_the_tree_exactly(
    branched: tuple[CLI, Tree], tmp_path: Path
) -> None:
    cli, t = branched
    exported = tmp_path / "branched.json"
    assert cli.run("export", str(t.cid), "--format", "json", "-o", str(exported)).returncode == 0
    data = json.loads(exported.read_text())
    (conversation,) = data["conversations"]
    assert len(conversation["messages"]) == 7  # every branch
    assert conversation["current_leaf_id"] == t.a2
    assert {m["id"]: m["parent_id"] for m in conversation["messages"]}[t.a1b] == t.u1

    other = CLI(tmp_path / "other")
    other.tmp.mkdir()
    result = other.run("import", str(exported))
    assert result.returncode == 0, result.stderr
    (imported,) = other.json("list")
    new_id = str(imported["id"])

    # The same branch is shown, the same tree is kept, and a second export is the first one.
    current = other.json("show", new_id)
    assert [m["content"] for m in current["messages"]] == [
        "What is a monad?",
        "A monoid in the category of endofunctors.",
        "Explain simply.",
        "A box with rules.",
    ]
    before = cli.json("show", str(t.cid), "--all")
    after = other.json("show", new_id, "--all")
    assert shape(after["messages"]) == shape(before["messages"])
    again = tmp_path / "again.json"
    assert other.run("export", new_id, "--format", "json", "-o", str(again)).returncode == 0
    assert without_ids(json.loads(again.read_text())) == without_ids(data)
