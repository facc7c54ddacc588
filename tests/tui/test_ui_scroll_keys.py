"""PageUp / PageDown / Home / End scroll the conversation from the composer too; the composer
keeps Home / End for its line while it holds text; Ctrl+Home / Ctrl+End always go to the first
message (mounting the older ones) and to the end."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from textual.pilot import Pilot

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.help import KEYS
from glm_tui.ui.widgets.messages import UserMessage
from tests.app_fixture import Tui
from tests.ui_helpers import seed_conversation, wait_until

SIZE = (100, 30)
REPLY = "\n\n".join(f"Paragraph {n} of the reply, long enough to take a line." for n in range(3))
TURNS = [(f"Question {n}", REPLY, None) for n in range(20)]


async def opened(pilot: Pilot[Any], store: Store, app: GLMApp) -> None:
    cid = seed_conversation(store, "Long", TURNS, updated_at="2024-03-14T14:00:00Z")
    await app.main.open_conversation(cid)
    await pilot.pause()
    await wait_until(pilot, lambda: app.main.pane.max_scroll_y > 0, what="a pane to scroll")
    await wait_until(
        pilot, lambda: app.main.pane.scroll_y == app.main.pane.max_scroll_y, what="the end"
    )
    app.main.composer.focus()
    await pilot.pause()


def first_message_shown(app: GLMApp) -> bool:
    pane = app.main.pane
    first = pane.message_widgets()[0]
    return (
        not pane.has_older
        and isinstance(first, UserMessage)
        and first.message.content == "Question 0"
        and pane.scroll_y == 0
    )


async def test_page_keys_scroll_the_conversation_from_the_composer(tui: Tui, store: Store) -> None:
    async with tui(size=SIZE) as (app, pilot):
        await opened(pilot, store, app)
        pane = app.main.pane
        for text in ("", "a draft\nof two lines"):
            app.main.composer.load_text(text)  # the composer grows: the pane gets shorter
            await pilot.pause()
            pane.scroll_end(animate=False)
            await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y, what="the end")
            await pilot.press("pageup")
            await wait_until(
                pilot, lambda: pane.scroll_y < pane.max_scroll_y - 10, what="a page up"
            )
            await pilot.press("pagedown")
            await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y, what="back")
            assert app.focused is app.main.composer and app.main.composer.text == text


async def test_home_and_end_in_an_empty_composer_go_to_the_first_message_and_back(
    tui: Tui, store: Store
) -> None:
    async with tui(size=SIZE) as (app, pilot):
        await opened(pilot, store, app)
        assert app.main.pane.has_older  # the first messages are not mounted yet
        await pilot.press("home")
        await wait_until(pilot, lambda: first_message_shown(app), what="the first message")
        assert app.focused is app.main.composer
        await pilot.press("end")
        await wait_until(
            pilot, lambda: app.main.pane.scroll_y == app.main.pane.max_scroll_y, what="end"
        )


async def test_a_composer_holding_text_keeps_home_and_end_but_not_ctrl_home(
    tui: Tui, store: Store
) -> None:
    async with tui(size=SIZE) as (app, pilot):
        await opened(pilot, store, app)
        composer = app.main.composer
        composer.load_text("first line\nsecond line")
        composer.move_cursor((1, 4))
        await pilot.press("home")
        await pilot.pause()
        assert composer.cursor_location == (1, 0)
        assert app.main.pane.scroll_y == app.main.pane.max_scroll_y  # still at the end
        await pilot.press("end")
        await pilot.pause()
        assert composer.cursor_location == (1, len("second line"))

        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: first_message_shown(app), what="the first message")
        assert composer.text == "first line\nsecond line" and app.focused is composer
        await pilot.press("ctrl+end")
        await wait_until(
            pilot, lambda: app.main.pane.scroll_y == app.main.pane.max_scroll_y, what="end"
        )


async def test_home_on_a_selected_message_goes_to_the_first_message(tui: Tui, store: Store) -> None:
    async with tui(size=SIZE) as (app, pilot):
        await opened(pilot, store, app)
        await pilot.press("up")  # the cursor on the last message
        await wait_until(pilot, lambda: app.main.pane.selected is not None, what="a selection")
        await pilot.press("home")
        await wait_until(pilot, lambda: first_message_shown(app), what="the first message")


def test_f1_lists_the_scroll_keys() -> None:
    keys = [key for key, _ in KEYS]
    for needed in ("PageUp / PageDown", "Home / End", "Ctrl+Home / Ctrl+End"):
        assert needed in keys


async def test_the_conversation_list_keeps_its_page_and_home_keys(tui: Tui, store: Store) -> None:
    for n in range(60):
        seed_conversation(store, f"Chat {n}", [("a", "b", None)], updated_at="2024-03-14T14:00:00Z")
    async with tui(size=SIZE) as (app, pilot):
        await opened(pilot, store, app)
        at_end = app.main.pane.scroll_y
        option_list = app.main.sidebar.option_list
        option_list.focus()
        option_list.highlighted = 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert (option_list.highlighted or 0) > 5
        await pilot.press("home")
        await pilot.pause()
        assert option_list.highlighted == 0
        assert app.main.pane.scroll_y == at_end
        await pilot.press("ctrl+home")  # always the conversation
        await wait_until(pilot, lambda: first_message_shown(app), what="the first message")


async def test_end_stops_the_way_to_the_first_message(tui: Tui, store: Store) -> None:
    cid = seed_conversation(
        store, "Longer", TURNS * 10, updated_at="2024-03-14T14:00:00Z"
    )  # 400 messages: many batches
    async with tui(size=SIZE, open=cid) as (app, pilot):
        await pilot.pause()
        # The actions of Ctrl+Home then End, End arriving while the first batch mounts
        # (Pilot's press waits for the app to be idle between two keys).
        app.main.action_conversation_top(True)
        await pilot.pause(0)
        app.main.action_conversation_end(True)
        await wait_until(pilot, lambda: all(w.is_finished for w in app.workers), what="stopped")
        await pilot.pause()
        assert app.main.pane.has_older  # stopped before the first message
        await wait_until(
            pilot, lambda: app.main.pane.scroll_y == app.main.pane.max_scroll_y, what="end"
        )


async def test_end_wins_over_a_scroll_to_the_top_still_waiting_for_a_refresh(
    tui: Tui, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+Home's last step waits for a refresh to scroll to the top; End pressed before that
    refresh comes (a busy machine) must still end at the end. Here the pane's after-refresh
    calls go through one call late while Ctrl+Home works, so its last one is still waiting when
    End is pressed: the order a busy machine may give, made certain."""
    async with tui(size=SIZE) as (app, pilot):
        await opened(pilot, store, app)
        pane = app.main.pane
        real = pane.call_after_refresh
        waiting: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
        done: list[str] = []

        def one_call_late(callback: Any, *args: Any, **kwargs: Any) -> bool:
            if waiting:
                late, late_args, late_kwargs = waiting.pop()
                real(late, *late_args, **late_kwargs)
            waiting.append((callback, args, kwargs))
            return True

        async def run_late() -> None:
            late, args, kwargs = waiting.pop()
            result = late(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
            # A scroll it asked for happens after the next refresh: look after that one.
            real(lambda: real(done.append, "refreshed"))

        monkeypatch.setattr(pane, "call_after_refresh", one_call_late)
        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: first_message_shown(app), what="the first message")
        monkeypatch.undo()
        assert waiting, "the scroll to the top no longer waits for a refresh: this test is moot"
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y, what="the end")
        real(run_late)
        pane.refresh()
        await wait_until(pilot, lambda: done == ["refreshed"], what="the late call and a refresh")
        assert pane.scroll_y == pane.max_scroll_y
