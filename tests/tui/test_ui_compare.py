"""Compare in the TUI: palette "Compare models…", mark the models, the replies stream side by
side in columns, choose one to continue with; Escape stops them all; small terminals stack."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.compare import CompareScreen
from glm_tui.ui.screens.dialogs import ConfirmScreen
from glm_tui.ui.screens.model_picker import CompareModelsScreen
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, ModelsEndpoint, aimlapi_models, gated_stream, zai_stream
from tests.tui.test_ui_money import spent
from tests.tui.test_ui_palette import run_command
from tests.ui_helpers import (
    screen_text,
    shows,
    type_text,
    wait_idle,
    wait_until,
)

MODELS = ("zhipu/glm-4.7", "openai/gpt-5", "o3-mini")


@pytest.fixture
def compare_app(tui: Tui, tmp_path: Path, fake_glm: FakeGLM) -> Tui:
    """The app against the fake server listing AI/ML API's models, its own config file."""
    fake_glm.models = ModelsEndpoint(aimlapi_models())
    return partial(tui, fake_glm.base_url, config_path=tmp_path / "config.toml")


def gates_for(fake: FakeGLM, models: tuple[str, ...]) -> list[threading.Event]:
    """Each model writes its first words, then waits for its gate."""
    gates = [threading.Event() for _ in models]
    for model, gate in zip(models, gates, strict=True):
        fake.enqueue_for(model, gated_stream(f"From {model}: ", "the rest.", gate))
    return gates


def columns(app: GLMApp) -> CompareScreen:
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    return screen


async def start_compare(
    pilot: Any, app: GLMApp, prompt: str, models: tuple[str, ...], *, marks: str = "tab"
) -> CompareScreen:
    """Write the prompt, palette "Compare models…", mark ``models`` (typed, then Tab), Enter."""
    app.main.composer.load_text(prompt)
    await run_command(pilot, app, "compare", "Compare models…")
    await wait_until(pilot, lambda: isinstance(app.screen, CompareModelsScreen), what="picker")
    picker = app.screen
    assert isinstance(picker, CompareModelsScreen)
    await wait_until(pilot, lambda: not picker.fetching, what="the list")
    for model in models:
        picker.filter_input.value = ""
        await type_text(pilot, model)
        await wait_until(pilot, lambda m=model: picker.highlighted_id() == m, what=model)
        await pilot.press(marks)
    assert picker.marked == list(models)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), what="the columns")
    return columns(app)


async def test_three_models_stream_side_by_side_and_one_is_chosen(
    compare_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    gates = gates_for(fake_glm, MODELS)
    async with compare_app(size=(150, 40)) as (app, pilot):
        screen = await start_compare(pilot, app, "Which sort is fastest?", MODELS)
        assert app.main.composer.text == ""  # sent
        # All three columns show their first words while none has finished: side by side.
        for model in MODELS:
            await shows(pilot, f"From {model}:")
        regions = [column.region for column in screen.columns]
        assert regions[0].y == regions[1].y == regions[2].y
        assert regions[0].x < regions[1].x < regions[2].x
        text = screen_text(app)
        for number, model in enumerate(MODELS, start=1):
            assert f"{number}  {model}" in text  # each column's header
        assert "writing…" in text and "Esc: stop them all" in text
        assert app.session.status().writing == 3

        await pilot.press("2", "enter")  # continue with this one, while they stream
        await shows(pilot, "✓ continue with this one")
        for gate in gates:
            gate.set()
        await wait_until(pilot, lambda: screen.done, what="every reply")
        await wait_idle(pilot, app)
        assert isinstance(app.screen, CompareScreen)  # still there, to read them
        await shows(pilot, "Esc: close")
        for model in MODELS:
            await shows(pilot, f"From {model}: the rest.")
        cid = app.session.current_id
        assert cid is not None
        user = next(m for m in store.current_path(cid) if m.role == "user")
        replies = store.children(user.id)
        assert [(r.model, r.status) for r in replies] == [(m, "complete") for m in MODELS]
        assert store.get_conversation(cid).model == "openai/gpt-5"
        assert store.get_conversation(cid).current_leaf_id == replies[1].id
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CompareScreen), what="close")
        await shows(pilot, "From openai/gpt-5: the rest.")  # the branch shown
        await shows(pilot, "‹ 2/3 ›")
        assert app.focused is app.main.composer

        fake_glm.enqueue(zai_stream("Next from GPT."))
        app.main.composer.load_text("And then?")
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert fake_glm.chat_requests()[-1].json["model"] == "openai/gpt-5"


