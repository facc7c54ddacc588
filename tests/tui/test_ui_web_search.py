"""Z.ai's web search in the TUI: the palette's toggle (saved in config.toml, offered in the next
request) and the numbered sources under the reply, shown as literal text."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from glm_tui.ui.widgets.messages import AssistantMessage
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, zai_stream
from tests.ui_helpers import send, shows, wait_idle

SOURCES = [
    {"title": "Pelicans [b]wiki[/b]", "link": "https://example.org/p", "media": "Example"},
    {"title": "Birds", "link": "https://example.org/b"},
]


def _with_sources(text: str) -> object:
    response = zai_stream(text)
    first = {
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}],
        "web_search": SOURCES,
    }
    response.steps = [f"data: {json.dumps(first)}\n\n".encode(), *(response.steps or [])]
    return response


async def test_the_palette_turns_web_search_on_and_the_sources_show(
    tui: Tui, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    config = tmp_path / "config.toml"
    fake_glm.enqueue(_with_sources("Pelicans fly [ref_1]."))
    async with tui(fake_glm.base_url, provider="zai", config_path=config) as (app, pilot):
        await app.main.run_action("toggle_web_search")
        assert app.settings.web_search is True
        assert (
            tomllib.loads(config.read_text())["web_search"] is True
        )  # saved, as the settings screen does
        await send(pilot, app, "Do pelicans fly?")
        await shows(pilot, "Pelicans fly")
        await wait_idle(pilot, app)
        await shows(pilot, "1. Pelicans [b]wiki[/b] (Example)")  # literal, never markup
        await shows(pilot, "2. Birds https://example.org/b")
        reply = app.main.pane.query(AssistantMessage).last()
        assert [s.link for s in reply.message.sources] == [s["link"] for s in SOURCES]
        tools = fake_glm.requests[0].json["tools"]
        assert tools[-1]["type"] == "web_search"
        await app.main.run_action("toggle_web_search")
        assert (
            app.settings.web_search is False
            and tomllib.loads(config.read_text())["web_search"] is False
        )


async def test_a_reopened_reply_shows_its_sources(
    tui: Tui, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(_with_sources("Pelicans fly."))
    async with tui(
        fake_glm.base_url, provider="zai", web_search=True, config_path=tmp_path / "c"
    ) as (app, pilot):
        await send(pilot, app, "Do pelicans fly?")
        await wait_idle(pilot, app)
        cid = app.session.current_id
        await app.main.open_conversation(None)
        await app.main.open_conversation(cid)
        await shows(pilot, "2. Birds https://example.org/b")
