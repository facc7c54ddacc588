"""The session's part of issue 15 without a terminal: pending attachments and @ mentions, the
context figure, the overflow warning, compaction and its undo, compact-and-retry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from glm_tui.attachments import AttachmentError
from glm_tui.chat import ChatService
from glm_tui.context.compaction import SUMMARY_REQUEST, CannotCompact
from glm_tui.session import (
    AttachmentsChanged,
    CannotSend,
    CompactionChanged,
    ContextOverflowed,
    ConversationOpened,
    Session,
    StatusChanged,
    WouldOverflow,
)
from glm_tui.store import Store
from tests.attachment_helpers import binary_bytes, image_bytes, write
from tests.fakeglm import FakeGLM, usage_dict, zai_error, zai_stream
from tests.unit.test_session import Recorder, settings_for


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    write(folder / "app.py", "print('quokka')\n")
    write(folder / "blob.bin", binary_bytes())
    write(folder / "shot.png", image_bytes("PNG"))
    return folder


def make_session(store: Store, fake_glm: FakeGLM, tmp_path: Path, work: Path, **changes: object):
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url, **changes))
    return Session(store, service, clock=lambda: 0.0, cwd=work)


@pytest.fixture
async def session(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, work: Path
) -> AsyncIterator[Session]:
    session = make_session(store, fake_glm, tmp_path, work)
    yield session
    await session.service.aclose()


@pytest.fixture
def told(session: Session) -> Recorder:
    recorder = Recorder()
    session.subscribe(recorder)
    return recorder


async def say(session: Session, text: str, **options: bool) -> None:
    turn = await session.send(text, **options)
    assert turn is not None
    await session.run(turn)


async def test_pending_attachments_and_mentions_go_with_the_next_prompt(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    added = await session.attachments.attach("app.py")
    assert [a.name for a in added] == ["app.py"]
    changed = told.of(AttachmentsChanged)[-1]
    assert [a.name for a in changed.pending] == ["app.py"] and changed.tokens == added[0].tokens
    estimate = session.estimate("Explain @shot.png please")
    assert estimate.attachment_tokens == [added[0].tokens] and estimate.mention_tokens > 0
    await session.attachments.attach_paste("pasted " * 400)
    await session.attachments.remove(1)
    assert [a.name for a in session.attachments.pending] == ["app.py"]
    with pytest.raises(AttachmentError, match=r"^blob\.bin is a binary file"):
        await session.send("Look at @blob.bin")
    assert store.count_conversations() == 0 and fake_glm.requests == []
    assert len(session.attachments.pending) == 1  # the chips stay with the draft
    await say(session, "Compare with @app.py.")  # the same file twice: sent once
    content = fake_glm.requests[0].json["messages"][-1]["content"]
    assert content == "File: app.py\n```python\nprint('quokka')\n```\n\nCompare with @app.py."
    assert session.attachments.pending == [] and told.of(AttachmentsChanged)[-1].pending == ()
    [prompt] = [m for m in store.current_path(session.current_id or 0) if m.role == "user"]
    opened = session.attachments.content(prompt.attachments[0].sha256)
    assert opened is not None and opened.text == "print('quokka')\n"
    assert session.attachments.paste_kind("app.py") == "path"
    assert session.attachments.paste_kind("x" * 2500) == "long"
    assert session.attachments.paste_kind("short") == "text"
    assert session.attachments.complete_paths("app")[0].path == "app.py"


async def test_an_image_without_a_vision_model_cannot_be_sent(
    session: Session, store: Store, fake_glm: FakeGLM
) -> None:
    await session.attachments.attach("shot.png")
    with pytest.raises(CannotSend, match="set vision_model"):
        await session.send("What is it?")
    assert store.count_conversations() == 0 and fake_glm.requests == []


async def test_the_context_figure_is_the_last_prompt_tokens_plus_what_is_new(
    session: Session, told: Recorder, fake_glm: FakeGLM
) -> None:
    assert session.status().context_used is None  # nothing open
    fake_glm.enqueue(zai_stream("x" * 360, usage=usage_dict(prompt=12_345, completion=400)))
    await say(session, "Hello")
    status = told.of(StatusChanged)[-1].status
    # The provider's 12,345 for what was sent, plus the reply (360 characters: 100 tokens)
    # and its framing (4).
    assert (status.context_used, status.context_window) == (12_345 + 104, 200_000)
    assert status.context_label == "ctx 12.4k/200k" and not status.context_warning
    estimate = session.estimate("y" * 3600)
    assert estimate.text_tokens == 1004
    assert estimate.context is not None and estimate.context.used == 12_449 + 1004


async def test_past_80_percent_the_status_warns_and_an_overflow_is_refused_unless_forced(
    store: Store, fake_glm: FakeGLM, tmp_path: Path, work: Path
) -> None:
    session = make_session(store, fake_glm, tmp_path, work, context_window=10_000)
    fake_glm.enqueue(zai_stream("ok", usage=usage_dict(prompt=8_500, completion=2)))
    await say(session, "Hello")
    status = session.status()
    assert status.context_window == 10_000 and status.context_warning
    with pytest.raises(WouldOverflow) as refused:
        await session.send("z" * 7200)
    assert "would not fit the model's window" in str(refused.value)
    assert refused.value.estimate.would_overflow
    assert len(fake_glm.requests) == 1
    await say(session, "z" * 7200, force=True)
    assert len(fake_glm.requests) == 2
    await session.service.aclose()


async def three_turns(session: Session, fake_glm: FakeGLM) -> None:
    for number in (1, 2, 3):
        fake_glm.enqueue(zai_stream(f"Answer {number}.", usage=usage_dict(prompt=50_000 * number)))
        await say(session, f"Question {number}")


async def test_compaction_summarises_older_turns_and_undo_brings_them_back(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store
) -> None:
    await three_turns(session, fake_glm)
    before = session.status().context_used
    cid = session.current_id
    assert cid is not None and before is not None and before > 150_000
    fake_glm.enqueue(zai_stream("They asked question 1; it was answered.", usage=usage_dict(900)))
    made = await session.compaction.compact()
    summary_request = fake_glm.requests[-1].json
    assert summary_request["thinking"] == {"type": "disabled"}
    assert summary_request["messages"][-1] == {"role": "user", "content": SUMMARY_REQUEST}
    assert [m["content"] for m in summary_request["messages"][:-1]] == ["Question 1", "Answer 1."]
    assert made.summarised == 2 and made.usage is not None and made.usage.prompt_tokens == 900
    changed = told.of(CompactionChanged)[-1]
    assert changed.compaction == made and changed.undone is None
    assert session.compaction.applied() == made
    after = session.status().context_used
    assert after is not None and after < 1000  # estimated anew: the summary and two turns
    assert len(store.current_path(cid)) == 6  # nothing deleted
    await session.open(cid)
    assert told.of(ConversationOpened)[-1].compaction == made

    await say(session, "Question 4")
    sent = fake_glm.requests[-1].json["messages"]
    assert sent[0]["role"] == "system" and "They asked question 1" in sent[0]["content"]
    assert "(2 messages)" in sent[0]["content"]
    assert [m["content"] for m in sent[1:]] == [
        "Question 2", "Answer 2.", "Question 3", "Answer 3.", "Question 4",
    ]  # fmt: skip

    undone = await session.compaction.undo()
    assert undone is not None and undone.undone_at is not None
    assert told.of(CompactionChanged)[-1] == CompactionChanged(cid, None, undone)
    assert session.compaction.applied() is None
    await say(session, "Question 5")
    sent = fake_glm.requests[-1].json["messages"]
    assert sent[0] == {"role": "user", "content": "Question 1"}
    await session.compaction.redo(undone)
    assert session.compaction.applied() is not None


async def test_nothing_to_compact_and_a_failed_summary_save_nothing(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    with pytest.raises(CannotCompact, match="empty"):
        await session.compaction.compact()
    await say(session, "Only one")
    with pytest.raises(CannotCompact, match="nothing older to summarise"):
        await session.compaction.compact()
    await say(session, "Two")
    await say(session, "Three")
    fake_glm.enqueue(zai_error(500, "1234", "boom"))
    session.service.client.max_retries = 0
    with pytest.raises(CannotCompact, match="the summary failed: The provider had a server"):
        await session.compaction.compact()
    assert session.current_id is not None and store.compactions(session.current_id) == []


@pytest.mark.parametrize(
    "failure",
    [
        zai_stream("Part", finish_reason="model_context_window_exceeded"),
        zai_error(400, "1261", "Prompt exceeds max length"),
    ],
    ids=["finish-reason", "error-1261"],
)
async def test_an_overflow_is_reported_and_compact_and_retry_makes_room(
    session: Session, told: Recorder, fake_glm: FakeGLM, store: Store, failure: object
) -> None:
    await three_turns(session, fake_glm)
    fake_glm.enqueue(failure)  # type: ignore[arg-type]
    await say(session, "A huge question")
    [overflow] = told.of(ContextOverflowed)
    failed = overflow.message
    fake_glm.enqueue(zai_stream("Summary of three turns."), zai_stream("Now it fits."))
    turn = await session.compaction.compact_and_retry(failed.id)
    assert turn is not None
    await session.run(turn)
    retry = fake_glm.requests[-1].json["messages"]
    assert (
        "Summary of three turns." in retry[0]["content"] and "(6 messages)" in retry[0]["content"]
    )
    assert retry[1:] == [{"role": "user", "content": "A huge question"}]
    assert turn.live.final is not None and turn.live.final.content == "Now it fits."
    assert store.get_message(failed.id).parent_id == turn.live.user_id  # a sibling of the failure
