"""First run without a key: the welcome screen, then the demo model works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from glm_tui.config import Settings
from glm_tui.store import Store
from glm_tui.ui.screens.settings import SettingsScreen
from glm_tui.ui.screens.welcome import WelcomeScreen
from glm_tui.ui.widgets.messages import AssistantMessage
from tests.app_fixture import Tui
from tests.ui_helpers import (
    screen_text,
    send,
    shows,
    ui_settings,
    wait_idle,
    wait_until,
)


def key_less(tmp_path: Path, **changes: Any) -> Settings:
    """Settings without a key, nor a model or an address: the app's first run."""
    return ui_settings(
        tmp_path, provider="aimlapi", base_url=None, model=None, api_key=None, **changes
    )


async def test_welcome_without_a_key_then_demo(tui: Tui, store: Store, tmp_path: Path) -> None:
    async with tui(settings=key_less(tmp_path), wait=False) as (app, pilot):
        await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await shows(pilot, "GLM_TUI_API_KEY")
        text = screen_text(app)
        for needed in ("AIMLAPI_API_KEY", "ZAI_API_KEY", "GLM_TUI_API_KEY", "config.toml"):
            assert needed in text
        await pilot.press("d")
        await wait_until(pilot, lambda: not isinstance(app.screen, WelcomeScreen))
        assert app.settings.is_demo
        assert app.session.service.settings.is_demo
        await shows(pilot, "GLM-4.7 demo (offline)")
        assert app.focused is app.main.composer
        await send(pilot, app, "Hello demo")
        await wait_idle(pilot, app)
        reply = app.query_one(AssistantMessage)
        assert reply.message.status == "complete"
        assert reply.answer.source
        assert store.get_message(reply.message.id).content == reply.answer.source


async def test_browsing_without_a_key_keeps_the_prompt(
    tui: Tui, store: Store, tmp_path: Path
) -> None:
    async with tui(settings=key_less(tmp_path), wait=False) as (app, pilot):
        await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("escape")  # browse the history
        await wait_until(pilot, lambda: not isinstance(app.screen, WelcomeScreen))
        await send(pilot, app, "Not sent")
        await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        assert app.main.composer.text == "Not sent"
        assert store.list_conversations() == []


async def test_the_welcome_screen_and_the_notice_name_f3_where_a_key_is_typed(
    tui: Tui, tmp_path: Path
) -> None:
    settings = key_less(tmp_path, config_path=tmp_path / "config.toml")
    async with tui(settings=settings, wait=False) as (app, pilot):
        await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await shows(pilot, "GLM_TUI_API_KEY")
        assert "Press F3 to type a key" in " ".join(screen_text(app).split())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, WelcomeScreen))
        notices: list[str] = []
        app.notify = lambda message, **kw: notices.append(str(message))  # type: ignore[method-assign,assignment]
        await send(pilot, app, "Not sent")
        await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        assert any("no api key" in n.lower() and "F3" in n for n in notices), notices

        # F3 on the welcome screen opens the settings; the key typed there is used at once.
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        app.screen.query_one("#api_key", Input).value = "sk-typed-1234"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        assert app.settings.api_key == "sk-typed-1234"
        assert app.settings.request_problem() is None
        assert 'api_key = "sk-typed-1234"' in (tmp_path / "config.toml").read_text()
