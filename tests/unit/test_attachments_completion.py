"""``@`` path completion: ranked, directories as candidates, .gitignore respected."""

from __future__ import annotations

import subprocess
from pathlib import Path

from glm_tui.attachments import PathIndex
from tests.attachment_helpers import write


def tree(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name in [
        "README.md",
        "glm_tui/app.py",
        "glm_tui/attachments/reading.py",
        "glm_tui/attachments/completion.py",
        "glm_tui/store/export.py",
        "tests/test_reading.py",
        "docs/reading-list.md",
        "node_modules/left-pad/index.js",
        "build/reading.py",
    ]:
        write(root / name, "x\n")
    write(root / ".gitignore", "node_modules/\nbuild/\n")
    return root


def test_an_empty_query_lists_the_top_level_directories_first(tmp_path: Path) -> None:
    index = PathIndex(tree(tmp_path)).build()
    paths = [c.path for c in index.search("")]
    assert paths == ["docs/", "glm_tui/", "tests/", ".gitignore", "README.md"]
    assert [c.is_dir for c in index.search("")][:3] == [True, True, True]


def test_a_name_that_matches_ranks_first_and_ignored_paths_never_show(tmp_path: Path) -> None:
    index = PathIndex(tree(tmp_path)).build()
    found = [c.path for c in index.search("reading")]
    assert set(found[:2]) == {"glm_tui/attachments/reading.py", "docs/reading-list.md"}
    assert set(found) == {
        "glm_tui/attachments/reading.py",
        "tests/test_reading.py",
        "docs/reading-list.md",
    }
    assert not any(p.startswith(("build/", "node_modules/")) for p in index.paths)


def test_fuzzy_and_directories(tmp_path: Path) -> None:
    index = PathIndex(tree(tmp_path)).build()
    assert index.search("gtacmp")[0].path == "glm_tui/attachments/completion.py"
    directory = index.search("attach")[0]
    assert (directory.path, directory.is_dir, directory.mention) == (
        "glm_tui/attachments/",
        True,
        "@glm_tui/attachments/",
    )
    top = index.search("store/exp")[0]
    assert top.path == "glm_tui/store/export.py"
    assert [top.path[i] for i in top.positions] == list("store/exp")
    assert index.search("zzzz") == []
