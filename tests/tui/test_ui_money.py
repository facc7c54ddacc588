"""Money in the TUI: the budget in the status line, the question before a send past it, and the
usage screen (palette "Usage") with the figures the fake server reported, summed exactly."""

from __future__ import annotations

import pytest

from glm_tui.api.events import Usage
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.dialogs import ConfirmScreen
from glm_tui.ui.screens.usage import UsageScreen, report_content
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, aimlapi_stream, zai_stream
from tests.tui.test_ui_palette import run_command
from tests.ui_helpers import (
    screen_text,
    send,
    shows,
    wait_idle,
    wait_until,
)


def spent(store: Store, title: str, *replies: tuple[str, float, int]) -> int:
    """A conversation written now (this month) with replies of (model, US$, tokens)."""
    cid = store.create_conversation(title=title, provider="aimlapi", model=replies[0][0])
    parent = None
    for model, usd, tokens in replies:
        uid = store.add_message(cid, parent_id=parent, role="user", content="q")
        aid = store.add_message(cid, parent_id=uid, role="assistant", content="a", model=model)
        prompt = tokens // 4
        store.update_message(
            aid,
            status="complete",
            usage=Usage(
                prompt_tokens=prompt,
                completion_tokens=tokens - prompt,
                total_tokens=tokens,
                cached_tokens=prompt // 2,
                reasoning_tokens=(tokens - prompt) // 3,
                usd=usd,
                credits=usd * 2_000_000,
            ),
        )
        parent = aid
    return cid


def status(app: GLMApp) -> str:
    """The whole status line (the screen cuts a long one)."""
    return str(app.main.status_line.render())


@pytest.mark.parametrize(
    ("usd", "words"),
    [
        (2.0, ("conversation: 1,000 tokens · $2.00  │  budget 20 %",)),
        # A warning comes right after the model (the window's figure may follow it).
        (8.5, ("thinking on  │  budget 85 %", "│  conversation: 1,000 tokens · $8.50")),
        (10.4, ("thinking on  │  over budget 104 %", "│  conversation: 1,000 tokens · $10.40")),
    ],
)
async def test_the_status_line_shows_the_month_against_the_budget(
    tui: Tui, store: Store, usd: float, words: tuple[str, ...]
) -> None:
    cid = spent(store, "Spend", ("zhipu/glm-4.7", usd, 1000))
    async with tui(budget_usd=10.0, open=cid) as (app, pilot):
        await wait_until(pilot, lambda: all(w in status(app) for w in words), what=str(words))


async def test_no_budget_no_budget_words(tui: Tui, store: Store) -> None:
    spent(store, "Spend", ("zhipu/glm-4.7", 50.0, 1000))
    async with tui() as (app, pilot):
        await shows(pilot, "thinking on")
        assert "budget" not in screen_text(app)


async def test_the_status_line_follows_a_reply_that_crosses_the_budget(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    spent(store, "Spend", ("zhipu/glm-4.7", 7.0, 1000))
    async with tui(fake_glm.base_url, budget_usd=10.0) as (app, pilot):
        await shows(pilot, "budget 70 %")
        fake_glm.enqueue(aimlapi_stream("Dear.", usd_spent=1.5, credits_used=3_000_000))
        await send(pilot, app, "Hi")
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: "thinking on  │  budget 85 %" in status(app))
        assert "│  conversation: " in status(app)
        # Under the reply: its tokens, and its cost in US$ and credits (as reported).
        await shows(pilot, "9 tokens · $1.50 · 3,000,000 credits")
        assert status(app).endswith("conversation: 9 tokens · $1.50")  # its own spend


async def test_past_the_budget_each_send_asks_first(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    spent(store, "Spend", ("zhipu/glm-4.7", 12.0, 1000))
    async with tui(fake_glm.base_url, budget_usd=10.0) as (app, pilot):
        await send(pilot, app, "Is it worth it?")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert str(question.question).startswith(
            "This month's spend, US$12.00, is over the budget (120 % of US$10.00)."
        )
        await shows(pilot, "Send anyway (y)")
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert fake_glm.chat_requests() == []
        assert app.main.composer.text == "Is it worth it?"  # kept, to send later

        fake_glm.enqueue(zai_stream("Yes."), zai_stream("Again."))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked again")
        await pilot.press("y")
        await wait_idle(pilot, app)
        assert [r.json["messages"][-1]["content"] for r in fake_glm.chat_requests()] == [
            "Is it worth it?"
        ]
        assert app.main.composer.text == ""

        # A regenerate is a request too: it asks as well.
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert len(fake_glm.chat_requests()) == 1
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: len(fake_glm.chat_requests()) == 2, what="the regenerate")
        await wait_idle(pilot, app)


async def test_the_usage_screen_sums_what_the_provider_reported(tui: Tui, store: Store) -> None:
    spent(store, "Trip to Kyoto", ("zhipu/glm-4.7", 0.5, 1000), ("zhipu/glm-4.7", 0.25, 3000))
    spent(store, "[b]Rust[/b] help", ("openai/gpt-5", 1.2, 2000))
    async with tui() as (app, pilot):
        await run_command(pilot, app, "usage", "Usage")
        await wait_until(pilot, lambda: isinstance(app.screen, UsageScreen), what="the screen")
        usage = app.screen
        assert isinstance(usage, UsageScreen)
        await wait_until(pilot, lambda: usage.report is not None, what="the figures")
        await shows(pilot, "US$1.95 · 3 replies · 6,000 tokens · 3,900,000 credits")
        await shows(pilot, "US$ per day")
        assert usage.report is not None
        drawn = str(report_content(usage.report)).splitlines()
        chart = drawn[drawn.index(next(d for d in drawn if d.startswith("US$ per day"))) + 1 :][:8]
        assert all(line.endswith("██") for line in chart)  # today's bar, the only one, full
        assert all(line.strip() == "██" for line in chart)
        text = screen_text(app)
        lines = text.splitlines()
        gpt = next(line for line in lines if "openai/gpt-5" in line)
        glm = next(line for line in lines if "zhipu/glm-4.7" in line)
        assert "US$1.20  1 reply" in gpt and "US$0.75  2 replies" in glm
        assert gpt.count("█") > glm.count("█")  # the dearest, the longest bar
        assert "[b]Rust[/b] help" in text  # a title is text, never markup
        await pilot.press("pagedown")
        # 6,000 tokens: prompt 1,500 (750 cached), completion 4,500 (1,499 reasoning).
        await shows(pilot, "prompt, cached")
        text = screen_text(app)
        assert "750" in next(line for line in text.splitlines() if "prompt, cached" in line)
        assert "1.5k" in next(line for line in text.splitlines() if "reasoning" in line)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, UsageScreen), what="closed")


async def test_the_usage_screen_of_an_empty_history_says_so(tui: Tui) -> None:
    async with tui() as (app, pilot):
        app.main.action_usage()
        await wait_until(pilot, lambda: isinstance(app.screen, UsageScreen), what="the screen")
        await shows(pilot, "nothing · 0 replies · 0 tokens")
        await shows(pilot, "nothing reported in these days")
        screen = app.screen
        assert isinstance(screen, UsageScreen) and screen.report is not None
        drawn = str(report_content(screen.report))
        assert "█" not in drawn and drawn.count("nothing in these days") == 2
