"""The settings screen (F3): valid values saved to config.toml and applied, wrong ones refused."""

from __future__ import annotations

import stat
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, Static, Switch, TextArea

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp, create_app
from glm_tui.ui.screens.settings import SettingsScreen
from glm_tui.ui.screens.settings_form import check_form
from glm_tui.ui.widgets.status_line import StatusLine
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    fixed_clock,
    screen_text,
    seed_conversation,
    send,
    started,
    ui_settings,
    wait_idle,
    wait_until,
)

SIZE = (120, 40)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """Where the settings screen saves (not there yet)."""
    return tmp_path / "config" / "config.toml"


@pytest.fixture
def settings_app(tui: Tui, config_file: Path) -> Tui:
    """The app with its own config file: ``async with settings_app() as (app, pilot)``."""
    return partial(tui, config_path=config_file)


async def open_settings(pilot: Any, app: GLMApp) -> SettingsScreen:
    await pilot.press("f3")
    await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen), what="the settings")
    await pilot.pause()
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def type_into(
    pilot: Any, screen: SettingsScreen, field: str, text: str, *, keys: bool = False
) -> None:
    """Focus a field and replace its text (as a paste would; ``keys``: typed key by key)."""
    widget = screen.query_one(f"#{field}")
    widget.focus()
    await pilot.pause()
    if isinstance(widget, Input):
        widget.value = ""
        if keys:
            await pilot.press(*text)
        else:
            widget.insert_text_at_cursor(text)
    elif isinstance(widget, TextArea):
        widget.clear()
        widget.insert(text)
    await pilot.pause()


def error_text(screen: SettingsScreen, field: str) -> str:
    label = screen.query_one(f"#error-{field}", Static)
    return str(label.render()) if label.has_class("-shown") else ""


# -- checking the form (no terminal) ---------------------------------------------------------


def test_unchanged_fields_are_not_written() -> None:
    initial = {"temperature": "", "model": "glm-4.7", "thinking": True}
    result = check_form(initial, dict(initial))
    assert result.settings == {} and result.errors == {}


def test_changed_fields_are_checked_and_converted() -> None:
    initial = {"temperature": "", "max_tokens": "100", "model": "glm-4.7", "base_url": "x"}
    current = {"temperature": " 0.5 ", "max_tokens": "", "model": "glm-4.6", "base_url": "x"}
    result = check_form(initial, current)
    assert result.errors == {}
    assert result.settings == {"temperature": 0.5, "max_tokens": None, "model": "glm-4.6"}


def test_wrong_values_are_refused_one_by_one() -> None:
    initial = {"temperature": "", "top_p": "", "base_url": "", "conversation_model": "m"}
    current = {
        "temperature": "hot",
        "top_p": "1.5",
        "base_url": "ftp://x",
        "conversation_model": "",
    }
    result = check_form(initial, current)
    assert set(result.errors) == {"temperature", "top_p", "base_url", "conversation_model"}
    assert "temperature must be a number" in result.errors["temperature"]
    assert "between 0 and 1" in result.errors["top_p"]
    assert "conversation_model" not in result.conversation


# -- the screen ------------------------------------------------------------------------------


async def test_valid_values_are_saved_applied_and_used(
    settings_app: Tui, config_file: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("Short answer."))
    async with settings_app(fake_glm.base_url) as (app, pilot):
        screen = await open_settings(pilot, app)
        await type_into(pilot, screen, "model", "glm-4.7-flash")
        await type_into(pilot, screen, "temperature", "0.7", keys=True)
        await type_into(pilot, screen, "top_p", "0.9")
        await type_into(pilot, screen, "max_tokens", "2048")
        await type_into(pilot, screen, "system_prompt", "Be brief.")
        screen.query_one("#thinking", Switch).focus()
        await pilot.press("space")  # thinking off
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, SettingsScreen), what="close")

        saved = tomllib.loads(config_file.read_text(encoding="utf-8"))
        assert saved == {
            "model": "glm-4.7-flash",
            "thinking": False,
            "temperature": 0.7,
            "top_p": 0.9,
            "max_tokens": 2048,
            "system_prompt": "Be brief.",
        }
        assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
        assert app.settings.model == "glm-4.7-flash"
        assert app.session.service.settings.temperature == 0.7
        assert app.session.thinking is False
        status = str(app.query_one(StatusLine).render())
        assert "glm-4.7-flash" in status and "thinking off" in status

        await send(pilot, app, "Hello")
        await wait_idle(pilot, app)
    body = fake_glm.requests[0].json
    assert body["model"] == "glm-4.7-flash"
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.9, 2048)
    assert body["thinking"] == {"type": "disabled"}
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_invalid_values_are_refused_and_nothing_is_written(
    settings_app: Tui, config_file: Path
) -> None:
    async with settings_app() as (app, pilot):
        screen = await open_settings(pilot, app)
        await type_into(pilot, screen, "model", "glm-4.6")  # valid, but not saved alone
        await type_into(pilot, screen, "temperature", "hot", keys=True)
        await type_into(pilot, screen, "max_tokens", "-5")
        await type_into(pilot, screen, "base_url", "ftp://example.com")
        await pilot.click("#save")
        await pilot.pause()
        assert app.screen is screen  # still open
        assert "temperature must be a number" in error_text(screen, "temperature")
        assert "max_tokens must be between 1 and 131072" in error_text(screen, "max_tokens")
        assert "must start with http:// or https://" in error_text(screen, "base_url")
        assert error_text(screen, "model") == ""
        assert "Nothing was saved: 3 values are wrong." in screen_text(app)
        assert screen.query_one("#base_url").has_class("-invalid")
        assert app.focused is screen.query_one("#base_url")  # the first wrong field
        assert not config_file.exists()
        assert app.settings.model == "glm-4.7"

        # Fixed: saved at once.
        await type_into(pilot, screen, "temperature", "1")
        await type_into(pilot, screen, "max_tokens", "")
        await type_into(pilot, screen, "base_url", "http://127.0.0.1:9/v2")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not screen, what="the screen to close")
    saved = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert saved == {"model": "glm-4.6", "temperature": 1.0, "base_url": "http://127.0.0.1:9/v2"}


