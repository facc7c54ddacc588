"""Slash commands in the composer: the completion list, running a command through the session,
a library prompt (its variables asked for in a form), and one clear message for what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from glm_tui.store import Store
from glm_tui.ui.app import GLMApp
from glm_tui.ui.screens.choice_dialog import ChoiceScreen
from glm_tui.ui.screens.prompt_form import PromptFormScreen
from glm_tui.ui.widgets.slash_list import SlashList
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import (
    seed_conversation,
    send,
    type_text,
    wait_idle,
    wait_until,
)


def listed(app: GLMApp) -> list[str]:
    completion = app.main.query_one(SlashList)
    return [c.name for c in completion.commands] if completion.shown else []


async def notified(pilot: Any, app: GLMApp, text: str) -> None:
    await wait_until(pilot, lambda: any(text in n.message for n in app._notifications), what=text)


async def test_slash_lists_the_commands_and_tab_completes(tui: Tui, store: Store) -> None:
    cid = seed_conversation(store, "Owls", [("Hi", "Hello", None)], updated_at="2024-03-14Z")
    async with tui(open=cid) as (app, pilot):
        main = app.main
        main.composer.focus()
        await pilot.press("slash")
        await wait_until(pilot, lambda: len(listed(app)) > 8)
        assert listed(app)[:8] == [
            "model", "system", "title", "thinking", "tag", "export", "clear", "help"
        ]  # fmt: skip
        assert {"translate", "reviewer", "summarize"} <= set(listed(app))  # the library's
        await type_text(pilot, "ti")
        await wait_until(pilot, lambda: listed(app) == ["title"])
        await pilot.press("tab")
        await wait_until(pilot, lambda: main.composer.text == "/title ")
        assert listed(app) == []
        await type_text(pilot, "Night owls")
        await pilot.press("enter")
        await wait_until(pilot, lambda: store.get_conversation(cid).title == "Night owls")
        await wait_until(pilot, lambda: main.composer.text == "")
        await notified(pilot, app, "Renamed.")
        # Down and Enter: the second of the list; Enter on a whole name runs it.
        await pilot.press("slash", "t")
        await wait_until(pilot, lambda: listed(app)[:3] == ["title", "thinking", "tag"])
        await pilot.press("down", "down", "enter")
        await wait_until(pilot, lambda: main.composer.text == "/tag ")
        main.composer.load_text("/clear")
        await wait_until(pilot, lambda: listed(app) == ["clear"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.session.current_id is None)
        # Escape puts the list away; the text stays.
        await pilot.press("slash")
        await wait_until(pilot, lambda: listed(app) != [])
        await pilot.press("escape")
        await wait_until(pilot, lambda: listed(app) == [])
        assert main.composer.text == "/"


async def test_an_unknown_command_says_so_and_sends_nothing(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("It is a path."))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "/nope what")
        await notified(pilot, app, "Unknown command /nope: /help lists the commands")
        assert app.main.composer.text == "/nope what" and fake_glm.requests == []
        await send(pilot, app, "/thinking maybe")
        await notified(pilot, app, "Usage: /thinking on|off")
        await send(pilot, app, "//usr/bin is a path")  # // sends a line starting with /
        await wait_idle(pilot, app)
        assert fake_glm.requests[0].json["messages"][-1]["content"] == "/usr/bin is a path"


async def test_a_prompt_with_a_variable_asks_for_it_in_a_form(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("Hello"))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "/translate bonjour")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptFormScreen))
        await type_text(pilot, "English")
        await pilot.press("enter")
        await wait_idle(pilot, app)
        sent = fake_glm.requests[0].json["messages"][-1]["content"]
        assert sent.startswith("Translate the text below into English.") and "bonjour" in sent
        assert app.main.composer.text == ""


async def test_help_lists_the_commands_and_a_broken_prompt_is_named(
    tui: Tui, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "config.toml"
    (config.parent / "prompts").mkdir(parents=True)
    broken = config.parent / "prompts" / "broken.md"
    broken.write_text("---\nnope: 1\n---\nText\n")
    async with tui(config_path=config) as (app, pilot):
        await notified(pilot, app, f"{broken}: unknown front matter key 'nope'")
        await send(pilot, app, "/help")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "enter")  # /system
        await wait_until(pilot, lambda: app.main.composer.text == "/system ")


async def test_the_builtin_commands_change_the_conversation(
    tui: Tui, fake_glm: FakeGLM, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_glm.enqueue(zai_stream("First."), zai_stream("Second."))
    monkeypatch.chdir(tmp_path)  # /export writes to the working directory
    async with tui(fake_glm.base_url) as (app, pilot):
        main = app.main
        await send(pilot, app, "/model glm-4.5-air")
        await notified(pilot, app, "The next conversation uses glm-4.5-air.")
        await send(pilot, app, "/system Answer in one word.")
        await notified(pilot, app, "The next conversation starts with this system prompt.")
        await send(pilot, app, "/thinking off")
        await notified(pilot, app, "Thinking off for the next requests.")
        await send(pilot, app, "Hello")
        await wait_idle(pilot, app)
        body = fake_glm.requests[0].json
        assert body["model"] == "glm-4.5-air"
        assert body["messages"][0] == {"role": "system", "content": "Answer in one word."}
        cid = main.session.current_id
        assert cid is not None
        await send(pilot, app, "/tag work -nothing")
        await notified(pilot, app, "Tags: #work")
        assert store.conversation_summary(cid).tags == ("work",)
        await send(pilot, app, "/export json")
        await wait_until(pilot, lambda: list(tmp_path.glob("glm-tui-*.json")))
        await notified(pilot, app, "Saved in ")
        await send(pilot, app, "/title")
        await notified(pilot, app, "Usage: /title TEXT")
        assert main.composer.text == "/title"
