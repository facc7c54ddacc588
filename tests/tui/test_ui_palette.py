"""The command palette (Ctrl+P): every app action, and opening a conversation by its title."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette

from glm_tui.config import Settings
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.help import HelpScreen
from glm_tui.ui.screens.settings import SettingsScreen
from tests.app_fixture import Tui
from tests.ui_helpers import seed_conversation, wait_until


@pytest.fixture(autouse=True)
def _demo_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")


def demo_settings(tmp_path: Path, **changes: Any) -> Settings:
    """Settings for the demo provider (no server), with the test's history and config file."""
    values: dict[str, Any] = {
        "provider": "demo",
        "db_path": tmp_path / "history.db",
        "config_path": tmp_path / "config" / "config.toml",
    }
    values.update(changes)
    return Settings(**values)


@pytest.fixture
def demo(tui: Tui, tmp_path: Path) -> Tui:
    """The app on the demo provider: ``async with demo() as (app, pilot)``."""
    return partial(tui, settings=demo_settings(tmp_path))


def palette_texts(app: GLMApp) -> list[str]:
    if not CommandPalette.is_open(app):
        return []
    options = app.screen.query_one(CommandList)
    return [
        options.get_option_at_index(i).hit.text or ""  # type: ignore[attr-defined]
        for i in range(options.option_count)
    ]


def highlighted(app: GLMApp) -> str | None:
    if not CommandPalette.is_open(app):
        return None
    options = app.screen.query_one(CommandList)
    if options.highlighted is None or options.highlighted >= options.option_count:
        return None
    return options.get_option_at_index(options.highlighted).hit.text  # type: ignore[attr-defined]


async def open_palette(pilot: Any, app: GLMApp) -> None:
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: CommandPalette.is_open(app), what="the palette")


async def run_command(pilot: Any, app: GLMApp, query: str, wanted: str) -> None:
    """Type ``query`` in the palette and run the command ``wanted`` once it is first."""
    await open_palette(pilot, app)
    await pilot.press(*query)
    await wait_until(pilot, lambda: highlighted(app) == wanted, what=f"{wanted!r} first")
    await pilot.press("enter")
    await wait_until(pilot, lambda: not CommandPalette.is_open(app), what="the palette to close")


ACTIONS = [
    "New conversation",
    "Toggle sidebar",
    "Search conversations",
    "Toggle thinking",
    "Stop the reply",
    "Settings",
    "Help",
    "Theme",
    "Quit",
]


async def test_the_palette_lists_every_action_and_recent_conversations(
    demo: Tui, store: Store
) -> None:
    cid = seed_conversation(
        store, "Plan a trip to Kyoto", [("q", "a", None)], updated_at="2024-03-14T10:00:00Z"
    )
    async with demo() as (app, pilot):
        await open_palette(pilot, app)
        await wait_until(pilot, lambda: "Settings" in palette_texts(app), what="the actions")
        texts = palette_texts(app)
        for action in ACTIONS:
            assert action in texts
        assert "Open conversation: Plan a trip to Kyoto" in texts
        assert "Delete conversation" not in texts  # no conversation is open
        assert len(texts) == len(set(texts))  # each once, though the app offers some too
        await pilot.press("escape")
        await wait_until(pilot, lambda: not CommandPalette.is_open(app), what="close")

        await app.main.open_conversation(cid)
        await open_palette(pilot, app)
        await wait_until(pilot, lambda: "Settings" in palette_texts(app), what="the actions")
        texts = palette_texts(app)
        for action in ["Delete conversation", "Rename conversation", "Regenerate reply"]:
            assert action in texts


async def test_open_a_conversation_by_title(demo: Tui, store: Store) -> None:
    seed_conversation(store, "Rust lifetimes", [("q", "a", None)], updated_at="2024-03-14T10:00Z")
    kyoto = seed_conversation(
        store, "Plan a trip to Kyoto", [("Where to?", "Arashiyama.", None)], updated_at="2024-03-01"
    )
    seed_conversation(
        store, "[bold]markup[/] is text", [("q", "a", None)], updated_at="2024-03-02T10:00Z"
    )
    async with demo() as (app, pilot):
        assert app.session.current_id is None
        await run_command(pilot, app, "kyoto", "Open conversation: Plan a trip to Kyoto")
        await wait_until(pilot, lambda: app.session.current_id == kyoto, what="the conversation")
        assert app.main.pane.conversation_id == kyoto
        assert app.focused is app.main.composer

        await open_palette(pilot, app)
        await pilot.press(*"markup")
        wanted = "Open conversation: [bold]markup[/] is text"
        await wait_until(pilot, lambda: highlighted(app) == wanted, what="the odd title")


async def test_actions_run_from_the_palette(demo: Tui) -> None:
    async with demo() as (app, pilot):
        await run_command(pilot, app, "sett", "Settings")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen), what="settings")
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, what="settings to close")

        assert app.main.sidebar.display
        await run_command(pilot, app, "sideb", "Toggle sidebar")
        await wait_until(pilot, lambda: not app.main.sidebar.display, what="the sidebar to hide")

        await run_command(pilot, app, "help", "Help")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")


async def test_ten_thousand_conversations_stay_fast(demo: Tui, store: Store) -> None:
    conn = store.db.conn
    rows = [
        (
            f"Notes {i}: {['python', 'rust', 'travel', 'cooking'][i % 4]} ideas",
            f"2024-01-01T{i:06d}",
        )
        for i in range(10_000)
    ]
    with conn:
        conn.executemany(
            "INSERT INTO conversations (title, provider, model, settings, created_at, updated_at)"
            " VALUES (?, 'demo', 'glm-4.7', '{}', ?, ?)",
            [(title, at, at) for title, at in rows],
        )
    target = seed_conversation(
        store, "Quarterly zebra budget", [("q", "a", None)], updated_at="2023-01-01T00:00:00Z"
    )
    async with demo() as (app, pilot):
        await open_palette(pilot, app)
        await pilot.press(*"zebra")
        wanted = "Open conversation: Quarterly zebra budget"
        await wait_until(pilot, lambda: highlighted(app) == wanted, what="the oldest one")
        # A query that matches nearly everything is capped, not listed in full.
        await pilot.press(*["backspace"] * 5, "o")
        await wait_until(pilot, lambda: len(palette_texts(app)) > 10, what="many hits")
        await pilot.pause(0.3)
        assert len(palette_texts(app)) <= 60
        await pilot.press(*["backspace"], *"zebra")
        await wait_until(pilot, lambda: highlighted(app) == wanted, what="the oldest one again")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.current_id == target, what="the conversation")
