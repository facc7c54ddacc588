"""Issue 8, item 1: every way a stream can end (docs/architecture.md, "Message status"), through
both ``glm-tui ask`` and the TUI: the partial text is kept, the status is right, the message is
clear, and Retry works.

``ask`` runs in-process (click's runner: the same code as the command, without a Python start-up
per case; the process-level behaviours, kill -9 and Ctrl+C, are in test_cli_ask.py and
test_reliability_kill.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Static

from glm_tui.cli import cli
from glm_tui.store import Store
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.app_fixture import Tui
from tests.cli_helpers import SECRET_KEY
from tests.fakeglm import (
    FakeGLM,
    Response,
    chunk,
    drop_stream,
    error_stream,
    raw_stream,
    sse,
    stall_stream,
    zai_stream,
)
from tests.reliability_helpers import click_when_still
from tests.ui_helpers import send, shows, wait_until

WIDE = (200, 50)  # the provider's words fit on one line: the screen text is searched as is


@dataclass(frozen=True)
class Ending:
    name: str
    response: Callable[[], Response]
    content: str
    """What the reply keeps (the text that arrived before the end)."""
    status: str
    line: str
    """Under the reply in the TUI (the whole line), and in ``show``, as ``> LINE``."""
    ask_line: str
    """``ask``'s line on standard error: the line without its label, as an error or warning."""
    exit_code: int
    reasoning: str | None = None


PARTIAL = "Partial answer, cut"
CUT = "the reply reached the length limit (max_tokens or the context window)."
LOST = "the connection was lost before the reply finished"

ENDINGS = [
    Ending(
        "length",
        lambda: zai_stream(PARTIAL, finish_reason="length"),
        PARTIAL,
        "truncated",
        f"Truncated: {CUT}",
        f"warning: {CUT}",
        0,
    ),
    Ending(
        "context-window",
        lambda: zai_stream(PARTIAL, finish_reason="model_context_window_exceeded"),
        PARTIAL,
        "truncated",
        f"Truncated: {CUT}",
        f"warning: {CUT}",
        0,
    ),
    Ending(
        "length-while-thinking",
        lambda: zai_stream("", reasoning="A very long chain of thought", finish_reason="length"),
        "",
        "truncated",
        "Truncated: the model was still thinking when it reached the length limit "
        "(max_tokens or the context window).",
        "warning: the model was still thinking when it reached the length limit "
        "(max_tokens or the context window).",
        0,
        reasoning="A very long chain of thought",
    ),
    Ending(
        "sensitive",
        lambda: zai_stream(PARTIAL, finish_reason="sensitive"),
        PARTIAL,
        "filtered",
        "Filtered: the provider's content filter stopped this reply.",
        "error: the provider's content filter stopped this reply.",
        1,
    ),
    Ending(
        "network_error",
        lambda: zai_stream(PARTIAL, finish_reason="network_error"),
        PARTIAL,
        "error",
        "Error: the provider failed while generating the reply (finish_reason network_error).",
        "error: the provider failed while generating the reply (finish_reason network_error).",
        1,
    ),
    Ending(
        "error-frame",
        lambda: error_stream(PARTIAL, code="1302", message="High concurrency, slow down."),
        PARTIAL,
        "error",
        "Error: the provider reported an error while replying "
        "(code 1302: High concurrency, slow down).",
        "error: the provider reported an error while replying "
        "(code 1302: High concurrency, slow down).",
        1,
    ),
    Ending(
        "event-error",
        lambda: raw_stream(
            [sse(chunk(content=PARTIAL)), 'event: error\ndata: {"message": "upstream died"}\n\n']
        ),
        PARTIAL,
        "error",
        "Error: the provider reported an error while replying (upstream died).",
        "error: the provider reported an error while replying (upstream died).",
        1,
    ),
    Ending(
        "dropped",
        lambda: drop_stream(PARTIAL, reasoning="Some thought"),
        PARTIAL,
        "interrupted",
        f"Interrupted: {LOST} (the stream ended before a finish_reason).",
        f"error: {LOST} (the stream ended before a finish_reason).",
        1,
        reasoning="Some thought",
    ),
    Ending(
        "dropped-abruptly",
        lambda: drop_stream(PARTIAL, abrupt=True),
        PARTIAL,
        "interrupted",
        f"Interrupted: {LOST} (",  # then httpx's words
        f"error: {LOST} (",
        1,
    ),
    Ending(
        "stalled",
        lambda: stall_stream(PARTIAL),
        PARTIAL,
        "error",
        "Error: the provider timed out (no data received within the read timeout).",
        "error: the provider timed out (no data received within the read timeout).",
        1,
    ),
]


def _one_clear_line(line: str, expected: str) -> None:
    """Issue 12, item 11: the line is the expected one (a whole sentence, or it starts so)."""
    if expected.endswith("("):
        assert line.startswith(expected) and line.endswith(").") and line.count(". ") == 0, line
    else:
        assert line == expected
    for junk in (":.", ".:", ". (", "..", ": :"):
        assert junk not in line, line


