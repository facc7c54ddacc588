"""Defects found in a first week of daily use (issue 12), each pinned by a test."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from glm_tui.chat import ChatService
from glm_tui.store import Store
from glm_tui.ui.widgets.messages import AssistantMessage
from glm_tui.ui.widgets.status_line import StatusLine
from tests.app_fixture import Tui
from tests.cli_helpers import CLI
from tests.fakeglm import (
    DONE,
    FakeGLM,
    Response,
    chunk,
    gated_stream,
    sse,
    usage_dict,
    zai_stream,
)
from tests.ui_helpers import (
    screen_text,
    seed_conversation,
    send,
    shows,
    type_text,
    ui_settings,
    wait_idle,
    wait_until,
)

T1, T2, T3 = "2024-03-14T12:00:00Z", "2024-03-14T13:00:00Z", "2024-03-14T14:00:00Z"


def burst_then_gate(reasoning: str, first: str, rest: str, gate: threading.Event) -> Response:
    """Reasoning and the first answer words in one network write, then a stall until ``gate``."""
    burst = sse(chunk(reasoning=reasoning)) + sse(chunk(content=first))
    finish = chunk(content="", finish_reason="stop", usage=usage_dict())
    tail = sse(chunk(content=rest)) + sse(finish)
    return Response(steps=[burst, gate, tail + DONE])


async def test_thinking_shows_when_reasoning_and_answer_come_in_one_burst(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(burst_then_gate("Some careful reasoning.", "The answer begins", ".", gate))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Question")
        await shows(pilot, "The answer begins")
        # The stream stalls here: the reasoning is known, so its (folded) row is shown.
        [reply] = app.query(AssistantMessage)
        assert reply.thinking is not None and reply.thinking.display
        await shows(pilot, "Thinking")
        gate.set()
        await wait_idle(pilot, app)
        assert "Thinking" in screen_text(app)


async def test_connecting_until_the_provider_answers(tui: Tui, fake_glm: FakeGLM) -> None:
    gate = threading.Event()
    reply = zai_stream("The answer.", reasoning="Hmm.")
    reply.headers_gate = gate
    fake_glm.enqueue(reply)
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Question")
        await fake_glm.await_requests(1)
        await shows(pilot, "Connecting…")
        assert "Thinking…" not in screen_text(app)
        gate.set()
        await wait_idle(pilot, app)
        assert "Connecting" not in screen_text(app)
        assert "The answer." in screen_text(app)


async def test_nothing_listening_says_connecting_then_the_error(tui: Tui) -> None:
    async with tui("http://127.0.0.1:9/v1") as (app, pilot):
        await send(pilot, app, "Question")
        await shows(pilot, "Connecting…")
        assert "Thinking…" not in screen_text(app)
        await wait_idle(pilot, app)
        assert "Thinking…" not in screen_text(app)
        assert "Error: could not reach the provider" in screen_text(app)


def _seconds(text: str) -> float:
    minutes, _, rest = text.rpartition("m ")
    return float(minutes or 0) * 60 + float(rest.rstrip("s"))


async def test_thinking_time_never_exceeds_the_reply_time(tui: Tui, fake_glm: FakeGLM) -> None:
    fake_glm.enqueue(zai_stream("A quick answer.", reasoning="A quick thought."))
    async with tui(fake_glm.base_url, now=lambda: datetime.now(UTC)) as (app, pilot):
        await send(pilot, app, "Question")
        await wait_idle(pilot, app)
        [reply] = app.query(AssistantMessage)
        assert reply.thinking is not None and reply.message.duration is not None
        title = str(reply.thinking.title)
        match = re.fullmatch(r"Thinking \((.+)\)", title)
        assert match, title
        assert _seconds(match.group(1)) <= reply.message.duration


async def test_the_status_line_names_the_model_the_next_request_uses(
    tui: Tui, store: Store, fake_glm: FakeGLM
) -> None:
    old = seed_conversation(
        store, "Older", [("Hi", "Hello.", None)], updated_at="2024-03-14T14:00:00Z",
        model="glm-4.5",
    )  # fmt: skip
    async with tui(fake_glm.base_url, model="glm-4.7") as (app, pilot):
        status = app.query_one(StatusLine)
        assert "glm-4.7" in str(status.render())
        await app.main.open_conversation(old)
        await pilot.pause()
        assert "glm-4.5" in str(status.render()) and "glm-4.7" not in str(status.render())
        # The model changed in the settings: new conversations use it, the old one keeps its own.
        await app.apply_settings(app.settings.with_values(model="glm-4.6"))
        await pilot.pause()
        assert "glm-4.5" in str(status.render())
        await send(pilot, app, "And now?")
        await wait_idle(pilot, app)
        assert fake_glm.requests[-1].json["model"] == "glm-4.5"
        await app.main.open_conversation(None)
        await pilot.pause()
        assert "glm-4.6" in str(status.render())
        await send(pilot, app, "A new one")
        await wait_idle(pilot, app)
        assert fake_glm.requests[-1].json["model"] == "glm-4.6"


async def test_down_from_the_search_box_highlights_the_first_result(tui: Tui, store: Store) -> None:
    seed_conversation(store, "Owls", [("owls?", "Owls hunt at night.", None)], updated_at=T1)
    wanted = seed_conversation(store, "Monads", [("monads?", "Burritos.", None)], updated_at=T2)
    seed_conversation(store, "Newest", [("hi", "Hello.", None)], updated_at=T3)
    async with tui() as (app, pilot):
        await pilot.press("ctrl+f")
        await type_text(pilot, "mon")  # filters the titles
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.session.current_id == wanted, what="Monads to open")
        # The full-text search (Enter in the box), then Down and Enter: the first hit opens.
        await app.main.open_conversation(None)
        await pilot.press("ctrl+f")
        app.main.sidebar.search_input.value = ""
        await type_text(pilot, "hunt")
        await pilot.press("enter")
        await shows(pilot, "1 message contain")
        app.main.sidebar.search_input.focus()
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.session.current_id not in (None, wanted), what="Owls")


async def test_a_conversation_deleted_by_another_program(
    tui: Tui, store: Store, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    doomed = seed_conversation(store, "Doomed", [("hi", "Hello.", None)], updated_at=T1)
    async with tui(fake_glm.base_url, open=doomed) as (app, pilot):
        app.main.composer.load_text("A draft I care about")
        cli = CLI(tmp_path)
        db = str(app.settings.db_path)
        removed = await asyncio.to_thread(cli.run, "rm", str(doomed), "--db", db)
        assert removed.returncode == 0, removed.stderr
        # Within the poll interval: out of the sidebar, said in the pane, the draft kept.
        await shows(pilot, "deleted by another program")
        assert app.session.current_id is None
        assert all(s.id != doomed for s in app.main.sidebar.summaries)
        assert app.main.composer.text == "A draft I care about"
        assert not [n for n in app._notifications if "no conversation with id" in n.message]
        # Enter starts a new conversation with the draft.
        app.main.composer.focus()
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert app.session.current_id is not None and app.session.current_id != doomed
        assert fake_glm.requests[-1].json["messages"][-1]["content"] == "A draft I care about"


async def test_a_reply_streaming_into_a_conversation_deleted_elsewhere_stops_cleanly(
    tui: Tui, fake_glm: FakeGLM
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("Half a reply ", "and the rest.", gate))
    async with tui(fake_glm.base_url) as (app, pilot):
        await send(pilot, app, "Write something")
        await shows(pilot, "Half a reply")
        cid = app.session.current_id
        assert cid is not None
        with Store.open(app.settings.db_path) as other:  # another program's connection
            other.delete_conversation(cid)
        await app.session.look_elsewhere()  # what the timer does every two seconds
        await wait_until(pilot, lambda: not app.session.live, what="the reply to stop")
        await shows(pilot, "deleted by another program")
        assert "writing…" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        assert not [n for n in app._notifications if "with id" in n.message]
        gate.set()


async def test_the_token_count_follows_a_turn_added_by_ask(
    tui: Tui, store: Store, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    cid = seed_conversation(store, "Counted", [("hi", "Hello.", None)], updated_at=T1)
    fake_glm.enqueue(zai_stream("More.", usage=usage_dict(prompt=1000, completion=234)))
    async with tui(fake_glm.base_url, open=cid) as (app, pilot):
        status = app.query_one(StatusLine)
        assert "500 tokens" in str(status.render())  # the seeded reply's usage
        cli = CLI(tmp_path, fake_glm.base_url)
        done = await asyncio.to_thread(cli.run, "ask", "--cid", str(cid), "and then?")
        assert done.returncode == 0, done.stderr
        await app.session.look_elsewhere()  # what the timer does every two seconds
        await shows(pilot, "More.")
        await wait_until(pilot, lambda: "1,734 tokens" in str(status.render()), what="1,734")


async def test_a_window_keeps_the_branch_it_sent_on(
    tui: Tui, store: Store, tmp_path: Path, fake_glm: FakeGLM
) -> None:
    """Another window sends into the same conversation at the same time (here: the service on
    another connection, as the other window's turn runs): each keeps showing its own branch,
    and continues it."""
    settings = ui_settings(tmp_path, fake_glm.base_url)
    cid = seed_conversation(store, "Shared", [("hi", "Hello.", None)], updated_at=T1)
    leaf = store.current_path(cid)[-1].id
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("Mine begins ", "and mine ends.", gate))
    fake_glm.enqueue(zai_stream("Theirs, whole."))
    async with tui(settings=settings, open=cid) as (app, pilot):
        await send(pilot, app, "My question")
        await shows(pilot, "Mine begins")
        with Store.open(settings.db_path) as other_store:
            other = ChatService(other_store, settings)
            turn = other.send("Their question", conversation_id=cid, after=leaf)
            async with contextlib.aclosing(turn):
                async for _ in turn:
                    pass
            await other.aclose()
        gate.set()
        await wait_idle(pilot, app)
        await app.session.look_elsewhere()
        await pilot.pause()
        await wait_until(pilot, lambda: not app.main.pane._lock.locked())
        text = screen_text(app)
        assert "and mine ends." in text and "Theirs" not in text and "Their question" not in text
        # The next prompt continues this window's branch, not the other one.
        await send(pilot, app, "Go on")
        await wait_idle(pilot, app)
        with Store.open(settings.db_path) as reopened:
            path = [m.content for m in reopened.current_path(cid)]
        assert path[-4:-1] == ["My question", "Mine begins and mine ends.", "Go on"]
        # The other window's question was not sent to the model as part of this branch.
        sent = [m["content"] for m in fake_glm.requests[-1].json["messages"]]
        assert "Their question" not in sent and "My question" in sent
