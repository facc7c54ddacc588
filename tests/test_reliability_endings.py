"""Issue 8, item 1: every way a stream can end (docs/glm-api.md, "How a stream can end"), through
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

from glm_tui.cli import cli
from glm_tui.store import Store
from glm_tui.ui.message_widgets import AssistantMessage
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
from tests.ui_helpers import make_app, send, shows, ui_settings, wait_until

WIDE = (200, 50)  # the provider's words fit on one line: the screen text is searched as is


@dataclass(frozen=True)
class Ending:
    name: str
    response: Callable[[], Response]
    content: str
    """What the reply keeps (the text that arrived before the end)."""
    status: str
    tui_words: tuple[str, ...]
    """On the screen, under the reply."""
    ask_words: str
    """On ``ask``'s standard error."""
    exit_code: int
    reasoning: str | None = None


PARTIAL = "Partial answer, cut"

ENDINGS = [
    Ending(
        "length",
        lambda: zai_stream(PARTIAL, finish_reason="length"),
        PARTIAL,
        "truncated",
        ("Truncated: the reply hit the length limit.",),
        "warning: the reply was cut short",
        0,
    ),
    Ending(
        "context-window",
        lambda: zai_stream(PARTIAL, finish_reason="model_context_window_exceeded"),
        PARTIAL,
        "truncated",
        ("Truncated",),
        "warning: the reply was cut short",
        0,
    ),
    Ending(
        "length-while-thinking",
        lambda: zai_stream("", reasoning="A very long chain of thought", finish_reason="length"),
        "",
        "truncated",
        ("stopped while thinking (max_tokens reached)",),
        "warning: stopped while thinking (max_tokens reached)",
        0,
        reasoning="A very long chain of thought",
    ),
    Ending(
        "sensitive",
        lambda: zai_stream(PARTIAL, finish_reason="sensitive"),
        PARTIAL,
        "filtered",
        ("Filtered: the provider's content filter stopped this reply.",),
        "warning: the provider's content filter stopped the reply",
        0,
    ),
    Ending(
        "network_error",
        lambda: zai_stream(PARTIAL, finish_reason="network_error"),
        PARTIAL,
        "error",
        ("Error: The provider failed while generating the reply.",),
        "error: The provider failed while generating the reply.",
        1,
    ),
    Ending(
        "error-frame",
        lambda: error_stream(PARTIAL, code="1302", message="High concurrency, slow down"),
        PARTIAL,
        "error",
        ("The provider reported an error while replying.", "High concurrency, slow down"),
        "error: The provider reported an error while replying. (code 1302: High concurrency",
        1,
    ),
    Ending(
        "event-error",
        lambda: raw_stream(
            [sse(chunk(content=PARTIAL)), 'event: error\ndata: {"message": "upstream died"}\n\n']
        ),
        PARTIAL,
        "error",
        ("The provider reported an error while replying.", "upstream died"),
        "error: The provider reported an error while replying. (upstream died)",
        1,
    ),
    Ending(
        "dropped",
        lambda: drop_stream(PARTIAL, reasoning="Some thought"),
        PARTIAL,
        "interrupted",
        ("Interrupted: the reply did not finish", "The connection was lost"),
        "error: The connection was lost before the reply finished.",
        1,
        reasoning="Some thought",
    ),
    Ending(
        "dropped-abruptly",
        lambda: drop_stream(PARTIAL, abrupt=True),
        PARTIAL,
        "interrupted",
        ("Interrupted: the reply did not finish",),
        "error: The connection was lost before the reply finished.",
        1,
    ),
    Ending(
        "stalled",
        lambda: stall_stream(PARTIAL),
        PARTIAL,
        "error",
        ("The provider stopped sending data (timed out).",),
        "error: The provider stopped sending data (timed out).",
        1,
    ),
]


# -- the TUI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda e: e.name)
async def test_tui_keeps_the_partial_reply_says_why_and_retries(
    tmp_path: Path, fake_glm: FakeGLM, ending: Ending
) -> None:
    fake_glm.enqueue(ending.response(), zai_stream("Recovered on the second try."))
    settings = ui_settings(tmp_path, fake_glm.base_url, read_timeout=0.5)
    with Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        async with app.run_test(size=WIDE) as pilot:
            await send(pilot, app, "Tell me everything")
            await wait_until(pilot, lambda: not app.live and app.query(AssistantMessage))
            [reply] = app.query(AssistantMessage)
            await wait_until(pilot, lambda: reply.live is None, what="the reply to end")
            saved = store.get_message(reply.message.id)
            assert (saved.status, saved.content, saved.reasoning) == (
                ending.status,
                ending.content,
                ending.reasoning,
            )
            for words in ending.tui_words:
                await shows(pilot, words)
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


def _ask(tmp_path: Path, base_url: str, *args: str) -> tuple[int, str, str]:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text("read_timeout = 1\n")  # the stalled stream times out in a second
    env = {
        "GLM_TUI_DB": str(tmp_path / "history.db"),
        "GLM_TUI_CONFIG": str(config),
        "GLM_TUI_API_KEY": SECRET_KEY,
        "GLM_TUI_PROVIDER": "openai",
        "GLM_TUI_BASE_URL": base_url,
        "GLM_TUI_MODEL": "glm-4.7",
        "AIMLAPI_API_KEY": None,
        "ZAI_API_KEY": None,
    }
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
    assert len(lines) == 1 and lines[0].startswith(ending.ask_words), err

    code, out, err = _ask(tmp_path, fake_glm.base_url, "--json", "Tell me everything")
    data = json.loads(out)
    assert (data["status"], data["content"], data["reasoning"]) == (
        ending.status,
        ending.content,
        ending.reasoning,
    )

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
