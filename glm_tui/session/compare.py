"""Compare: one prompt to two or three models at once, their replies streaming side by side.

The prompt is saved once and each model's reply is a sibling of the others (``‹ 1/3 ›``, in the
order the models were given), so navigation, regenerate, export and ``show --all`` treat them
as any branches. Each reply streams through the chat service's one code path for a turn, all at
the same time; cancelling the task that runs them stops them all (each is saved ``stopped``).
When they are done, the branch shown is the first model's, or the one chosen with
``continue_with`` ("continue with this one"), which also makes its model the conversation's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from glm_tui.chat import TurnEnded, TurnEvent, TurnStarted, TurnStream
from glm_tui.records import record
from glm_tui.session.errors import Busy
from glm_tui.session.events import (
    BranchChanged,
    CompareBegan,
    CompareFinished,
    CompareReplyChanged,
    CompareReplyFinished,
    ConversationTouched,
)
from glm_tui.session.live import LiveTurn
from glm_tui.store import Message, NotFound, StoreError
from glm_tui.tools import events as tool_events

if TYPE_CHECKING:
    from glm_tui.session.session import Session
    from glm_tui.tools.approval import ApprovalRequest, Approver, Decision

MIN_MODELS, MAX_MODELS = 2, 3


def check_models(models: Sequence[str]) -> tuple[str, ...]:
    """The models of a compare, stripped; ValueError (one line) unless there are two or three."""
    names = tuple(m.strip() for m in models)
    if any(not name for name in names):
        raise ValueError("a model to compare has an empty name")
    if not MIN_MODELS <= len(names) <= MAX_MODELS:
        raise ValueError(f"compare takes two or three models, not {len(names)}")
    return names


class OneAtATime:
    """An approver asked by one reply at a time: the replies of a compare may ask for tool
    calls at the same moment, and a panel (or a terminal) shows one question at once."""

    def __init__(self, approver: Approver) -> None:
        self.approver = approver
        self._lock = asyncio.Lock()

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        async with self._lock:
            return await self.approver.approve(requests)


@record(frozen=False, slots=False)
class LiveCompare:
    """A compare being written: one :class:`LiveTurn` per model, in the order given."""

    conversation_id: int
    models: tuple[str, ...]
    user_id: int
    reply_ids: tuple[int, ...]
    """The replies' rows (the siblings), in the order of ``models``."""
    replies: list[LiveTurn]
    started: float
    chosen: int | None = None
    """The reply chosen (``continue_with``) while they were still streaming."""
    finished: set[int] = field(default_factory=set)
    """The indexes of the replies that are final."""

    @property
    def writing(self) -> int:
        return len(self.replies) - len(self.finished)

    def index_of(self, live: LiveTurn) -> int | None:
        return next((i for i, turn in enumerate(self.replies) if turn is live), None)


@record(frozen=False, slots=False)
class CompareTurn:
    """A compare saved, its replies not yet streamed: hand it to ``Session.run_compare``."""

    live: LiveCompare
    streams: list[TurnStream]


