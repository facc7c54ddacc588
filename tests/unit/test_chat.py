"""The conversation service: one turn through the real client, fake server and a real store."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.api.events import Connected, ContentDelta, Finished, ReasoningDelta, Usage
from glm_tui.chat import (
    CONVERSATION_DELETED,
    ChatService,
    TurnEnded,
    TurnEvent,
    TurnStarted,
    title_from_prompt,
)
from glm_tui.config import Settings
from glm_tui.store import Store
from tests.fakeglm import (
    FakeGLM,
    gated_stream,
    slow_stream,
    stall_stream,
    zai_error,
    zai_stream,
)
from tests.waiting import until


@pytest.fixture
def service(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> ChatService:
    settings = Settings(
        provider="openai",
        base_url=fake_glm.base_url,
        model="glm-4.7",
        api_key="sk-test",
        db_path=tmp_path / "history.db",
        config_path=tmp_path / "c.toml",
        system_prompt="You are terse.",
    )
    return ChatService(store, settings, flush_interval=0.05)


async def collect(stream: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    async with contextlib.aclosing(stream):
        return [event async for event in stream]


async def test_one_turn_saves_prompt_and_reply(service: ChatService, store: Store) -> None:
    events = await collect(service.send("Hello\nsecond line"))
    started, *middle, ended = events
    assert isinstance(started, TurnStarted) and isinstance(ended, TurnEnded)
    assert [type(e) for e in middle] == [
        Connected,
        *[ReasoningDelta] * 3,
        *[ContentDelta] * 4,
        Usage,
        Finished,
    ]
    conv = store.get_conversation(started.conversation_id)
    assert conv.title == "Hello" and conv.system_prompt == "You are terse."
    user, reply = store.current_path(conv.id)
    assert user.content == "Hello\nsecond line" and user.role == "user"
    assert reply.content == "Hello from the fake GLM server."
    assert reply.reasoning == "The user says hello."
    assert reply.status == "complete" and reply.finish_reason == "stop"
    assert reply.usage is not None and reply.usage.completion_tokens
    assert reply.duration is not None and reply.duration >= 0
    assert ended.message.id == reply.id


async def test_history_has_system_first_and_no_reasoning(
    service: ChatService, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("One.", reasoning="private"), zai_stream("Two."))
    first = await collect(service.send("a"))
    cid = first[0].conversation_id  # type: ignore[union-attr]
    await collect(service.send("b", conversation_id=cid))
    assert fake_glm.requests[1].json["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "One."},
        {"role": "user", "content": "b"},
    ]


async def test_error_keeps_prompt_and_marks_reply(
    service: ChatService, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_error(401, 1000, "Invalid API key"))
    events = await collect(service.send("hi"))
    ended = events[-1]
    assert isinstance(ended, TurnEnded) and ended.status == "error"
    assert "API key was rejected" in (ended.message.error or "")
    user, reply = store.current_path(ended.message.conversation_id)
    assert user.content == "hi" and reply.content == ""


async def test_failed_reply_is_left_out_of_history_and_retry_is_a_sibling(
    service: ChatService, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_error(500, 1234, "boom"), zai_stream("ok"))
    service.client.max_retries = 0  # type: ignore[attr-defined]
    failed = (await collect(service.send("hi")))[-1]
    assert isinstance(failed, TurnEnded) and failed.status == "error"
    retried = (await collect(service.regenerate(failed.message.id)))[-1]
    assert isinstance(retried, TurnEnded) and retried.status == "complete"
    assert [m.id for m in store.siblings(retried.message.id)] == [
        failed.message.id,
        retried.message.id,
    ]
    assert fake_glm.requests[-1].json["messages"][-1] == {"role": "user", "content": "hi"}


async def test_cancel_saves_partial_as_stopped(
    service: ChatService, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(stall_stream("Partial words", reasoning="Thinking"))
    seen: list[TurnEvent] = []

    async def consume() -> None:
        async for event in service.send("go"):
            seen.append(event)

    task = asyncio.create_task(consume())
    await until(
        lambda: "".join(e.text for e in seen if isinstance(e, ContentDelta)) == "Partial words",
        "the partial words",
    )
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = seen[0]
    assert isinstance(started, TurnStarted)
    reply = store.get_message(started.assistant_message_id)
    assert reply.status == "stopped"
    assert reply.content == "Partial words" and reply.reasoning == "Thinking"


async def test_reply_is_written_while_streaming(
    service: ChatService, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(slow_stream("abcdefghijklmnopqrstuvwxyz" * 4, tokens_per_second=100))
    stream = service.send("stream it")
    saved_midway: list[str] = []
    async with contextlib.aclosing(stream):
        async for event in stream:
            if isinstance(event, TurnStarted):
                reply_id = event.assistant_message_id
            elif isinstance(event, ContentDelta):
                msg = store.get_message(reply_id)
                assert msg.status == "streaming"
                saved_midway.append(msg.content)
    assert any(0 < len(text) < 104 for text in saved_midway)
    assert store.get_message(reply_id).content == "abcdefghijklmnopqrstuvwxyz" * 4


async def test_edit_makes_a_sibling_prompt(
    service: ChatService, store: Store, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(zai_stream("first"), zai_stream("second"))
    first = await collect(service.send("original"))
    started = first[0]
    assert isinstance(started, TurnStarted)
    edited = await collect(service.edit(started.user_message_id, "edited"))
    ended = edited[-1]
    assert isinstance(ended, TurnEnded)
    path = store.current_path(started.conversation_id)
    assert [m.content for m in path] == ["edited", "second"]
    assert len(store.siblings(started.user_message_id)) == 2


async def test_escape_codes_are_kept_and_nuls_dropped(
    service: ChatService, store: Store, fake_glm: FakeGLM
) -> None:
    """The history keeps what the provider sent (escape codes are removed where text is shown,
    issue 12, item 10), but for NULs, which SQLite's functions take for the end of the text."""
    fake_glm.enqueue(zai_stream("\x1b[31mred\x1b[0m and\x00 [bold]x[/bold]"))
    ended = (await collect(service.send("x")))[-1]
    assert isinstance(ended, TurnEnded)
    assert ended.message.content == "\x1b[31mred\x1b[0m and [bold]x[/bold]"
    assert store.get_message(ended.message.id).content == ended.message.content


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("  \n\n  What is   a monad?\nmore", "What is a monad?"),
        ("x" * 100, "x" * 60 + "…"),
        ("word " * 30, ("word " * 12).strip() + "…"),
        ("", "New conversation"),
    ],
)
def test_title_from_prompt(prompt: str, title: str) -> None:
    assert title_from_prompt(prompt) == title


async def test_a_conversation_deleted_mid_reply_ends_the_turn_cleanly(
    service: ChatService, store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("The first words ", "and many more.", gate))
    events: list[TurnEvent] = []
    stream = service.send("Write")
    async with contextlib.aclosing(stream):
        async for event in stream:
            events.append(event)
            if isinstance(event, ContentDelta) and not gate.is_set():
                with Store.open(tmp_path / "history.db") as other:  # another program's connection
                    other.delete_conversation(events[0].conversation_id)  # type: ignore[union-attr]
                gate.set()
    ended = events[-1]
    assert isinstance(ended, TurnEnded)
    assert ended.message.status == "stopped"
    assert ended.message.error == CONVERSATION_DELETED
    assert ended.message.content.startswith("The first words")
    assert store.count_conversations() == 0
