"""The demo model exercises the tool loop offline (``glm-tui --demo ask``, a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def demo_ask(tmp_path: Path, *args: str, tools: str) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "notes.txt").write_text("The demo read this file.\n")
    (tmp_path / "config.toml").write_text(f"tools = {tools}\n")
    env = {
        "PATH": "/usr/bin:/bin",
        "GLM_TUI_CONFIG": str(tmp_path / "config.toml"),
        "GLM_TUI_DB": str(tmp_path / "h.db"),
        "GLM_TUI_DEMO_SPEED": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "glm_tui", "--demo", "ask", "--json", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("prompt", "tool", "seen"),
    [
        ("Please read notes.txt", "read_file", "The demo read this file."),
        ("Which files are in this folder?", "list_directory", "notes.txt"),
    ],
)
def test_the_demo_calls_the_matching_tool_and_answers_from_it(
    tmp_path: Path, prompt: str, tool: str, seen: str
) -> None:
    result = demo_ask(tmp_path, "--yes", prompt, tools='["read_file", "list_directory"]')
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    [call] = data["tool_calls"]
    assert call["name"] == tool and call["status"] == "ok"
    assert seen in call["result"] and seen in data["content"]


def test_without_the_tool_enabled_the_demo_just_answers(tmp_path: Path) -> None:
    result = demo_ask(tmp_path, "--yes", "Please read notes.txt", tools="[]")
    data = json.loads(result.stdout)
    assert data["tool_calls"] == [] and "The demo read this file." not in data["content"]