async def test_escape_discards(settings_app: Tui, config_file: Path) -> None:
    async with settings_app() as (app, pilot):
        screen = await open_settings(pilot, app)
        await type_into(pilot, screen, "temperature", "0.3")
        screen.query_one("#temperature").blur()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not screen, what="the screen to close")
        assert app.settings.temperature is None
        assert app.focused is not None
    assert not config_file.exists()


async def test_the_key_is_never_shown_and_a_new_one_is_saved_privately(
    settings_app: Tui, config_file: Path
) -> None:
    secret = "sk-live-0123456789abcdef"
    sources = {"api_key": "env GLM_TUI_API_KEY"}
    async with settings_app(api_key=secret, sources=sources) as (app, pilot):
        screen = await open_settings(pilot, app)
        text = screen_text(app)
        assert secret not in text and "cdef" in text and "GLM_TUI_API_KEY" in text
        new_key = "sk-new-key-9876543210zz"
        await type_into(pilot, screen, "api_key", new_key)
        assert new_key not in screen_text(app)  # a password field
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not screen, what="the screen to close")
        assert app.settings.api_key == new_key
        assert app.session.service.settings.api_key == new_key
    assert tomllib.loads(config_file.read_text())["api_key"] == new_key
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


async def test_provider_and_theme_are_chosen_from_lists(
    settings_app: Tui, config_file: Path
) -> None:
    async with settings_app() as (app, pilot):
        screen = await open_settings(pilot, app)
        screen.query_one("#provider", Select).value = "zai"
        await pilot.pause()
        assert screen.query_one("#model", Input).placeholder == "glm-4.7"
        await type_into(pilot, screen, "base_url", "")
        await type_into(pilot, screen, "model", "")
        screen.query_one("#theme", Select).value = "glm-light"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not screen, what="the screen to close")
        assert app.theme == "glm-light"
        assert app.settings.provider == "zai"
        assert app.settings.effective_model == "glm-4.7"
        assert app.settings.api_key is None  # the openai key was for the other provider
    saved = tomllib.loads(config_file.read_text())
    assert saved == {"provider": "zai", "theme": "glm-light"}


async def test_the_conversation_model_and_prompt_are_saved_in_the_history(
    settings_app: Tui, config_file: Path, fake_glm: FakeGLM, store: Store
) -> None:
    cid = seed_conversation(
        store, "Kyoto trip", [("Plan a day", "Morning: Fushimi Inari.", None)], updated_at="x"
    )
    fake_glm.enqueue(zai_stream("Evening: Gion."))
    async with settings_app(fake_glm.base_url, open=cid) as (app, pilot):
        screen = await open_settings(pilot, app)
        assert "This conversation: Kyoto trip" in screen_text(app)

        await type_into(pilot, screen, "conversation_model", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "model must not be empty" in error_text(screen, "conversation_model")
        assert store.get_conversation(cid).model == "glm-4.7"

        await type_into(pilot, screen, "conversation_model", "glm-4.5-air")
        await type_into(pilot, screen, "conversation_system_prompt", "You are a travel guide.")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not screen, what="the screen to close")
        conversation = store.get_conversation(cid)
        assert conversation.model == "glm-4.5-air"
        assert conversation.system_prompt == "You are a travel guide."
        assert not config_file.exists()  # only the conversation changed

        await send(pilot, app, "And the evening?")
        await wait_idle(pilot, app)
    body = fake_glm.requests[0].json
    assert body["model"] == "glm-4.5-air"
    assert body["messages"][0] == {"role": "system", "content": "You are a travel guide."}


async def test_a_file_that_cannot_be_written_is_reported(settings_app: Tui, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    async with settings_app(config_path=blocker / "config.toml") as (app, pilot):
        screen = await open_settings(pilot, app)
        await type_into(pilot, screen, "temperature", "0.2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "Nothing was saved" in screen_text(app)
        assert app.settings.temperature is None


# -- snapshot --------------------------------------------------------------------------------


def test_settings_snapshot(tmp_path: Path, snap_compare: Any) -> None:
    store = Store.open(tmp_path / "history.db")
    cid = seed_conversation(
        store,
        "Context managers in Python",
        [("How do I write one?", "Use `contextlib.contextmanager`.", None)],
        updated_at="2024-03-14T14:30:00Z",
    )
    settings = ui_settings(
        tmp_path,
        "https://llm.example.com/v1",
        api_key="sk-test-000000001234",
        temperature=0.6,
        system_prompt="Answer briefly; use Markdown.",
        sources={"api_key": "env GLM_TUI_API_KEY"},
    )
    app = create_app(settings, store=store, now=fixed_clock)

    async def open_it(pilot: Any) -> None:
        await started(pilot)
        await app.main.open_conversation(cid)
        await open_settings(pilot, app)
        for area in app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=open_it)
    finally:
        store.close()
