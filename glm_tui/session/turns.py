"""The window's turns (``session.turns``): a prompt saved and its reply streamed.

A turn is two steps: ``send`` (or ``regenerate``, ``edit``...) checks what cannot go, saves the
prompt and returns a :class:`Turn`; ``run(turn)`` streams the reply into its ``LiveTurn`` and
tells the listeners as it goes. The session keeps the live turns (``session.live``), so a
conversation left and opened again goes on live.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from glm_tui.chat import TurnEnded, TurnEvent, TurnStarted, TurnStream
from glm_tui.records import record
from glm_tui.session.attaching import WouldOverflow
from glm_tui.session.errors import Busy, CannotSend
from glm_tui.session.events import (
    BranchChanged,
    ContextOverflowed,
    ConversationTouched,
    ReplyContinued,
    ToolCallChanged,
    TurnBegan,
    TurnFinished,
    TurnQueued,
)
from glm_tui.session.live import LiveToolCall, LiveTurn
from glm_tui.store import NotFound, StoreError
from glm_tui.tools import events as tool_events

if TYPE_CHECKING:
    from glm_tui.session.session import Session


@record(frozen=False, slots=False)
class Turn:
    """A prompt saved, its reply not yet streamed: hand it to ``Session.run``."""

    live: LiveTurn
    stream: TurnStream


class TurnDesk:
    """Starts the window's turns and streams their replies; see the module's docstring."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def send(
        self, text: str, *, force: bool = False, thinking: bool | None = None
    ) -> Turn | None:
        """``Session.send``: a prompt at the end of the branch shown."""
        session = self._session
        self.check_can_send()
        cid = session.current_id
        if cid is not None and session.writing_in(cid):
            raise Busy
        attachments = await session.attachments.for_prompt(text)
        if attachments:
            service = session.service
            vision_checked(lambda: service.check_attachments(cid, attachments))
        if not force:
            estimate = session.estimate(text)
            if estimate.would_overflow:
                raise WouldOverflow(estimate)
        if cid is None:
            pending = session.next_conversation
            options: dict[str, Any] = pending.options() if pending is not None else {}
            if session.pending_model and "model" not in options:
                options["model"] = session.pending_model
            session.pending_model = None
            cid = session.service.new_conversation(text, **options)
            session.current_id = cid
            session.next_conversation = None
            await session.emit(ConversationTouched(session.store.conversation_summary(cid)))
        if thinking is None:
            thinking = session.thinking
        target, after, approver = cid, session.shown_leaf, session.approver
        turn = await self.start(
            cid,
            lambda: session.service.send(
                text,
                conversation_id=target,
                thinking=thinking,
                after=after,
                approver=approver,
                attachments=attachments,
            ),
        )
        if turn is not None:
            await session.attachments.clear()
        return turn

    async def regenerate(self, message_id: int, *, model: str | None = None) -> Turn | None:
        """``Session.regenerate``: a new reply beside reply ``message_id``."""
        session = self._session
        self.check_can_send()
        reply = session.store.get_message(message_id)
        thinking, approver = session.thinking, session.approver
        return await self.start(
            reply.conversation_id,
            lambda: session.service.regenerate(
                message_id, thinking=thinking, approver=approver, model=model
            ),
        )

    async def reply_again(self, user_message_id: int) -> Turn | None:
        """``Session.reply_again``: a reply to a prompt whose reply never got written."""
        session = self._session
        self.check_can_send()
        prompt = session.store.get_message(user_message_id)
        thinking, approver = session.thinking, session.approver
        return await self.start(
            prompt.conversation_id,
            lambda: session.service.reply_to(user_message_id, thinking=thinking, approver=approver),
        )

    async def regenerate_last(self) -> Turn | None:
        """``Session.regenerate_last``: a new reply to the last prompt of the branch shown."""
        session = self._session
        if session.current_id is None:
            return None
        path = session.window_path(session.current_id)
        if path and path[-1].role == "user":
            return await self.reply_again(path[-1].id)
        replies = [m for m in path if m.role == "assistant"]
        return await self.regenerate(replies[-1].id) if replies else None

    async def edit(self, message_id: int, text: str) -> Turn | None:
        """``Session.edit``: the edited prompt, a sibling of the original, with a reply."""
        session = self._session
        self.check_can_send()
        old = session.store.get_message(message_id)
        cid, thinking, approver = old.conversation_id, session.thinking, session.approver
        turn = await self.start(
            cid,
            lambda: session.service.edit(message_id, text, thinking=thinking, approver=approver),
        )
        if turn is not None and cid == session.current_id:
            path = session.store.current_path(cid)
            session.shown_leaf = path[-1].id
            await session.emit(BranchChanged(cid, message_id, path[-1:], turn.live))
        return turn

    def check_can_send(self) -> None:
        """CannotSend when the settings cannot make a request (no key...); also for the
        session's other requests (compare, compaction)."""
        problem = self._session.settings.request_problem()
        if problem:
            raise CannotSend(problem)

    async def start(self, cid: int, begin: Callable[[], TurnStream]) -> Turn | None:
        session = self._session
        if session.writing_in(cid):
            raise Busy
        try:
            # Saves the prompt (an edit, a prompt) before it returns.
            stream: TurnStream = vision_checked(begin)  # type: ignore[assignment]
        except NotFound as exc:
            if exc.kind == "conversation" and exc.ident == cid:
                await session.elsewhere.deleted(cid)
                return None
            raise
        live = LiveTurn(cid, started=session.clock())
        session.live[cid] = live
        await session.emit(TurnQueued(live))
        await session.status_changed()
        return Turn(live, stream)

    async def run(self, turn: Turn) -> None:
        """``Session.run``: stream the reply into ``turn.live``."""
        live = turn.live
        clock = self._session.clock
        try:
            async with contextlib.aclosing(turn.stream) as events:
                async for event in events:
                    if live.take(event, clock()):
                        continue
                    if isinstance(event, TurnStarted):
                        await self._began(live, event)
                    elif isinstance(event, TurnEnded):
                        live.final = event.message
                    else:
                        await self.tool_event(live, event)
        finally:
            await self._finished(live)

    async def tool_event(self, live: LiveTurn, event: TurnEvent) -> None:
        """A turn's tool calls as they happen (a compare's replies' too): the live turn keeps
        them in order, the listeners are told of each change."""
        session = self._session
        changed: LiveToolCall | None = None
        if isinstance(event, tool_events.ToolCallsProposed):
            for proposed in event.calls:
                call = LiveToolCall(
                    proposed.call,
                    proposed.tool,
                    proposed.policy,
                    proposed.problem,
                    arguments=proposed.call.arguments,
                )
                live.add_call(call)
                await session.emit(ToolCallChanged(live, call))
        elif isinstance(event, tool_events.ToolCallDecided):
            changed = live.tool_calls.get(event.call.id)
            if changed is not None:
                changed.verdict, changed.arguments = event.verdict, event.arguments
        elif isinstance(event, tool_events.ToolCallStarted | tool_events.ToolCallFinished):
            changed = live.tool_calls.get(event.call.id)
            if changed is not None:
                changed.message = event.message
            self._follow(live, event.message.id)
        elif isinstance(event, tool_events.ReplyContinued):
            live.assistant_id = event.reply.id
            self._follow(live, event.reply.id)
            await session.emit(ReplyContinued(live, event.reply))
        if changed is not None:
            await session.emit(ToolCallChanged(live, changed))

    def _follow(self, live: LiveTurn, message_id: int) -> None:
        """The branch shown grows with the turn (tool results, the next reply)."""
        if live.conversation_id == self._session.current_id:
            self._session.shown_leaf = message_id

    async def _began(self, live: LiveTurn, event: TurnStarted) -> None:
        session = self._session
        live.user_id = event.user_message_id
        live.assistant_id = event.assistant_message_id
        live.model = event.model
        if live.conversation_id == session.current_id:
            session.shown_leaf = event.assistant_message_id
        await session.emit(TurnBegan(live, event.user, event.reply))
        await session.touched(live.conversation_id)

    async def _finished(self, live: LiveTurn) -> None:
        session = self._session
        cid = live.conversation_id
        if session.live.get(cid) is live:
            del session.live[cid]
        session.spend.changed()
        message = live.final
        if message is None and live.assistant_id is not None:
            with contextlib.suppress(NotFound):  # gone with its conversation
                message = session.store.get_message(live.assistant_id)
        await session.emit(TurnFinished(live, message))
        if message is not None:
            from glm_tui.context.overflow import overflowed

            if overflowed(message):
                await session.emit(ContextOverflowed(live, message))
        with contextlib.suppress(StoreError):
            await session.touched(cid)
        await session.status_changed()
        if message is not None:
            session.titler.after_reply(message)


def vision_checked(check: Callable[[], object]) -> object:
    """Run ``check``; no model for an image is CannotSend (one line saying what to set)."""
    from glm_tui.context.window import NoVisionModel

    try:
        return check()
    except NoVisionModel as exc:
        raise CannotSend(str(exc)) from None
