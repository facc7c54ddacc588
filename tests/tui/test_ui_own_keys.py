"""Your own keys in the TUI: ``[keys]`` and ``keymap = "vi"`` give the bindings, F1, the footer
and the palette the keys in force; a wrong entry is a notification at the start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.widgets import OptionList

from glm_tui.config import load_settings
from glm_tui.store import Store
from glm_tui.ui.screens.help import HelpScreen
from glm_tui.ui.widgets.key_footer import KeyFooter
from tests.app_fixture import Tui
from tests.ui_helpers import (
    screen_text,
    seed_conversation,
    shows,
    ui_settings,
    wait_until,
)


def settings_from(tmp_path: Path, config: str) -> Any:
    """Settings for the fake server with the keys of a real config.toml."""
    path = tmp_path / "config.toml"
    path.write_text(config)
    keys = load_settings({"config_path": str(path)}, env={})
    return ui_settings(
        tmp_path,
        keymap=keys.keymap,
        key_overrides=keys.key_overrides,
        key_problems=keys.key_problems,
    )


def footer_keys(app: Any) -> list[str]:
    return [span.key for span in app.main.query_one(KeyFooter).key_spans]


async def test_rebound_keys_act_and_are_shown_everywhere(
    tui: Tui, tmp_path: Path, store: Store
) -> None:
    owls = seed_conversation(
        store, "Owls", [("Hi", "Hello", None)], updated_at="2024-03-14T14:00:00Z"
    )
    settings = settings_from(
        tmp_path,
        '[keys]\nnew_conversation = "f7"\ntoggle_sidebar = "f9"\nhelp = "f6"\n'
        'command_palette = "ctrl+k"\n',
    )
    async with tui(settings=settings, open=owls) as (app, pilot):
        main = app.main
        await pilot.pause()
        await pilot.press("ctrl+n")  # no longer a key
        await pilot.pause()
        assert main.session.current_id is not None
        await pilot.press("f7")
        await wait_until(pilot, lambda: main.session.current_id is None)
        await pilot.press("f9")
        await wait_until(pilot, lambda: not main.sidebar.display)
        await wait_until(pilot, lambda: "f9" in footer_keys(app) and "f7" in footer_keys(app))
        assert "ctrl+b" not in footer_keys(app) and "ctrl+l" not in footer_keys(app)
        text = screen_text(app)
        assert "^k palette" in text and "f6 Help" in text
        assert "F6 lists every key" in text  # the empty conversation's tips
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.rows)  # type: ignore[attr-defined]
        assert rows["F7"] == "new conversation" and "F9" in rows
        assert "Ctrl+N" not in rows
        # Each row names its action for [keys].
        assert ("F7", "new conversation", "new_conversation") in app.screen.entries  # type: ignore[attr-defined]
        await shows(pilot, "show / hide the sidebar")
        await pilot.press("escape")
        await pilot.press("ctrl+k")
        await wait_until(pilot, lambda: CommandPalette.is_open(app))
        await shows(pilot, "Start an empty conversation (F7)")


async def test_a_wrong_entry_is_one_notification_and_the_default_applies(
    tui: Tui, tmp_path: Path
) -> None:
    settings = settings_from(tmp_path, '[keys]\nquit = "q"\nnope = "f5"\n')
    async with tui(settings=settings) as (app, pilot):
        await wait_until(pilot, lambda: app._notifications)
        (note,) = list(app._notifications)
        assert note.title == "Keys" and note.severity == "warning"
        assert 'keys.quit = "q"' in note.message and 'keys.nope = "f5"' in note.message
        assert "ctrl+q" in footer_keys(app)


async def test_the_vi_keymap_in_the_sidebar_and_the_messages(
    tui: Tui, tmp_path: Path, store: Store
) -> None:
    for title in ("One", "Two", "Three"):
        seed_conversation(
            store,
            title,
            [("First question", "First answer", None), ("Second question", "Second", None)],
            updated_at="2024-03-14T14:00:00Z",
        )
    async with tui(settings=settings_from(tmp_path, 'keymap = "vi"\n')) as (app, pilot):
        main = app.main
        options = main.sidebar.option_list
        options.focus()
        options.highlighted = 0
        await pilot.press("j")
        await wait_until(pilot, lambda: options.highlighted == 1)
        await pilot.press("G")
        await wait_until(pilot, lambda: options.highlighted == 2)
        await pilot.press("k")
        await wait_until(pilot, lambda: options.highlighted == 1)
        await pilot.press("g")
        await wait_until(pilot, lambda: options.highlighted == 0)
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.session.current_id is not None)
        pane = main.pane
        await wait_until(pilot, lambda: len(pane.message_widgets()) == 4)
        pane.select_last()
        await wait_until(pilot, lambda: pane.selected is pane.message_widgets()[-1])
        await pilot.press("k")
        await wait_until(pilot, lambda: pane.selected is pane.message_widgets()[-2])
        await pilot.press("g")
        await wait_until(pilot, lambda: pane.selected is pane.message_widgets()[0])
        await pilot.press("G")
        await wait_until(pilot, lambda: pane.selected is pane.message_widgets()[-1])
        await pilot.press("j")  # down from the last message: back to the composer
        await wait_until(pilot, lambda: main.focused is main.composer)
        pane.select_last()
        await wait_until(pilot, lambda: pane.selected is not None)
        await pilot.press("slash")
        await wait_until(pilot, lambda: main.focused is main.sidebar.search_input)
        assert isinstance(options, OptionList)


async def test_quit_moved_leaves_ctrl_q_free(tui: Tui, tmp_path: Path) -> None:
    """Textual's App binds Ctrl+Q to quit itself: moved in [keys], quit has only its new key."""
    async with tui(settings=settings_from(tmp_path, '[keys]\nquit = "ctrl+x"\n')) as (app, pilot):
        assert "ctrl+q" not in app.screen.active_bindings
        assert "ctrl+x" in footer_keys(app) and "ctrl+q" not in footer_keys(app)
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: not app.is_running)
