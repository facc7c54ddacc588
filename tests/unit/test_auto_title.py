"""Automatic titles: asked of the model after a conversation's first reply, in the background."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.api.title_request import TITLE_INSTRUCTION, TITLE_MAX_TOKENS
from glm_tui.chat import ChatService
from glm_tui.config import Settings
from glm_tui.session import ConversationChanged, Session, SessionEvent
from glm_tui.store import Store
from glm_tui.titles import clean_title
from tests.fakeglm import (
    FakeGLM,
    Response,
    drop_stream,
    gated_stream,
    usage_dict,
    zai_error,
    zai_stream,
)


def settings_for(tmp_path: Path, base_url: str | None, **changes: object) -> Settings:
    values: dict[str, object] = {
        "provider": "openai",
        "base_url": base_url,
        "model": "glm-4.7",
        "api_key": "sk-test",
        "db_path": tmp_path / "history.db",
        "config_path": tmp_path / "c.toml",
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


class Told(list[SessionEvent]):
    async def __call__(self, event: SessionEvent) -> None:
        self.append(event)

    def changed(self) -> list[ConversationChanged]:
        return [e for e in self if isinstance(e, ConversationChanged)]


@pytest.fixture
async def session(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> AsyncIterator[Session]:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    session = Session(store, service, clock=lambda: 0.0)
    yield session
    await session.close()
    await service.aclose()


@pytest.fixture
def told(session: Session) -> Told:
    told = Told()
    session.subscribe(told)
    return told


async def first_turn(session: Session, prompt: str = "How do owls see at night?") -> int:
    turn = await session.send(prompt)
    assert turn is not None
    await session.run(turn)
    return turn.live.conversation_id


async def test_the_title_request_has_thinking_off_and_few_tokens_and_its_answer_is_the_title(
    session: Session, told: Told, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(
        zai_stream("Owls have large eyes.", reasoning="Eyes.", usage=usage_dict(10, 5)),
        zai_stream('**Title:** "Night Vision of Owls."', usage=usage_dict(40, 7)),
    )
    cid = await first_turn(session)
    await session.settle()
    requests = fake_glm.requests
    assert len(requests) == 2
    body = requests[1].json
    assert body["thinking"] == {"type": "disabled"}
    assert body["max_tokens"] == TITLE_MAX_TOKENS <= 64
    assert body["model"] == "glm-4.7"
    assert body["messages"][0] == {"role": "system", "content": TITLE_INSTRUCTION}
    assert "How do owls see at night?" in body["messages"][1]["content"]
    assert "Owls have large eyes." in body["messages"][1]["content"]
    conversation = store.get_conversation(cid)
    assert (conversation.title, conversation.title_source) == ("Night Vision of Owls", "model")
    [event] = told.changed()
    assert (event.summary.title, event.what) == ("Night Vision of Owls", "title")
    # Counted like any other request: in the conversation's usage, not as a message.
    assert store.conversation_usage(cid).total_tokens == 15 + 47
    assert store.side_requests_usage(cid).total_tokens == 47
    assert conversation.message_count == 2


@pytest.mark.parametrize(
    ("failure", "paid"),
    [
        (zai_error(400, "1210", "Bad title request"), 0),
        (drop_stream("Half a ti", abrupt=True), 0),
        (zai_stream("   \n\n", usage=usage_dict(40, 2)), 2),
    ],
    ids=["http-error", "dropped", "empty-answer"],
)
async def test_a_failing_title_request_changes_nothing(
    session: Session, told: Told, fake_glm: FakeGLM, store: Store, failure: Response, paid: int
) -> None:
    fake_glm.enqueue(zai_stream("Owls have large eyes.", usage=usage_dict(10, 5)), failure)
    cid = await first_turn(session)
    before = store.get_conversation(cid)
    await session.settle()
    assert len(fake_glm.requests) == 2
    after = store.get_conversation(cid)
    assert (after.title, after.title_source, after.updated_at) == (
        "How do owls see at night?",
        "prompt",
        before.updated_at,
    )
    assert told.changed() == []
    assert store.current_path(cid)[-1].content == "Owls have large eyes."
    # An answer that came is paid for, even when it is no title.
    assert store.side_requests_usage(cid).completion_tokens == paid


async def test_the_chat_goes_on_while_the_title_is_on_its_way(
    session: Session, told: Told, fake_glm: FakeGLM, store: Store
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(
        zai_stream("Owls have large eyes."),
        gated_stream("Owl ", "Eyes", gate),
        zai_stream("They hunt mice."),
    )
    cid = await first_turn(session)
    await fake_glm.await_requests(2)  # the title request is held open
    turn = await session.send("What do they eat?")
    assert turn is not None
    await session.run(turn)
    assert store.current_path(cid)[-1].content == "They hunt mice."
    assert store.get_conversation(cid).title == "How do owls see at night?"
    gate.set()
    await session.settle()
    assert store.get_conversation(cid).title == "Owl Eyes"


async def test_a_title_the_user_gave_is_never_replaced(
    session: Session, told: Told, fake_glm: FakeGLM, store: Store
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(zai_stream("Owls have large eyes."), gated_stream("Owl ", "Eyes", gate))
    cid = await first_turn(session)
    await fake_glm.await_requests(2)
    await session.rename(cid, "My owls")
    gate.set()
    await session.settle()
    conversation = store.get_conversation(cid)
    assert (conversation.title, conversation.title_source) == ("My owls", "user")
    assert told.changed() == []
    # Retried on the first reply (a regenerate): still not asked again, the user's title stays.
    reply = store.current_path(cid)[-1]
    again = await session.regenerate(reply.id)
    assert again is not None
    await session.run(again)
    await session.settle()
    assert len(fake_glm.requests) == 3
    assert store.get_conversation(cid).title == "My owls"


async def test_only_the_first_reply_is_titled(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(zai_stream("Owls have large eyes."), zai_stream("Owl Eyes"))
    cid = await first_turn(session)
    await session.settle()
    turn = await session.send("And bats?")
    assert turn is not None
    await session.run(turn)
    await session.settle()
    assert len(fake_glm.requests) == 3  # two turns, one title
    assert store.get_conversation(cid).title == "Owl Eyes"


async def test_a_failed_first_reply_is_not_titled_but_its_retry_is(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(
        zai_error(400, "1210", "Nope"), zai_stream("Owls have large eyes."), zai_stream("Owl Eyes")
    )
    cid = await first_turn(session)
    await session.settle()
    assert len(fake_glm.requests) == 1
    failed = store.current_path(cid)[-1]
    again = await session.regenerate(failed.id)
    assert again is not None
    await session.run(again)
    await session.settle()
    assert len(fake_glm.requests) == 3
    assert store.get_conversation(cid).title == "Owl Eyes"


async def test_auto_title_off_asks_nothing(fake_glm: FakeGLM, store: Store, tmp_path: Path) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url, auto_title=False))
    session = Session(store, service, clock=lambda: 0.0)
    cid = await first_turn(session)
    await session.settle()
    assert len(fake_glm.requests) == 1
    assert store.get_conversation(cid).title_source == "prompt"
    await service.aclose()


async def test_the_demo_model_titles_offline(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLM_TUI_DEMO_SPEED", "0")
    service = ChatService(store, settings_for(tmp_path, None, provider="demo", model=None))
    session = Session(store, service, clock=lambda: 0.0)
    told = Told()
    session.subscribe(told)
    cid = await first_turn(session, "Explain the Python GIL in three sentences")
    await session.settle()
    conversation = store.get_conversation(cid)
    assert (conversation.title, conversation.title_source) == (
        "Python GIL Three Sentences",
        "model",
    )
    assert [e.what for e in told.changed()] == ["title"]
    assert store.side_requests_usage(cid).completion_tokens == 4
    await service.aclose()


async def test_closing_the_session_stops_a_title_on_its_way(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(zai_stream("Owls have large eyes."), gated_stream("Owl ", "Eyes", gate))
    cid = await first_turn(session)
    await fake_glm.await_requests(2)
    await session.close()
    gate.set()
    assert store.get_conversation(cid).title == "How do owls see at night?"
    assert session.titler.pending == set()


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Night Vision of Owls", "Night Vision of Owls"),
        ('"Night Vision of Owls."', "Night Vision of Owls"),
        ("Title: Night Vision\nBecause the user asked...", "Night Vision"),
        ("# **Owls at Night**", "Owls at Night"),
        ("「猫头鹰的夜视」。", "猫头鹰的夜视"),
        ("标题：猫头鹰", "猫头鹰"),
        ("\x1b[31mRed\x1b[0m owls", "Red owls"),
        ("Why do owls hoot?", "Why do owls hoot?"),
        ("   ", None),
        ('""', None),
        (
            "A very long title that goes on and on about owls and their eyes at night time",
            "A very long title that goes on and on about owls and their",
        ),
    ],
)
def test_clean_title(raw: str, title: str | None) -> None:
    cleaned = clean_title(raw)
    assert cleaned == title
    if cleaned is not None:
        assert len(cleaned) <= 60 and not cleaned.endswith(".")
