"""The entry point parses the TUI's global options without click, exactly as click would; anything
else goes to click."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from glm_tui.cli import cli
from glm_tui.launch import tui_flags


def click_flags(args: list[str]) -> dict[str, Any]:
    """The flags the click CLI collects (its ``_remember`` callbacks) for these arguments."""
    ctx = cli.make_context("glm-tui", list(args))
    assert not ctx.args and not getattr(ctx, "_protected_args", [])  # no subcommand here
    return dict(ctx.meta.get("glm_flags", {}))


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--demo"],
        ["--demo", "--db", "/tmp/h.db", "--config", "/tmp/c.toml"],
        ["--db=/tmp/h.db", "--config=/tmp/c.toml"],
        ["--thinking"],
        ["--no-thinking"],
        ["--thinking", "--no-thinking"],  # the last one wins
        ["--provider", "zai", "--provider", "openai"],
        ["--temperature", "0.6", "--top-p=0.9", "--max-tokens", "2048"],
        ["--temperature", "1e-1", "--max-tokens=7"],
        ["--model", "glm-4.7", "--base-url", "http://127.0.0.1:9/v1"],
        ["--system", "Answer briefly; use Markdown."],
        ["--system="],
        ["--model", "a=b"],
    ],
)
def test_the_same_flags_as_click(args: list[str]) -> None:
    assert tui_flags(args) == click_flags(args)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["--demo", "ask", "hi"],
        ["--help"],
        ["-h"],
        ["--version"],
        ["--"],
        ["--db"],  # no value
        ["--temperature", "warm"],
        ["--max-tokens", "1.5"],
        ["--temperature", "-1"],  # a value that looks like an option: click decides
        ["--demo=yes"],
        ["--unknown"],
        ["--model", "glm", "extra"],
    ],
)
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert tui_flags(args) is None


def test_bad_settings_are_reported_by_click(tmp_path: Any) -> None:
    """Options that parse but make wrong settings: click's message and exit status."""
    result = subprocess.run(
        [sys.executable, "-m", "glm_tui", "--provider", "nowhere", "--db", str(tmp_path / "h")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: --provider")
