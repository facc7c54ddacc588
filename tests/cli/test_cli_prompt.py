"""``glm-tui ask --prompt NAME``: the prompt library from a script, run as the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import CLI, assert_clean_failure
from tests.fakeglm import FakeGLM, zai_stream

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path: Path, fake_glm: FakeGLM) -> CLI:
    prompts = tmp_path / "prompts"  # next to config.toml
    prompts.mkdir()
    (prompts / "pirate.md").write_text(
        "---\nsystem: You are a pirate.\nthinking: false\nmodel: glm-4.5\n---\n"
        "Say it like a pirate: {{input}}\n"
    )
    (prompts / "letter.md").write_text("Dear {{name}}, {{input}} ({{date}})")
    (prompts / "broken.md").write_text("---\nmodle: x\n---\nText")
    return CLI(tmp_path, fake_glm.base_url)


def test_a_prompt_with_its_system_model_and_thinking(cli: CLI, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("Arr, the treasure be buried."))
    result = cli.run("ask", "--prompt", "pirate", "where is the treasure?")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Arr, the treasure be buried.\n"
    body = fake_glm.requests[0].json
    assert body["messages"] == [
        {"role": "system", "content": "You are a pirate."},
        {"role": "user", "content": "Say it like a pirate: where is the treasure?"},
    ]
    assert body["thinking"] == {"type": "disabled"} and body["model"] == "glm-4.5"
    shown = cli.json("show", "1")
    assert shown["system_prompt"] == "You are a pirate." and shown["model"] == "glm-4.5"


def test_input_on_standard_input_and_variables(cli: CLI, fake_glm: FakeGLM) -> None:
    result = cli.run("ask", "--prompt", "LETTER", "--var", "name=Ann", input="the roof is done\n")
    assert result.returncode == 0, result.stderr
    sent = fake_glm.requests[0].json["messages"][-1]["content"]
    assert sent.startswith("Dear Ann, the roof is done (20") and sent.endswith(")")


def test_a_bundled_prompt(cli: CLI, fake_glm: FakeGLM) -> None:
    result = cli.run("ask", "--prompt", "translate", "--var", "language=French", "hello")
    assert result.returncode == 0, result.stderr
    sent = fake_glm.requests[0].json["messages"][-1]["content"]
    assert "into French" in sent and sent.endswith("hello")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--prompt", "nope", "x"), 2, "error: no prompt named 'nope' in "),
        (("--prompt", "letter", "x"), 2, "error: the prompt letter needs --var name=VALUE"),
        (("--prompt", "pirate"), 2, "error: the prompt pirate needs an input"),
        (("--prompt", "letter", "--var", "nme=Ann", "x"), 2, "error: the prompt letter has no"),
        (("--prompt", "letter", "--var", "name", "x"), 2, "error: --var takes NAME=VALUE"),
        (("--var", "name=Ann", "x"), 2, "error: --var goes with --prompt NAME"),
        (("--prompt", "broken", "x"), 1, "error: "),
    ],
)
def test_mistakes_send_nothing_and_say_one_line(
    cli: CLI, fake_glm: FakeGLM, args: tuple[str, ...], code: int, message: str
) -> None:
    line = assert_clean_failure(cli.run("ask", *args), code)
    assert line.startswith(message)
    if "broken" in args:
        assert line == (
            f"error: {cli.tmp / 'prompts' / 'broken.md'}: unknown front matter key 'modle'"
            " (known: description, model, system, thinking)"
        )
    assert fake_glm.requests == []


def test_json_still_prints_one_object_when_the_prompt_cannot_be_sent(cli: CLI) -> None:
    result = cli.run("ask", "--json", "--prompt", "nope", "x")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["status"] == "error" and data["error"].startswith("No prompt named 'nope'")
