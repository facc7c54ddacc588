"""Every dialog works from the keyboard alone: Tab and Shift+Tab go round all its fields and
buttons, Enter presses the focused button, Escape cancels; each says which keys it takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Switch

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.dialogs import ConfirmScreen, RenameScreen
from glm_tui.ui.screens.edit_dialog import EditScreen
from glm_tui.ui.screens.help import HelpScreen
from glm_tui.ui.screens.settings import SettingsScreen
from glm_tui.ui.screens.welcome import WelcomeScreen
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    screen_text,
    seed_conversation,
    shows,
    ui_settings,
    wait_idle,
    wait_until,
)

SETTINGS_FIELDS = [
    "provider",
    "base_url",
    "model",
    "api_key",
    "thinking",
    "web_search",
    "temperature",
    "top_p",
    "max_tokens",
    "system_prompt",
    "theme",
    "max_prose_width",
]


def focused_id(app: GLMApp) -> str | None:
    return app.focused.id if app.focused is not None else None


async def tab_round(pilot: Pilot[Any], app: GLMApp, key: str, count: int) -> list[str | None]:
    """The id of the focused widget after each of ``count`` presses of ``key``."""
    seen: list[str | None] = []
    for _ in range(count):
        await pilot.press(key)
        await pilot.pause()
        seen.append(focused_id(app))
    return seen


async def goes_round(pilot: Pilot[Any], app: GLMApp, order: list[str]) -> None:
    """Tab visits ``order`` (all the dialog's focusable widgets) and comes back to the first;
    Shift+Tab goes the other way. The focus starts on ``order[0]``."""
    assert focused_id(app) == order[0]
    assert await tab_round(pilot, app, "tab", len(order)) == order[1:] + order[:1]
    assert await tab_round(pilot, app, "shift+tab", len(order)) == list(reversed(order))


async def tab_to(pilot: Pilot[Any], app: GLMApp, target: str) -> None:
    """Press Tab until ``target`` has the focus (at most 30 times)."""
    for _ in range(30):
        if focused_id(app) == target:
            return
        await pilot.press("tab")
        await pilot.pause()
    raise AssertionError(f"Tab never reached #{target}")


async def wait_screen(pilot: Pilot[Any], app: GLMApp, kind: type[Screen[Any]]) -> Any:
    await wait_until(pilot, lambda: isinstance(app.screen, kind), what=kind.__name__)
    await pilot.pause()
    return app.screen


async def closed(pilot: Pilot[Any], app: GLMApp, kind: type[Screen[Any]]) -> None:
    await wait_until(pilot, lambda: not isinstance(app.screen, kind), what=f"{kind} to close")


# -- the settings screen ------------------------------------------------------------------------


async def test_settings_from_the_keyboard(tui: Tui, tmp_path: Path, store: Store) -> None:
    cid = seed_conversation(store, "Kyoto", [("a", "b", None)], updated_at="2024-03-14T14:00:00Z")
    async with tui(open=cid, config_path=tmp_path / "config" / "config.toml") as (app, pilot):
        await pilot.press("f3")
        screen = await wait_screen(pilot, app, SettingsScreen)
        order = [
            *SETTINGS_FIELDS,
            "conversation_model",
            "conversation_system_prompt",
            "save",
            "cancel",
        ]
        await goes_round(pilot, app, order)
        assert "Tab: next field" in screen_text(app)

        # Enter on the switch turns it; on Save, saves (and closes).
        await tab_to(pilot, app, "thinking")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#thinking", Switch).value is False
        await tab_to(pilot, app, "save")
        await pilot.press("enter")
        await closed(pilot, app, SettingsScreen)
        assert app.settings.thinking is False
        assert "thinking = false" in (tmp_path / "config" / "config.toml").read_text()

        # Escape cancels; so does Enter on Cancel.
        await pilot.press("f3")
        await wait_screen(pilot, app, SettingsScreen)
        await pilot.press("escape")
        await closed(pilot, app, SettingsScreen)
        await pilot.press("f3")
        await wait_screen(pilot, app, SettingsScreen)
        await pilot.press("shift+tab", "enter")
        await closed(pilot, app, SettingsScreen)


@pytest.mark.parametrize("size", [(80, 24), (20, 8)])
async def test_settings_save_is_reachable_on_a_small_terminal(
    tui: Tui, tmp_path: Path, size: tuple[int, int]
) -> None:
    async with tui(size=size, config_path=tmp_path / "config" / "config.toml") as (app, pilot):
        await pilot.press("f3")
        screen = await wait_screen(pilot, app, SettingsScreen)
        # The form scrolls as the focus moves down it, and the buttons stay in view.
        dialog = screen.query_one("#settings-dialog")
        for _ in range(30):
            if focused_id(app) == "cancel":
                break
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            assert dialog.region.contains_region(focused.region), focused
            assert focused.region.height > 0
        assert focused_id(app) == "cancel"
        await shows(pilot, "Save")
        await shows(pilot, "Cancel")
        await pilot.press("escape")
        await closed(pilot, app, SettingsScreen)


# -- conversations: delete, rename --------------------------------------------------------------


async def test_delete_dialog_from_the_keyboard(tui: Tui, store: Store) -> None:
    for title in ("First", "Second"):
        seed_conversation(store, title, [("a", "b", None)], updated_at="2024-03-14T14:00:00Z")
    async with tui() as (app, pilot):
        app.main.sidebar.option_list.focus()
        app.main.sidebar.option_list.highlighted = 0
        await pilot.press("delete")
        await wait_screen(pilot, app, ConfirmScreen)
        text = screen_text(app)
        assert "y: delete" in text and "n / Esc: cancel" in text and "Tab" in text
        await goes_round(pilot, app, ["no", "yes"])
        await pilot.press("escape")
        await closed(pilot, app, ConfirmScreen)
        await pilot.press("delete")
        await wait_screen(pilot, app, ConfirmScreen)
        await pilot.press("enter")  # on Cancel
        await closed(pilot, app, ConfirmScreen)
        assert len(store.list_conversations()) == 2
        await pilot.press("delete")
        await wait_screen(pilot, app, ConfirmScreen)
        await pilot.press("tab", "enter")  # on Delete
        await wait_until(pilot, lambda: len(store.list_conversations()) == 1, what="deleted")


async def test_rename_dialog_from_the_keyboard(tui: Tui, store: Store) -> None:
    cid = seed_conversation(store, "Old", [("a", "b", None)], updated_at="2024-03-14T14:00:00Z")
    async with tui(open=cid) as (app, pilot):
        await pilot.press("f2")
        screen = await wait_screen(pilot, app, RenameScreen)
        assert "Tab" in screen_text(app)
        await goes_round(pilot, app, ["rename-input", "save", "cancel"])
        await pilot.press("tab", "tab")
        assert focused_id(app) == "cancel"
        await pilot.press("enter")
        await closed(pilot, app, RenameScreen)
        assert store.get_conversation(cid).title == "Old"
        await pilot.press("f2")
        screen = await wait_screen(pilot, app, RenameScreen)
        screen.query_one("#rename-input").value = "New"
        await pilot.press("tab", "enter")  # on Save
        await closed(pilot, app, RenameScreen)
        assert store.get_conversation(cid).title == "New"
        await pilot.press("f2")
        await wait_screen(pilot, app, RenameScreen)
        await pilot.press("escape")
        await closed(pilot, app, RenameScreen)


# -- editing a prompt ---------------------------------------------------------------------------


async def test_edit_dialog_from_the_keyboard(tui: Tui, fake_glm: FakeGLM, store: Store) -> None:
    fake_glm.enqueue(zai_stream("Edited."))
    cid = seed_conversation(
        store, "Edit", [("Hello", "Hi", None)], updated_at="2024-03-14T14:00:00Z"
    )
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):

        async def open_editor() -> None:
            prompt = app.main.pane.message_widgets()[0]
            app.main.pane.select(prompt)
            await wait_until(pilot, lambda: app.main.pane.selected is prompt)
            await pilot.press("e")
            await wait_screen(pilot, app, EditScreen)

        await open_editor()
        assert "Tab" in screen_text(app)
        await goes_round(pilot, app, ["edit-input", "send", "cancel"])
        await pilot.press("tab", "tab", "enter")  # on Cancel
        await closed(pilot, app, EditScreen)
        await open_editor()
        await pilot.press("escape")
        await closed(pilot, app, EditScreen)
        assert not fake_glm.requests
        await open_editor()
        app.screen.query_one("#edit-input").load_text("Hello again")  # type: ignore[attr-defined]
        await pilot.press("tab", "enter")  # on Send
        await closed(pilot, app, EditScreen)
        await wait_until(pilot, lambda: fake_glm.requests, what="the request")
        await wait_idle(pilot, app)
        assert fake_glm.requests[0].json["messages"][-1]["content"] == "Hello again"


# -- the first-run screen and help --------------------------------------------------------------


async def test_welcome_from_the_keyboard(tui: Tui, tmp_path: Path) -> None:
    settings = ui_settings(tmp_path, provider="aimlapi", base_url=None, model=None, api_key=None)
    async with tui(settings=settings, wait=False) as (app, pilot):
        await wait_screen(pilot, app, WelcomeScreen)
        assert "Tab" in screen_text(app)
        await goes_round(pilot, app, ["demo", "settings", "browse", "quit"])
        await pilot.press("tab", "tab")  # on Browse
        await pilot.press("enter")
        await closed(pilot, app, WelcomeScreen)
        assert not app.settings.is_demo and app.focused is app.main.composer


@pytest.mark.parametrize("size", [(80, 24), (20, 8)])
async def test_help_scrolls_and_closes_on_a_small_terminal(tui: Tui, size: tuple[int, int]) -> None:
    async with tui(size=size) as (app, pilot):
        await pilot.press("f1")
        screen = await wait_screen(pilot, app, HelpScreen)
        scroller = screen.query_one("#help-dialog")
        assert scroller.max_scroll_y > 0
        await pilot.press("end")
        await wait_until(pilot, lambda: scroller.scroll_y == scroller.max_scroll_y)
        await pilot.press("escape")
        await closed(pilot, app, HelpScreen)


async def test_f1_closes_the_help_it_opened(tui: Tui) -> None:
    """The app's F1 (a priority key) reaches the help screen first: it closes the help there,
    as the help's own Escape and q do."""
    async with tui(size=(80, 24)) as (app, pilot):
        await pilot.press("f1")
        await wait_screen(pilot, app, HelpScreen)
        await pilot.press("f1")
        await closed(pilot, app, HelpScreen)
        assert app.screen is app.main


# -- small terminals ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (20, 8)])
async def test_every_dialog_is_usable_on_a_small_terminal(
    tui: Tui, tmp_path: Path, store: Store, size: tuple[int, int]
) -> None:
    """Each focusable widget of each dialog is in view when Tab reaches it; Escape closes it."""
    cid = seed_conversation(store, "Kyoto", [("a", "b", None)], updated_at="2024-03-14T14:00:00Z")
    settings = ui_settings(tmp_path, provider="aimlapi", base_url=None, model=None, api_key=None)
    async with tui(size=size, settings=settings, wait=False) as (app, pilot):

        async def check(kind: type[Screen[Any]], count: int) -> None:
            screen = await wait_screen(pilot, app, kind)
            for _ in range(count):
                focused = app.focused
                assert focused is not None and focused.region.area > 0, focused
                assert screen.region.contains_region(focused.region), focused
                await pilot.press("tab")
                await pilot.pause()
            await pilot.press("escape")
            await closed(pilot, app, kind)

        await check(WelcomeScreen, 4)
        await app.run_action("use_demo")
        await app.main.open_conversation(cid)
        await pilot.press("f2")
        await check(RenameScreen, 3)
        app.main.conversations.confirm_delete(cid)
        await check(ConfirmScreen, 2)
        app.main.pane.select(app.main.pane.message_widgets()[0])
        await wait_until(pilot, lambda: app.main.pane.selected is not None, what="a selection")
        await pilot.press("e")
        await check(EditScreen, 3)
        assert len(store.list_conversations()) == 1