async def test_enter_after_they_finish_continues_with_that_one_and_closes(
    compare_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    for model in MODELS[:2]:
        fake_glm.enqueue_for(model, zai_stream(f"Answer of {model}."))
    async with compare_app(size=(150, 40)) as (app, pilot):
        screen = await start_compare(pilot, app, "Pick one", MODELS[:2])
        await wait_until(pilot, lambda: screen.done, what="both replies")
        await wait_idle(pilot, app)
        await pilot.press("right", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, CompareScreen), what="close")
        cid = app.session.current_id
        assert cid is not None
        assert store.get_conversation(cid).model == "openai/gpt-5"
        await shows(pilot, "Answer of openai/gpt-5.")
        assert "Answer of zhipu/glm-4.7." not in screen_text(app)


async def test_escape_stops_them_all_and_each_is_kept_stopped(
    compare_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    gates_for(fake_glm, MODELS[:2])  # never opened
    async with compare_app(size=(150, 40)) as (app, pilot):
        screen = await start_compare(pilot, app, "Long answers please", MODELS[:2])
        for model in MODELS[:2]:
            await shows(pilot, f"From {model}:")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.done, what="both stopped")
        await wait_idle(pilot, app)
        cid = app.session.current_id
        assert cid is not None
        user = next(m for m in store.current_path(cid) if m.role == "user")
        assert [r.status for r in store.children(user.id)] == ["stopped", "stopped"]
        await shows(pilot, "Esc: close")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CompareScreen), what="close")


async def test_on_a_small_terminal_the_columns_stack(compare_app: Tui, fake_glm: FakeGLM) -> None:
    gates = gates_for(fake_glm, MODELS)
    async with compare_app(size=(80, 40)) as (app, pilot):
        screen = await start_compare(pilot, app, "Stacked?", MODELS)
        for model in MODELS:
            await shows(pilot, f"From {model}:")
        assert screen.has_class("-stacked")
        regions = [column.region for column in screen.columns]
        assert regions[0].x == regions[1].x == regions[2].x
        assert regions[0].y < regions[1].y < regions[2].y
        for gate in gates:
            gate.set()
        await wait_until(pilot, lambda: screen.done, what="every reply")
        await wait_idle(pilot, app)


async def test_compare_needs_a_prompt_and_two_models(compare_app: Tui, fake_glm: FakeGLM) -> None:
    async with compare_app(notifications=True) as (app, pilot):
        await run_command(pilot, app, "compare", "Compare models…")
        await wait_until(
            pilot,
            lambda: any(
                "Write the prompt in the composer" in str(n.message) for n in app._notifications
            ),
        )
        assert not isinstance(app.screen, CompareModelsScreen)

        app.main.composer.load_text("Hello")
        await run_command(pilot, app, "compare", "Compare models…")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareModelsScreen))
        picker = app.screen
        assert isinstance(picker, CompareModelsScreen)
        await wait_until(pilot, lambda: not picker.fetching, what="the list")
        await pilot.press("enter")  # marks the highlighted one: one is not enough
        assert len(picker.marked) == 1 and isinstance(app.screen, CompareModelsScreen)
        await pilot.press("down", "tab", "down", "tab", "down", "tab")
        assert len(picker.marked) == 3  # the fourth was refused
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CompareModelsScreen))
        assert fake_glm.chat_requests() == []
        assert app.main.composer.text == "Hello"


async def test_past_the_budget_a_compare_asks_first(
    compare_app: Tui, fake_glm: FakeGLM, store: Store
) -> None:
    spent(store, "Spend", ("zhipu/glm-4.7", 12.0, 1000))
    async with compare_app(size=(150, 40), budget_usd=10.0) as (app, pilot):
        app.main.composer.load_text("Worth it?")
        await run_command(pilot, app, "compare", "Compare models…")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareModelsScreen))
        picker = app.screen
        assert isinstance(picker, CompareModelsScreen)
        await wait_until(pilot, lambda: not picker.fetching, what="the list")
        picker.marked = list(MODELS[:2])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert not isinstance(app.screen, CompareScreen)
        assert fake_glm.chat_requests() == []
        assert app.main.composer.text == "Worth it?"
