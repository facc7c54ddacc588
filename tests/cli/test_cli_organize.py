"""``glm-tui pin``, ``glm-tui tag`` and ``glm-tui list --tag``, run as the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from glm_tui.store import Store
from tests.cli_helpers import CLI, assert_clean_failure

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    cli = CLI(tmp_path)
    with Store.open(cli.db) as store:
        for title in ("Owls at night", "Budget for Q3", "Holiday plans"):
            cid = store.create_conversation(title=title, provider="aimlapi", model="glm-4.7")
            store.add_message(cid, parent_id=None, role="user", content=title)
    return cli


def titles(cli: CLI, *args: str) -> list[str]:
    return [c["title"] for c in cli.json("list", *args)]


def test_pin_puts_a_conversation_first_and_off_puts_it_back(cli: CLI) -> None:
    assert titles(cli) == ["Holiday plans", "Budget for Q3", "Owls at night"]
    result = cli.run("pin", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "pinned conversation 1: Owls at night\n"
    listed = cli.json("list")
    assert [(c["title"], c["pinned"]) for c in listed] == [
        ("Owls at night", True),
        ("Holiday plans", False),
        ("Budget for Q3", False),
    ]
    text = cli.run("list").stdout.splitlines()
    assert text[0].split()[:2] == ["1", "*"] and "*" not in text[1]
    assert cli.run("pin", "1", "--off").stdout == "unpinned conversation 1: Owls at night\n"
    assert titles(cli) == ["Holiday plans", "Budget for Q3", "Owls at night"]


def test_tag_and_list_by_tag(cli: CLI) -> None:
    result = cli.run("tag", "2", "Work", "#q3")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "conversation 2: #q3 #Work\n"
    assert cli.run("tag", "3", "work").returncode == 0
    assert titles(cli, "--tag", "WORK") == ["Holiday plans", "Budget for Q3"]
    assert titles(cli, "--tag", "q3") == ["Budget for Q3"]
    assert titles(cli, "--tag", "nothing") == []
    listed = {c["id"]: c["tags"] for c in cli.json("list")}
    assert listed == {1: [], 2: ["q3", "Work"], 3: ["work"]}
    line = next(ln for ln in cli.run("list").stdout.splitlines() if "Budget" in ln)
    assert line.endswith("Budget for Q3  #q3 #Work")
    removed = cli.run("tag", "2", "work", "--remove")
    assert removed.returncode == 0 and removed.stdout == "conversation 2: #q3\n"
    assert titles(cli, "--tag", "work") == ["Holiday plans"]


def test_export_and_import_keep_them(cli: CLI, tmp_path: Path) -> None:
    cli.run("pin", "2")
    cli.run("tag", "2", "work")
    out = tmp_path / "all.json"
    assert cli.run("export", "--all", "--format", "json", "-o", str(out)).returncode == 0
    other = CLI(tmp_path / "other")
    other.tmp.mkdir()
    assert other.run("import", str(out)).returncode == 0
    first = other.json("list")[0]
    assert (first["title"], first["pinned"], first["tags"]) == ("Budget for Q3", True, ["work"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("tag", "2", "two words"), 2, "error: a tag is one word, without spaces: 'two words'"),
        (("tag", "2", ""), 2, "error: a tag cannot be empty"),
        (("tag", "99", "work"), 1, "error: no conversation with id 99"),
        (("tag", "2", "work", "--remove"), 1, "error: conversation 2 has no tag work"),
        (("pin", "99"), 1, "error: no conversation with id 99"),
        (("list", "--tag", "a,b"), 2, "error: --tag: a tag cannot hold a comma: 'a,b'"),
    ],
)
def test_mistakes_are_one_line(cli: CLI, args: tuple[str, ...], code: int, message: str) -> None:
    line = assert_clean_failure(cli.run(*args), code)
    assert line.startswith(message)


def test_tag_without_a_name_is_bad_usage(cli: CLI) -> None:
    result = cli.run("tag", "2")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert all(c["tags"] == [] for c in cli.json("list"))
