"""The scripting subcommands over a saved history: list, show, search, export, import, rm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import CLI, assert_clean_failure
from tests.fakeglm import FakeGLM, zai_stream

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path: Path, fake_glm: FakeGLM) -> CLI:
    cli = CLI(tmp_path, fake_glm.base_url)
    fake_glm.enqueue(
        zai_stream("Use `asyncio.gather` for that.", reasoning="They ask about concurrency."),
        zai_stream("A **monad** is a monoid.", reasoning="Category theory joke."),
        zai_stream("Paris.", reasoning="Capital of France."),
    )
    assert cli.run("ask", "How do I run coroutines concurrently?").returncode == 0
    assert cli.run("ask", "What is a monad?").returncode == 0
    assert cli.run("ask", "-c", "And the capital of France?").returncode == 0
    return cli


def test_list_newest_first(cli: CLI) -> None:
    convs = cli.json("list")
    assert [c["title"] for c in convs] == [
        "What is a monad?",
        "How do I run coroutines concurrently?",
    ]
    assert [c["message_count"] for c in convs] == [4, 2]
    assert set(convs[0]) == {
        "id", "title", "model", "created_at", "updated_at", "message_count", "pinned", "tags",
    }  # fmt: skip
    assert len(cli.json("list", "--limit", "1")) == 1
    text = cli.run("list").stdout
    assert "What is a monad?" in text and "4 msgs" in text


def test_show_text_and_json(cli: CLI) -> None:
    conv = cli.json("list")[0]
    data = cli.json("show", str(conv["id"]))
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "user", "assistant"]
    assert data["messages"][1]["parent_id"] == data["messages"][0]["id"]
    for key in ("id", "title", "model", "system_prompt", "created_at", "updated_at"):
        assert key in data
    text = cli.run("show", str(conv["id"])).stdout
    assert "What is a monad?" in text and "Paris." in text


def test_search_finds_content_and_reasoning(cli: CLI) -> None:
    hits = cli.json("search", "monoid")
    assert hits and hits[0]["title"] == "What is a monad?" and hits[0]["role"] == "assistant"
    assert set(hits[0]) == {"conversation_id", "message_id", "title", "role", "snippet"}
    assert cli.json("search", "Category")[0]["title"] == "What is a monad?"
    # Query syntax the user did not mean as such is searched as words, never an error.
    assert cli.json("search", '"unbalanced AND (') == []
    assert [h["title"] for h in cli.json("search", "monoid AND (")] == ["What is a monad?"]
    result = cli.run("search", 'AND OR " * -')
    assert result.returncode == 0, result.stderr


def test_search_without_hits_says_so(cli: CLI) -> None:
    """Issue 12, item 15: no hits is not an error, but it is said (on stderr)."""
    result = cli.run("search", "xylophone")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "no messages match xylophone\n"
    result = cli.run("search", "--json", "xylophone")
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_export_markdown_keeps_reasoning_in_details(cli: CLI) -> None:
    conv = cli.json("list")[0]
    md = cli.run("export", str(conv["id"])).stdout
    assert "<details>" in md and "Category theory joke." in md and "A **monad** is a monoid." in md


def test_export_import_round_trip(cli: CLI, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    assert cli.run("export", "--all", "--format", "json", "-o", str(out)).returncode == 0
    other = CLI(tmp_path / "other", cli.base_url)
    other.tmp.mkdir()
    result = other.run("import", str(out))
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.json"
    assert other.run("export", "--all", "--format", "json", "-o", str(again)).returncode == 0

    def strip_ids(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip_ids(v) for k, v in value.items() if not k.endswith("id")}
        if isinstance(value, list):
            return [strip_ids(v) for v in value]
        return value

    first, second = json.loads(out.read_text()), json.loads(again.read_text())
    assert strip_ids(first) == strip_ids(second)


def test_malformed_import_writes_nothing(cli: CLI, tmp_path: Path) -> None:
    before = cli.json("list")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "glm-tui-export", "version": 1, "conversations": [{"title": 3}]}')
    assert_clean_failure(cli.run("import", str(bad)))
    bad.write_text("{not json")
    assert "not JSON" in assert_clean_failure(cli.run("import", str(bad)))
    assert "no such file" in assert_clean_failure(cli.run("import", str(tmp_path / "nope.json")))
    assert cli.json("list") == before


def test_rm_and_unknown_ids(cli: CLI) -> None:
    conv = cli.json("list")[0]
    assert cli.run("rm", str(conv["id"])).returncode == 0
    assert [c["id"] for c in cli.json("list")] != [] and conv["id"] not in [
        c["id"] for c in cli.json("list")
    ]
    for args in (
        ["show", str(conv["id"])],
        ["rm", "999"],
        ["export", "999"],
        ["ask", "--cid", "999", "x"],
    ):
        line = assert_clean_failure(cli.run(*args))
        assert "999" in line or str(conv["id"]) in line


def test_newer_database_is_refused_untouched(cli: CLI) -> None:
    import sqlite3

    conn = sqlite3.connect(cli.db)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()  # the last connection checkpoints the WAL into the file
    before = cli.db.read_bytes()
    line = assert_clean_failure(cli.run("list"))
    assert "newer" in line
    assert cli.db.read_bytes() == before


def test_not_a_database(tmp_path: Path) -> None:
    cli = CLI(tmp_path)
    cli.db.write_text("this is not sqlite, just text " * 100)
    line = assert_clean_failure(cli.run("list"))
    assert str(cli.db) in line
