"""The model picker (F4, palette "Model") against the fake server's model list, in the real app."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from glm_tui.config import read_config_file
from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.help import HelpScreen
from glm_tui.ui.screens.model_picker import ModelPickerScreen
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, ModelsEndpoint, aimlapi_models, zai_stream
from tests.tui.test_ui_palette import run_command
from tests.ui_helpers import (
    screen_text,
    seed_conversation,
    send,
    shows,
    type_text,
    wait_idle,
    wait_until,
)


@pytest.fixture
def picker_app(tui: Tui, tmp_path: Path, fake_glm: FakeGLM) -> Tui:
    """The app against the fake server listing AI/ML API's models, its own config file."""
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    return partial(tui, fake_glm.base_url, config_path=tmp_path / "config.toml")


def picker(app: GLMApp) -> ModelPickerScreen:
    screen = app.screen
    assert isinstance(screen, ModelPickerScreen)
    return screen


def rows(app: GLMApp) -> list[str]:
    options = picker(app).query_one("#model-list", OptionList)
    return [str(options.get_option_at_index(i).id) for i in range(options.option_count)]


def highlighted(app: GLMApp) -> str | None:
    return picker(app).highlighted_id()


def notified(app: GLMApp, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def open_picker(pilot: Any, app: GLMApp) -> None:
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen), what="the picker")
    await wait_until(pilot, lambda: not picker(app).fetching, what="the list")


async def test_f4_lists_the_providers_models_filters_them_and_sets_the_conversations(
    picker_app: Tui, tmp_path: Path, fake_glm: FakeGLM, store: Store
) -> None:
    cid = seed_conversation(store, "Chat", [("q", "a", None)], updated_at="2024-03-14T12:00:00Z")
    async with picker_app(open=cid) as (app, pilot):
        await open_picker(pilot, app)
        # The current model (glm-4.7, an alias of zhipu/glm-4.7) first: the model of the
        # conversations used last; then the provider's list, chat models first.
        assert rows(app)[:4] == ["zhipu/glm-4.7", "o3-mini", "openai/gpt-5", "odd/model"]
        assert highlighted(app) == "zhipu/glm-4.7"
        await shows(pilot, "● zhipu/glm-4.7")
        await shows(pilot, "200K ctx   131K out  $0.60 / $2.20 per M  tools")
        await shows(pilot, "openai/gpt-5")
        await shows(pilot, "$1.25 / $10.00 per M  vision tools")
        await shows(pilot, "price variants  image")
        await type_text(pilot, "gpt5")
        await wait_until(pilot, lambda: highlighted(app) == "openai/gpt-5", what="the match")
        assert rows(app)[0] == "openai/gpt-5"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModelPickerScreen))
        await wait_until(pilot, lambda: store.get_conversation(cid).model == "openai/gpt-5")
        await shows(pilot, "openai/gpt-5 · thinking on")  # the status line
        assert app.settings.model == "glm-4.7"  # new conversations keep theirs
        assert not (tmp_path / "config.toml").exists()

        fake_glm.enqueue(zai_stream("From GPT."))
        await send(pilot, app, "Next")
        await wait_idle(pilot, app)
        assert fake_glm.chat_requests()[-1].json["model"] == "openai/gpt-5"


async def test_up_down_move_escape_closes_and_nothing_changes(picker_app: Tui) -> None:
    async with picker_app() as (app, pilot):
        await open_picker(pilot, app)
        await pilot.press("down", "down")
        assert highlighted(app) == "openai/gpt-5"
        await pilot.press("up")
        assert highlighted(app) == "o3-mini"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModelPickerScreen))
        assert app.session.next_model() == "glm-4.7"
        assert app.focused is app.main.composer


async def test_ctrl_d_makes_it_the_default_for_new_conversations_too(
    picker_app: Tui, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    async with picker_app() as (app, pilot):
        await open_picker(pilot, app)
        await type_text(pilot, "o3")
        await wait_until(pilot, lambda: highlighted(app) == "o3-mini", what="the match")
        await pilot.press("ctrl+d")
        assert picker(app).also_default
        assert app.screen.focused is picker(app).filter_input  # the filter kept its text
        assert picker(app).filter_input.value == "o3"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.settings.model == "o3-mini", what="the default")
        assert read_config_file(tmp_path / "config.toml")["model"] == "o3-mini"
        await wait_until(pilot, lambda: notified(app, "o3-mini for this conversation and new"))
        await app.main.open_conversation(None)
        await shows(pilot, "o3-mini · thinking on")
        fake_glm.enqueue(zai_stream("From o3."))
        await send(pilot, app, "Hello")
        await wait_idle(pilot, app)
        assert fake_glm.chat_requests()[-1].json["model"] == "o3-mini"


async def test_a_model_the_list_does_not_know_can_be_typed(
    picker_app: Tui, fake_glm: FakeGLM
) -> None:
    async with picker_app() as (app, pilot):
        await open_picker(pilot, app)
        await type_text(pilot, "my-lab/[bold]x")
        await shows(pilot, "Use my-lab/[bold]x (an id the list does not have)")
        assert highlighted(app) == "my-lab/[bold]x"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.next_model() == "my-lab/[bold]x")
        await shows(pilot, "my-lab/[bold]x · thinking on")
        fake_glm.enqueue(zai_stream("Fine."))
        await send(pilot, app, "Hi")
        await wait_idle(pilot, app)
        assert fake_glm.chat_requests()[-1].json["model"] == "my-lab/[bold]x"


async def test_offline_without_a_list_the_picker_says_so_and_takes_a_typed_id(
    picker_app: Tui, fake_glm: FakeGLM
) -> None:
    fake_glm.models = ModelsEndpoint(status=503, message="down for a while")
    async with picker_app() as (app, pilot):
        await open_picker(pilot, app)
        await shows(pilot, "No list: the model list at")
        await shows(pilot, "Type the model's id.")
        assert rows(app) == ["glm-4.7"]  # the one in use is still there
        await shows(pilot, "not in the provider's list")


async def test_recently_used_models_come_first(picker_app: Tui, store: Store) -> None:
    seed_conversation(
        store, "Old", [("q", "a", None)], updated_at="2024-03-10T12:00:00Z", model="o3-mini"
    )
    seed_conversation(
        store, "New", [("q", "a", None)], updated_at="2024-03-14T12:00:00Z", model="openai/gpt-5"
    )
    async with picker_app() as (app, pilot):
        await open_picker(pilot, app)
        assert rows(app)[:4] == ["openai/gpt-5", "o3-mini", "zhipu/glm-4.7", "odd/model"]
        await shows(pilot, "recent")
        assert highlighted(app) == "zhipu/glm-4.7"  # the current one, wherever it is


async def test_the_palette_opens_the_picker(picker_app: Tui) -> None:
    async with picker_app() as (app, pilot):
        await run_command(pilot, app, "model", "Model")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen))


async def test_the_footer_and_f1_show_the_pickers_key(picker_app: Tui) -> None:
    async with picker_app() as (app, pilot):
        footer = screen_text(app).splitlines()[-1]
        assert "f4 Model" in footer
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.rows)  # type: ignore[attr-defined]
        assert rows["F4"] == "the model: of this conversation, or of new ones"
