"""Compaction in the TUI (issue 15): "Compact conversation" and "Undo compaction" in the
palette, the fold in the pane ("N earlier messages summarised", opened from the keyboard), and
"Compact and retry" when a reply no longer fits the model's window."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.widgets.compaction_fold import CompactionFold
from glm_tui.ui.widgets.messages import AssistantMessage, UserMessage
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.tui.test_ui_palette import run_command
from tests.ui_helpers import (
    click,
    seed_conversation,
    send,
    shows,
    wait_idle,
    wait_until,
)

TURNS = [(f"Question {n}", f"Answer {n}.", None) for n in (1, 2, 3)]


@pytest.fixture
def three_turns(store: Store) -> int:
    """The conversation compacted: three turns."""
    return seed_conversation(store, "Three turns", TURNS, updated_at="2024-03-14T14:00:00Z")


def fold(app: GLMApp) -> CompactionFold | None:
    return app.main.pane.fold


def prompts(app: GLMApp) -> list[str]:
    return [w.message.content for w in app.main.pane.query(UserMessage)]


async def test_compact_from_the_palette_fold_open_it_and_undo(
    tui: Tui, three_turns: int, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("They asked question 1; it was answered."))
    async with tui(fake_glm.base_url, open=three_turns) as (app, pilot):
        app.main.composer.focus()
        await pilot.pause()
        await run_command(pilot, app, "compact conv", "Compact conversation")
        await shows(pilot, "▸ 2 earlier messages summarised")
        assert prompts(app) == ["Question 2", "Question 3"]
        assert fake_glm.requests[-1].json["messages"][0]["content"] == "Question 1"
        # Up from the composer through the messages reaches the fold; Enter opens it.
        for _ in range(8):
            if (shown := fold(app)) is not None and shown.has_focus:
                break
            await pilot.press("up")
        shown = fold(app)
        assert shown is not None and shown.has_focus
        await pilot.press("enter")
        await wait_until(pilot, lambda: prompts(app)[:1] == ["Question 1"], what="unfolded")
        await shows(pilot, "They asked question 1; it was answered.")
        assert prompts(app) == ["Question 1", "Question 2", "Question 3"]
        await pilot.press("down")  # from the fold to the first message under it
        assert isinstance(app.focused, UserMessage) and app.focused.message.content == "Question 1"
        await pilot.press("up", "enter")
        await wait_until(pilot, lambda: prompts(app) == ["Question 2", "Question 3"])
        app.main.composer.focus()
        await run_command(pilot, app, "undo comp", "Undo compaction")
        await wait_until(pilot, lambda: fold(app) is None, what="the fold to go")
        assert prompts(app) == ["Question 1", "Question 2", "Question 3"]
        assert any("Compaction undone" in n.message for n in app._notifications)


async def test_nothing_to_compact_is_said(tui: Tui, store: Store, fake_glm: FakeGLM) -> None:
    cid = seed_conversation(store, "One", TURNS[:1], updated_at="2024-03-14T14:00:00Z")
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):
        await run_command(pilot, app, "compact conv", "Compact conversation")
        await wait_until(
            pilot,
            lambda: any("nothing older to summarise" in n.message for n in app._notifications),
        )
        assert fold(app) is None and fake_glm.requests == []


async def overflowed_reply(pilot: Pilot[Any], app: GLMApp) -> AssistantMessage:
    """Send a prompt whose reply fails for lack of room; the reply that failed."""
    await send(pilot, app, "A huge question")
    await wait_idle(pilot, app)
    await wait_until(
        pilot,
        lambda: any("no longer fits" in n.message for n in app._notifications),
        what="the warning",
    )
    failed = app.main.pane.message_widgets()[-1]
    assert isinstance(failed, AssistantMessage)
    assert failed.query_one(".compact-retry").display and failed.query_one(".retry").display
    return failed


async def test_an_overflow_offers_compact_and_retry_in_the_palette(
    tui: Tui, three_turns: int, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("Part", finish_reason="model_context_window_exceeded"))
    async with tui(fake_glm.base_url, open=three_turns) as (app, pilot):
        await overflowed_reply(pilot, app)
        fake_glm.enqueue(zai_stream("Summary of three turns."), zai_stream("Now it fits."))
        app.main.composer.focus()
        await run_command(pilot, app, "compact and re", "Compact and retry")
        await shows(pilot, "Now it fits.")
        await wait_idle(pilot, app)
        retry = fake_glm.requests[-1].json["messages"]
        assert "Summary of three turns." in retry[0]["content"]
        assert retry[1:] == [{"role": "user", "content": "A huge question"}]
        await shows(pilot, "▸ 6 earlier messages summarised")
        assert prompts(app) == ["A huge question"]


async def test_the_failed_reply_has_a_compact_and_retry_button(
    tui: Tui, three_turns: int, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("Part", finish_reason="model_context_window_exceeded"))
    async with tui(fake_glm.base_url, open=three_turns) as (app, pilot):
        failed = await overflowed_reply(pilot, app)
        fake_glm.enqueue(zai_stream("Summary."), zai_stream("Fits now."))
        await click(pilot, failed.query_one(".compact-retry"))
        await shows(pilot, "Fits now.")
        await wait_idle(pilot, app)
        assert len(fake_glm.requests) == 3


async def test_compact_and_retry_without_a_failed_reply_says_so(
    tui: Tui, three_turns: int, fake_glm: FakeGLM
) -> None:
    async with tui(fake_glm.base_url, open=three_turns) as (app, pilot):
        await run_command(pilot, app, "compact and re", "Compact and retry")
        await wait_until(
            pilot, lambda: any("lack of room" in n.message for n in app._notifications)
        )
        assert fake_glm.requests == []


async def test_escape_stops_a_compaction_and_nothing_is_saved(
    tui: Tui, three_turns: int, fake_glm: FakeGLM
) -> None:
    from tests.fakeglm import stall_stream

    fake_glm.enqueue(stall_stream("They asked"))
    async with tui(fake_glm.base_url, open=three_turns) as (app, pilot):
        app.main.composer.focus()
        await run_command(pilot, app, "compact conv", "Compact conversation")
        await wait_until(pilot, lambda: len(fake_glm.requests) == 1, what="the summary request")
        assert app.session.compaction.running()
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.session.compaction.running(), what="stopped")
        assert any("Compaction stopped" in n.message for n in app._notifications)
        assert app.session.store.compactions(three_turns) == [] and fold(app) is None
        assert app.main.composer.has_focus