# -- the TUI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda e: e.name)
async def test_tui_keeps_the_partial_reply_says_why_and_retries(
    tui: Tui, fake_glm: FakeGLM, store: Store, ending: Ending
) -> None:
    fake_glm.enqueue(ending.response(), zai_stream("Recovered on the second try."))
    async with tui(fake_glm.base_url, size=WIDE, read_timeout=0.5) as (app, pilot):
        await send(pilot, app, "Tell me everything")
        await wait_until(pilot, lambda: not app.session.live and app.query(AssistantMessage))
        [reply] = app.query(AssistantMessage)
        await wait_until(pilot, lambda: reply.live is None, what="the reply to end")
        saved = store.get_message(reply.message.id)
        assert (saved.status, saved.content, saved.reasoning) == (
            ending.status,
            ending.content,
            ending.reasoning,
        )
        status_line = str(reply.query_one(".status-text", Static).content)
        _one_clear_line(status_line, ending.line)
        await shows(pilot, ending.line[:40])
        if ending.content:
            await shows(pilot, ending.content)
        await shows(pilot, "Tell me everything")  # the prompt is kept
        assert reply.query_one(".retry").display

        # Retry: the button for half of the cases, `r` on the focused reply for the others.
        if ENDINGS.index(ending) % 2:
            await click_when_still(pilot, reply.query_one(".retry"))
        else:
            reply.focus()
            await pilot.press("r")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 2)
        await wait_until(
            pilot,
            lambda: any(r.message.status == "complete" for r in app.query(AssistantMessage)),
            what="the retried reply",
        )
        await shows(pilot, "Recovered on the second try.")
        [new] = app.query(AssistantMessage)
        assert new.message.id != saved.id
        siblings = store.siblings(new.message.id)
        assert [m.id for m in siblings] == [saved.id, new.message.id]
        # The failed reply is still there, as it was (a sibling branch).
        assert store.get_message(saved.id).content == ending.content
        assert store.get_message(saved.id).status == ending.status
        assert app.is_running


# -- glm-tui ask ------------------------------------------------------------------------------


def _env(tmp_path: Path, base_url: str) -> dict[str, str | None]:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text("read_timeout = 1\n")  # the stalled stream times out in a second
    return {
        "GLM_TUI_DB": str(tmp_path / "history.db"),
        "GLM_TUI_CONFIG": str(config),
        "GLM_TUI_API_KEY": SECRET_KEY,
        "GLM_TUI_PROVIDER": "openai",
        "GLM_TUI_BASE_URL": base_url,
        "GLM_TUI_MODEL": "glm-4.7",
        "AIMLAPI_API_KEY": None,
        "ZAI_API_KEY": None,
    }


def _ask(tmp_path: Path, base_url: str, *args: str) -> tuple[int, str, str]:
    env = _env(tmp_path, base_url)
    result = CliRunner().invoke(cli, ["ask", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda e: e.name)
def test_ask_keeps_the_partial_reply_says_why_and_can_run_again(
    tmp_path: Path, fake_glm: FakeGLM, ending: Ending
) -> None:
    fake_glm.enqueue(ending.response(), ending.response(), zai_stream("Recovered."))
    code, out, err = _ask(tmp_path, fake_glm.base_url, "Tell me everything")
    assert code == ending.exit_code, err
    assert out == (ending.content + "\n" if ending.content else "")  # streamed as it came
    assert "Traceback" not in err and SECRET_KEY not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    _one_clear_line(lines[0], ending.ask_line)

    code, out, err = _ask(tmp_path, fake_glm.base_url, "--json", "Tell me everything")
    assert code == ending.exit_code, err
    data = json.loads(out)
    assert (data["status"], data["content"], data["reasoning"]) == (
        ending.status,
        ending.content,
        ending.reasoning,
    )
    # The error, when ask fails, is the sentence of its error line; a warning is not an error.
    if ending.exit_code:
        sentence = err.strip().removeprefix("error: ")
        assert data["error"] == sentence[:1].upper() + sentence[1:]
    else:
        assert data["error"] is None
    # show explains the reply as the TUI does, also when it is only cut short.
    shown = CliRunner().invoke(
        cli, ["show", str(data["conversation_id"])], env=_env(tmp_path, fake_glm.base_url)
    )
    assert shown.exit_code == 0, shown.output
    [quoted] = [ln for ln in shown.stdout.splitlines() if ln.startswith("> ")]
    _one_clear_line(quoted.removeprefix("> "), ending.line)

    # Running it again works, and the failed replies stay in the history as they were.
    code, out, err = _ask(tmp_path, fake_glm.base_url, "Tell me everything")
    assert (code, out, err) == (0, "Recovered.\n", "")
    with Store.open(tmp_path / "history.db") as store:
        conversations = store.list_conversations()
        assert len(conversations) == 3
        replies = [store.current_path(c.id)[-1] for c in reversed(conversations)]
    assert [(r.status, r.content) for r in replies] == [
        (ending.status, ending.content),
        (ending.status, ending.content),
        ("complete", "Recovered."),
    ]
