"""First run without a key: the welcome screen, then the demo model works."""

from __future__ import annotations

from pathlib import Path

from glm_tui.store import Store
from glm_tui.ui.message_widgets import AssistantMessage
from glm_tui.ui.welcome import WelcomeScreen
from tests.ui_helpers import (
    SIZE,
    make_app,
    screen_text,
    send,
    shows,
    ui_settings,
    wait_idle,
    wait_until,
)


async def test_welcome_without_a_key_then_demo(tmp_path: Path) -> None:
    settings = ui_settings(tmp_path, provider="aimlapi", base_url=None, model=None, api_key=None)
    with Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
            await shows(pilot, "GLM_TUI_API_KEY")
            text = screen_text(app)
            for needed in ("AIMLAPI_API_KEY", "ZAI_API_KEY", "GLM_TUI_API_KEY", "config.toml"):
                assert needed in text
            await pilot.press("d")
            await wait_until(pilot, lambda: not isinstance(app.screen, WelcomeScreen))
            assert app.settings.is_demo
            assert app.service.settings.is_demo
            await shows(pilot, "GLM-4.7 demo (offline)")
            assert app.focused is app.composer
            await send(pilot, app, "Hello demo")
            await wait_idle(pilot, app, timeout=30)
            reply = app.query_one(AssistantMessage)
            assert reply.message.status == "complete"
            assert reply.answer.source
            assert store.get_message(reply.message.id).content == reply.answer.source


async def test_browsing_without_a_key_keeps_the_prompt(tmp_path: Path) -> None:
    settings = ui_settings(tmp_path, provider="aimlapi", base_url=None, model=None, api_key=None)
    with Store.open(settings.db_path) as store:
        app = make_app(settings, store)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
            await pilot.press("escape")  # browse the history
            await wait_until(pilot, lambda: not isinstance(app.screen, WelcomeScreen))
            await send(pilot, app, "Not sent")
            await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
            assert app.composer.text == "Not sent"
            assert store.list_conversations() == []
