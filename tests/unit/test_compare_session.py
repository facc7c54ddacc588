"""Compare through the session: one prompt, two or three models streaming at once, siblings."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from glm_tui.chat import ChatService
from glm_tui.session import (
    BranchChanged,
    Busy,
    CompareBegan,
    CompareFinished,
    CompareReplyChanged,
    CompareReplyFinished,
    ConversationOpened,
    Session,
    StatusChanged,
)
from glm_tui.store import Store
from glm_tui.tools.approval import ALLOW_ONCE, ApprovalRequest, Decision
from glm_tui.tools.toolbox import Toolbox
from tests.fakeglm import (
    FakeGLM,
    aimlapi_stream,
    gated_stream,
    tool_calls_stream,
    zai_error,
    zai_stream,
)
from tests.unit.test_session import Recorder, settings_for
from tests.waiting import until

MODELS = ("zhipu/glm-4.7", "openai/gpt-5", "anthropic/claude")


@pytest.fixture
async def session(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> AsyncIterator[Session]:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    yield Session(store, service, clock=time.monotonic)
    await service.aclose()


@pytest.fixture
def told(session: Session) -> Recorder:
    recorder = Recorder()
    session.subscribe(recorder)
    return recorder


def gates_for(fake: FakeGLM, models: tuple[str, ...]) -> list[threading.Event]:
    """Each model answers its first words, then waits for its gate."""
    gates = [threading.Event() for _ in models]
    for model, gate in zip(models, gates, strict=True):
        fake.enqueue_for(model, gated_stream(f"From {model}: ", "the rest.", gate))
    return gates


async def test_three_models_stream_at_once_and_are_saved_as_siblings(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    gates = gates_for(fake_glm, MODELS)
    turn = await session.compare("Which is best?", list(MODELS))
    assert turn is not None
    compare = turn.live
    began = told.of(CompareBegan)[0]
    assert began.user.content == "Which is best?"
    assert [r.model for r in began.replies] == list(MODELS)  # rows, in the order given
    assert [r.status for r in began.replies] == ["streaming"] * 3
    assert session.writing_in(compare.conversation_id)
    assert session.status().writing == 3
    running = asyncio.ensure_future(session.run_compare(turn))
    # All three have written their first words and none has finished: they stream at once.
    heads = [f"From {m}: " for m in MODELS]  # each sent in pieces, then held at its gate
    await until(lambda: [r.content_text for r in compare.replies] == heads)
    assert not told.of(CompareReplyFinished) and not running.done()
    for gate in gates:
        gate.set()
    await running
    posts = fake_glm.chat_requests()
    assert sorted(p.json["model"] for p in posts) == sorted(MODELS)
    assert {str(p.json["messages"]) for p in posts} == {str(posts[0].json["messages"])}
    user = store.get_message(compare.user_id)
    replies = store.children(user.id)
    assert [r.id for r in replies] == list(compare.reply_ids)
    assert [(r.model, r.status, r.content) for r in replies] == [
        (m, "complete", f"From {m}: the rest.") for m in MODELS
    ]
    positions = session.branch_positions(compare.reply_ids)
    assert [positions[i] for i in compare.reply_ids] == [(1, 3), (2, 3), (3, 3)]
    finished = told.of(CompareFinished)[0]
    assert [m.id for m in finished.path] == [user.id, compare.reply_ids[0]]
    assert session.shown_leaf == compare.reply_ids[0]
    assert store.get_conversation(compare.conversation_id).current_leaf_id == compare.reply_ids[0]
    done = told.of(CompareReplyFinished)
    assert sorted(e.index for e in done) == [0, 1, 2]
    assert all(e.message is not None and e.message.status == "complete" for e in done)
    changed = told.of(CompareReplyChanged)
    assert {e.index for e in changed} == {0, 1, 2}  # each connected, answered, got its usage
    assert all(r.usage is not None and r.connected is not None for r in compare.replies)
    assert not session.writing_in(compare.conversation_id)
    assert told.of(StatusChanged)[-1].status.writing == 0


async def test_continue_with_this_one_shows_it_and_makes_its_model_the_conversations(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    for model in MODELS[:2]:
        fake_glm.enqueue_for(model, zai_stream(f"Answer of {model}."))
    turn = await session.compare("Pick one", list(MODELS[:2]))
    assert turn is not None
    await session.run_compare(turn)
    second = turn.live.reply_ids[1]
    await session.continue_with(second)
    changed = told.of(BranchChanged)[-1]
    assert changed.replaced_id == turn.live.reply_ids[0]
    assert [m.id for m in changed.path] == [second]
    assert session.shown_leaf == second
    cid = turn.live.conversation_id
    assert store.get_conversation(cid).current_leaf_id == second
    assert store.get_conversation(cid).model == "openai/gpt-5"
    assert session.status().model == "openai/gpt-5"
    next_turn = await session.send("And then?")
    assert next_turn is not None
    await session.run(next_turn)
    assert fake_glm.chat_requests()[-1].json["model"] == "openai/gpt-5"
    path = store.current_path(cid)
    assert [m.content for m in path][:2] == ["Pick one", "Answer of openai/gpt-5."]


async def test_a_choice_made_while_they_stream_is_applied_when_they_are_done(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    gates = gates_for(fake_glm, MODELS)
    turn = await session.compare("Race", list(MODELS))
    assert turn is not None
    running = asyncio.ensure_future(session.run_compare(turn))
    await until(lambda: all(r.content_text for r in turn.live.replies))
    with pytest.raises(Busy):
        await session.send("Not now")
    await session.continue_with(turn.live.reply_ids[2])
    assert session.shown_leaf == turn.live.reply_ids[0]  # not before they are done
    for gate in gates:
        gate.set()
    await running
    assert session.shown_leaf == turn.live.reply_ids[2]
    cid = turn.live.conversation_id
    assert store.get_conversation(cid).current_leaf_id == turn.live.reply_ids[2]
    assert store.get_conversation(cid).model == "anthropic/claude"


async def test_stop_stops_them_all_and_keeps_what_came(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    gates = gates_for(fake_glm, MODELS)
    turn = await session.compare("Stop us", list(MODELS))
    assert turn is not None
    running = asyncio.ensure_future(session.run_compare(turn))
    heads = [f"From {m}: " for m in MODELS]  # all that comes before the gates
    await until(lambda: [r.content_text for r in turn.live.replies] == heads)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    replies = [store.get_message(i) for i in turn.live.reply_ids]
    assert [(r.status, r.content) for r in replies] == [("stopped", f"From {m}: ") for m in MODELS]
    assert sorted(e.index for e in told.of(CompareReplyFinished)) == [0, 1, 2]
    assert len(told.of(CompareFinished)) == 1
    assert not session.writing_in(turn.live.conversation_id)
    await until(lambda: all(r.disconnected.is_set() for r in fake_glm.chat_requests()))
    for gate in gates:
        gate.set()


async def test_one_failing_model_leaves_the_others(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue_for(MODELS[0], zai_stream("Fine."))
    fake_glm.enqueue_for(MODELS[1], zai_error(400, "1211", "Unknown model"))
    turn = await session.compare("Both?", list(MODELS[:2]))
    assert turn is not None
    await session.run_compare(turn)
    good, bad = (store.get_message(i) for i in turn.live.reply_ids)
    assert (good.status, good.content) == ("complete", "Fine.")
    assert bad.status == "error" and bad.error is not None and "1211" in bad.error


async def test_a_compare_takes_two_or_three_models_and_waits_for_nothing_else(
    session: Session, fake_glm: FakeGLM
) -> None:
    for models in ([MODELS[0]], [*MODELS, "four"], [MODELS[0], " "]):
        with pytest.raises(ValueError, match="model"):
            await session.compare("Hi", models)
    gate = threading.Event()
    fake_glm.enqueue(gated_stream("Busy ", "done.", gate))
    turn = await session.send("One at a time")
    assert turn is not None
    with pytest.raises(Busy):
        await session.compare("Now two", list(MODELS[:2]))
    gate.set()
    await session.run(turn)
    assert not fake_glm.chat_requests()[1:]  # the refused compare sent nothing


async def test_regenerate_a_column_with_its_own_model(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    for model in MODELS[:2]:
        fake_glm.enqueue_for(model, zai_stream(f"First of {model}."))
    turn = await session.compare("Again", list(MODELS[:2]))
    assert turn is not None
    await session.run_compare(turn)
    second = store.get_message(turn.live.reply_ids[1])
    assert second.model is not None
    again = await session.regenerate(second.id, model=second.model)
    assert again is not None
    await session.run(again)
    assert fake_glm.chat_requests()[-1].json["model"] == "openai/gpt-5"
    assert len(store.siblings(second.id)) == 3


async def test_compare_costs_are_each_replys_own(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    fake_glm.enqueue_for(MODELS[0], aimlapi_stream("A.", credits_used=2000, usd_spent=0.001))
    fake_glm.enqueue_for(MODELS[1], aimlapi_stream("B.", credits_used=6000, usd_spent=0.003))
    turn = await session.compare("Cost?", list(MODELS[:2]))
    assert turn is not None
    await session.run_compare(turn)
    assert [r.usage.usd if r.usage else None for r in turn.live.replies] == [0.001, 0.003]
    assert store.conversation_usage(turn.live.conversation_id).credits == 8000


class SlowPanel:
    """An approval panel that answers when the test says so, counting the questions open."""

    def __init__(self) -> None:
        self.open = 0
        self.most_open = 0
        self.asked = 0
        self.answer = asyncio.Event()

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        self.open += 1
        self.asked += 1
        self.most_open = max(self.most_open, self.open)
        try:
            await self.answer.wait()
        finally:
            self.open -= 1
        return [ALLOW_ONCE for _ in requests]


async def test_tool_calls_of_the_replies_are_approved_one_at_a_time(
    fake_glm: FakeGLM, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("pelican")
    settings = settings_for(tmp_path, fake_glm.base_url, tools=("read_file",))
    with Store.open(tmp_path / "h.db") as store:
        service = ChatService(
            store, settings, toolbox=Toolbox(settings, root=tmp_path, use_mcp=False)
        )
        session = Session(store, service, clock=time.monotonic)
        panel = SlowPanel()
        session.approver = panel
        for index, model in enumerate(MODELS[:2]):
            call = (f"c{index}", "read_file", json.dumps({"path": "notes.txt"}))
            fake_glm.enqueue_for(
                model, tool_calls_stream([call]), zai_stream(f"{model} read pelican.")
            )
        turn = await session.compare("Read it", list(MODELS[:2]))
        assert turn is not None
        running = asyncio.ensure_future(session.run_compare(turn))
        # Both replies asked for their call; one question is open, the other waits its turn.
        await until(lambda: all(r.tool_calls for r in turn.live.replies) and panel.open == 1)
        assert panel.asked == 1
        panel.answer.set()
        await running
        await service.aclose()
    assert panel.asked == 2 and panel.most_open == 1
    finals = [r.final for r in turn.live.replies]
    assert [f.content if f else None for f in finals] == [f"{m} read pelican." for m in MODELS[:2]]
    results = [
        c.message.content for r in turn.live.replies for c in r.tool_calls.values() if c.message
    ]
    assert results == ["pelican", "pelican"]


async def test_a_window_opening_the_conversation_gets_the_compare_and_cannot_fork_it(
    session: Session, told: Recorder, fake_glm: FakeGLM
) -> None:
    gates = gates_for(fake_glm, MODELS[:2])
    turn = await session.compare("Open me", list(MODELS[:2]))
    assert turn is not None
    running = asyncio.ensure_future(session.run_compare(turn))
    await until(lambda: all(r.content_text for r in turn.live.replies))
    await session.open(None)
    await session.open(turn.live.conversation_id)
    assert told.of(ConversationOpened)[-1].compare is turn.live
    with pytest.raises(Busy):
        await session.fork(turn.live.reply_ids[1])
    for gate in gates:
        gate.set()
    await running
    await session.open(turn.live.conversation_id)
    assert told.of(ConversationOpened)[-1].compare is None
    assert await session.fork(turn.live.reply_ids[1]) is not None
