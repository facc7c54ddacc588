"""Any terminal size from 20x8 up, and any sequence of resizes, leaves the app running."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.app import App

from glm_tui.store import Store
from glm_tui.ui.app import exit_status
from tests.app_fixture import Tui
from tests.fakeglm import FakeGLM, gated_stream
from tests.ui_helpers import screen_text, send, wait_idle, wait_until

SEQUENCES = [
    [(40, 12), (30, 10)],  # the sequence that crashed in tmux
    [(20, 8), (120, 40), (21, 8), (20, 9)],
    [(80, 24), (25, 8), (60, 20), (20, 8), (200, 50)],
]


@pytest.mark.parametrize("sizes", SEQUENCES, ids=lambda s: " ".join(f"{w}x{h}" for w, h in s))
async def test_resizing_down_to_20x8_while_a_reply_streams(
    tui: Tui, tmp_path: Path, fake_glm: FakeGLM, sizes: list[tuple[int, int]]
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("The first half, ", "and the second half.", gate))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Tell me something long")
        await wait_until(pilot, lambda: "The first half" in screen_text(app), what="the reply")
        app.main.composer.clear()  # the placeholder is what wrapped at width 0
        for width, height in sizes:
            await pilot.resize_terminal(width, height)
            await wait_until(pilot, lambda w=width: app.screen.size.width == w)
            await pilot.pause()
            assert app.is_running and app.return_code is None
            assert len(screen_text(app).splitlines()) == height
        gate.set()
        await wait_idle(pilot, app)
        assert app.is_running
    with Store.open(tmp_path / "history.db") as store:
        reply = store.current_path(store.most_recent_conversation_id() or 0)[-1]
    assert (reply.status, reply.content) == ("complete", "The first half, and the second half.")


async def test_typing_at_20x8(tui: Tui) -> None:
    async with tui(size=(20, 8)) as (app, pilot):
        app.main.composer.focus()
        for key in "a long line of text that wraps many times":
            await pilot.press(key if key != " " else "space")
        await pilot.pause()
        assert app.main.composer.text.startswith("a long line")
        await pilot.resize_terminal(20, 8)
        await pilot.pause()
        assert app.is_running


class _Broken(App[None]):
    def on_mount(self) -> None:
        raise RuntimeError("a bug")


async def test_an_unhandled_error_is_a_non_zero_exit_status() -> None:
    app = _Broken()
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await pilot.pause()
    assert exit_status(app) == 1
    assert exit_status(App()) == 0