class Comparer:
    """The compares of one session (at most one per conversation)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.running: dict[int, LiveCompare] = {}
        """Compares being written, by conversation."""

    async def start(self, text: str, models: Sequence[str]) -> CompareTurn | None:
        """Save the prompt at the end of the branch shown (a new conversation if none is open)
        and a reply row per model. Raises ValueError (not two or three models), CannotSend,
        Busy or a StoreError; None when the open conversation was deleted by another program."""
        session = self.session
        names = check_models(models)
        session.turns.check_can_send()
        cid = session.current_id
        if cid is not None and session.writing_in(cid):
            raise Busy
        if cid is None:
            cid = session.service.new_conversation(text, model=session.pending_model)
            session.pending_model = None
            session.current_id = cid
            await session._emit(ConversationTouched(session.store.conversation_summary(cid)))
        try:
            started = await session.service.compare(
                text,
                names,
                conversation_id=cid,
                thinking=session.thinking,
                after=session.shown_leaf,
                approver=OneAtATime(session.approver),
            )
        except NotFound as exc:
            if exc.kind == "conversation" and exc.ident == cid:
                await session.elsewhere.deleted(cid)
                return None
            raise
        now = session.clock()
        heads = [begun for begun, _ in started]
        compare = LiveCompare(
            cid,
            names,
            heads[0].user_message_id,
            tuple(b.assistant_message_id for b in heads),
            [
                LiveTurn(
                    cid,
                    started=now,
                    user_id=b.user_message_id,
                    assistant_id=b.assistant_message_id,
                    model=b.model,
                )
                for b in heads
            ],
            now,
        )
        self.running[cid] = compare
        if cid == session.current_id:
            session.shown_leaf = heads[0].assistant_message_id
        await session._emit(CompareBegan(compare, heads[0].user, [b.reply for b in heads]))
        await session.touched(cid)
        await session.status_changed()
        return CompareTurn(compare, [stream for _, stream in started])

    async def run(self, turn: CompareTurn) -> None:
        """Stream every reply at once; cancel the task running this to stop them all."""
        compare = turn.live
        tasks = [
            asyncio.ensure_future(self._one(compare, index, stream))
            for index, stream in enumerate(turn.streams)
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            # Each reply saves itself as stopped on its way out: wait for all of them.
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._finished(compare)

    async def _one(self, compare: LiveCompare, index: int, stream: TurnStream) -> None:
        session = self.session
        live = compare.replies[index]
        try:
            async with contextlib.aclosing(stream) as events:
                async for event in events:
                    await self._take(compare, index, live, event)
        finally:
            message = live.final
            if message is None and live.assistant_id is not None:
                with contextlib.suppress(StoreError):  # gone with its conversation
                    message = session.store.get_message(live.assistant_id)
            compare.finished.add(index)
            await session._emit(CompareReplyFinished(compare, index, live, message))

    async def _take(
        self, compare: LiveCompare, index: int, live: LiveTurn, event: TurnEvent
    ) -> None:
        before = (live.connected, live.answer_started, live.usage)
        if live.take(event, self.session.clock()):
            if (live.connected, live.answer_started, live.usage) != before:
                await self.session._emit(CompareReplyChanged(compare, index, live))
            return
        if isinstance(event, TurnEnded):
            live.final = event.message
        elif not isinstance(event, TurnStarted):
            await self.session.turns.tool_event(live, event)
            if isinstance(event, tool_events.ReplyContinued):
                await self.session._emit(CompareReplyChanged(compare, index, live))

    async def _finished(self, compare: LiveCompare) -> None:
        session = self.session
        cid = compare.conversation_id
        if self.running.get(cid) is compare:
            del self.running[cid]
        session.spend.changed()
        path: list[Message] = []
        with contextlib.suppress(StoreError):  # deleted meanwhile: nothing to show
            leaf = session.store.newest_leaf_under(compare.chosen or compare.reply_ids[0])
            session.store.set_current_leaf(cid, leaf)
            path = session.store.path_to(leaf)
            if cid == session.current_id:
                session.shown_leaf = leaf
        await session._emit(CompareFinished(compare, path))
        with contextlib.suppress(StoreError):
            await session.touched(cid)
        await session.status_changed()

    async def continue_with(self, reply_id: int, *, adopt_model: bool = True) -> None:
        """Make reply ``reply_id`` (and the newest branch below it) the branch shown, and its
        model the conversation's (unless ``adopt_model`` is False). During a compare, the
        choice is kept and applied when the replies are done."""
        session = self.session
        store = session.store
        reply = store.get_message(reply_id)
        cid = reply.conversation_id
        running = self.running.get(cid)
        if running is not None and reply_id in running.reply_ids:
            running.chosen = reply_id
        elif session.writing_in(cid):
            raise Busy
        settings = session.settings
        if adopt_model and reply.role == "assistant" and reply.model and not settings.is_demo:
            store.set_conversation_fields(cid, model=reply.model, provider=settings.provider)
        if running is None:
            await self._show(cid, reply)
        await session.touched(cid)
        await session.status_changed()

    async def _show(self, cid: int, reply: Message) -> None:
        session = self.session
        shown = session.window_path(cid) if cid == session.current_id else []
        leaf = session.store.newest_leaf_under(reply.id)
        session.store.set_current_leaf(cid, leaf)
        if cid != session.current_id:
            return
        session.shown_leaf = leaf
        replaced = next((m for m in shown if m.parent_id == reply.parent_id), None)
        if replaced is not None and replaced.id != reply.id:
            path = session.store.path_to(leaf)
            start = [m.id for m in path].index(reply.id)
            await session._emit(BranchChanged(cid, replaced.id, path[start:], None))
