"""The session layer without a terminal: what it does to the store, and what it tells."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.api.client import GLMClient
from glm_tui.chat import ChatService
from glm_tui.config import Settings
from glm_tui.session import (
    BranchChanged,
    Busy,
    CannotSend,
    ChangedElsewhere,
    ConversationOpened,
    ConversationRemoved,
    ConversationsLoaded,
    ConversationTouched,
    Session,
    SessionEvent,
    StatusChanged,
    TurnBegan,
    TurnFinished,
)
from glm_tui.store import Store
from tests.fakeglm import FakeGLM, gated_stream, usage_dict, zai_stream
from tests.ui_helpers import seed_branched, seed_conversation
from tests.waiting import until

T1 = "2024-03-14T12:00:00Z"


def settings_for(tmp_path: Path, base_url: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "provider": "openai",
        "base_url": base_url,
        "model": "glm-4.7",
        "api_key": "sk-test",
        "db_path": tmp_path / "history.db",
        "config_path": tmp_path / "c.toml",
        # Automatic titles are a request of their own: tested in test_auto_title.py.
        "auto_title": False,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


class Recorder:
    def __init__(self) -> None:
        self.events: list[SessionEvent] = []

    async def __call__(self, event: SessionEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
async def session(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> AsyncIterator[Session]:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    yield Session(store, service, clock=lambda: 0.0)
    await service.aclose()


@pytest.fixture
def told(session: Session) -> Recorder:
    recorder = Recorder()
    session.subscribe(recorder)
    return recorder


async def test_a_first_prompt_makes_a_conversation_and_tells_each_step(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue(zai_stream("Hi there.", reasoning="Greet.", usage=usage_dict(10, 5)))
    turn = await session.send("Hello")
    assert turn is not None and session.current_id == turn.live.conversation_id
    await session.run(turn)
    assert told.kinds() == [
        "ConversationTouched",  # the new conversation, for the sidebar
        "TurnQueued",
        "StatusChanged",
        "TurnBegan",
        "ConversationTouched",
        "TurnFinished",
        "ConversationTouched",
        "StatusChanged",
    ]
    began = told.of(TurnBegan)[0]
    assert (began.user.content, began.reply.status) == ("Hello", "streaming")  # rows, not ids
    finished = told.of(TurnFinished)[0]
    assert finished.message is not None and finished.message.content == "Hi there."
    assert turn.live.content_text == "Hi there." and turn.live.reasoning_text == "Greet."
    assert told.of(ConversationTouched)[-1].summary.message_count == 2
    status = told.of(StatusChanged)[-1].status
    assert status.usage is not None and status.usage.total_tokens == 15 and status.writing == 0
    assert session.shown_leaf == finished.message.id
    assert not session.live


async def test_busy_and_cannot_send(
    session: Session, fake_glm: FakeGLM, store: Store, tmp_path: Path
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("Half ", "and half.", gate))
    turn = await session.send("First")
    assert turn is not None
    with pytest.raises(Busy):
        await session.send("Second")
    running = asyncio.ensure_future(session.run(turn))
    gate.set()
    await running
    session.service.update_settings(settings_for(tmp_path, fake_glm.base_url, api_key=None))
    with pytest.raises(CannotSend, match="no API key"):
        await session.send("Third")


async def test_stopping_a_turn_saves_it_as_stopped(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("Half a reply ", "never sent.", gate))
    turn = await session.send("Go")
    assert turn is not None
    task = asyncio.ensure_future(session.run(turn))
    await until(lambda: turn.live.content_text == "Half a reply ", "all before the gate")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    finished = told.of(TurnFinished)[0]
    assert finished.message is not None and finished.message.status == "stopped"
    assert store.get_message(finished.message.id).content == "Half a reply "
    gate.set()


async def test_open_regenerate_and_switch_branches(
    session: Session, told: Recorder, store: Store
) -> None:
    cid, ids = seed_branched(store)
    await session.open(cid)
    opened = told.of(ConversationOpened)[0]
    assert [m.id for m in opened.path] == [ids["u1"], ids["a1b"], ids["u3"], ids["a3"]]
    assert session.shown_leaf == ids["a3"]
    # To the older sibling of a1b: the path from a1 down, with the newest branch below it.
    assert await session.switch_branch(ids["a1b"], -1) == ids["a1"]
    changed = told.of(BranchChanged)[0]
    assert changed.replaced_id == ids["a1b"]
    assert [m.id for m in changed.path] == [ids["a1"], ids["u2"], ids["a2"]]
    assert store.get_conversation(cid).current_leaf_id == ids["a2"] == session.shown_leaf
    assert await session.switch_branch(ids["a1"], -1) is None  # no sibling that way


async def test_edit_shows_the_new_prompt_before_its_reply(
    session: Session, told: Recorder, store: Store, fake_glm: FakeGLM
) -> None:
    cid = seed_conversation(store, "Edit me", [("Old prompt", "Old reply.", None)], updated_at=T1)
    await session.open(cid)
    old = store.current_path(cid)[0]
    turn = await session.edit(old.id, "New prompt")
    assert turn is not None
    changed = told.of(BranchChanged)[0]
    assert changed.replaced_id == old.id and [m.content for m in changed.path] == ["New prompt"]
    await session.run(turn)
    assert store.current_path(cid)[0].content == "New prompt"
    assert len(store.siblings(old.id)) == 2


async def test_fork_rename_and_delete(session: Session, told: Recorder, store: Store) -> None:
    cid = seed_conversation(store, "Original", [("a", "b", None), ("c", "d", None)], updated_at=T1)
    await session.open(cid)
    first_reply = store.current_path(cid)[1].id
    new_id = await session.fork(first_reply)
    assert new_id is not None and session.current_id == new_id
    assert [m.content for m in store.current_path(new_id)] == ["a", "b"]
    assert told.of(ConversationTouched)[-1].summary.title == "Original (fork)"
    await session.rename(new_id, "Forked")
    assert told.of(ConversationTouched)[-1].summary.title == "Forked"
    await session.delete(new_id)
    assert told.of(ConversationRemoved)[-1].conversation_id == new_id
    assert session.current_id is None and told.of(ConversationOpened)[-1].conversation is None


async def test_what_other_programs_write_is_told(
    session: Session, told: Recorder, store: Store, tmp_path: Path
) -> None:
    cid = seed_conversation(store, "Shared", [("a", "b", None)], updated_at=T1)
    doomed = seed_conversation(store, "Doomed", [("x", "y", None)], updated_at=T1)
    await session.open(cid)
    await session.look_elsewhere()  # the first look only takes the version
    await session.look_elsewhere()
    assert not told.of(ConversationsLoaded)  # nothing changed: one PRAGMA, nothing told
    with Store.open(tmp_path / "history.db") as other:
        leaf = other.current_path(cid)[-1].id
        uid = other.add_message(cid, parent_id=leaf, role="user", content="From a script")
        other.add_message(cid, parent_id=uid, role="assistant", content="Its reply")
        other.delete_conversation(doomed)
    await session.look_elsewhere()
    loaded = told.of(ConversationsLoaded)[-1]
    assert [s.title for s in loaded.summaries] == ["Shared"]
    changed = told.of(ChangedElsewhere)[-1]
    assert [m.content for m in changed.path][-2:] == ["From a script", "Its reply"]
    assert session.shown_leaf == changed.path[-1].id
    with Store.open(tmp_path / "history.db") as other:
        other.delete_conversation(cid)
    await session.look_elsewhere()
    removed = told.of(ConversationRemoved)[-1]
    assert removed.conversation_id == cid and removed.elsewhere
    assert session.current_id is None


async def test_a_prompt_follows_the_branch_shown_not_the_one_another_window_chose(
    session: Session, store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    cid = seed_conversation(store, "Shared", [("a", "b", None)], updated_at=T1)
    await session.open(cid)
    with Store.open(tmp_path / "history.db") as other:
        leaf = other.current_path(cid)[-1].id
        other.add_message(cid, parent_id=leaf, role="user", content="Another window's prompt")
        other.set_current_leaf(cid, other.current_path(cid)[-1].id)
    turn = await session.send("Mine")
    assert turn is not None
    await session.run(turn)
    path = [m.content for m in session.window_path(cid)]
    assert path == ["a", "b", "Mine", "Hello from the fake GLM server."]


class _ThreadNoting(ChatService):
    """Notes the thread its HTTP client is made in."""

    made_in: list[int] = []

    @property
    def client(self) -> GLMClient:
        if self._client is None:
            self.made_in.append(threading.get_ident())
        return super().client


async def test_the_http_client_is_made_off_the_event_loop(
    tmp_path: Path, store: Store, fake_glm: FakeGLM
) -> None:
    # Importing httpx and loading the certificates took the event loop 50-100 ms at the first
    # send; a reply asks for the client with ready_client, which makes it in a thread.
    service = _ThreadNoting(store, settings_for(tmp_path, fake_glm.base_url))
    _ThreadNoting.made_in = []
    client = await service.ready_client()
    assert client is service.client is await service.ready_client()  # made once, kept
    assert len(_ThreadNoting.made_in) == 1
    assert _ThreadNoting.made_in[0] != threading.get_ident()
    await service.aclose()
