"""One reply of a turn: one request streamed into its row in the store.

The reply is written while it streams (at most ``flush_interval`` seconds behind), so a crash
loses at most that much; a cancelled reply is saved as ``stopped``. A write that fails (a lock
held too long, a full or read-only disk) does not stop the reply: the text is kept in hand and
still handed on (to the screen, to stdout), and the next flush tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import field, replace
from typing import TYPE_CHECKING, Any

from glm_tui.api.errors import APIError, ConnectionLost
from glm_tui.api.events import (
    ContentDelta,
    Finished,
    ReasoningDelta,
    StreamEvent,
    ToolCall,
    ToolCalls,
    Usage,
    WebSearchResults,
    WebSource,
    status_for_finish,
)
from glm_tui.records import record
from glm_tui.reply_status import not_saved_error
from glm_tui.store import Message, NotFound, Store, StoreError
from glm_tui.store.models import utc_now

if TYPE_CHECKING:
    from glm_tui.api.client import GLMClient

LOCK_WAIT = 0.05
"""Seconds a write on the way through a reply waits for another program's lock."""
NETWORK_ERROR = "The provider failed while generating the reply (finish_reason network_error)."


@record(frozen=False, slots=False)
class ReplyRequest:
    """Everything one request of a turn needs."""

    conversation_id: int
    parent_id: int
    """The message the reply answers (the prompt, or the last tool result)."""
    reply_id: int
    model: str
    history: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)
    """The client's keyword options: thinking, temperature, top_p, max_tokens, tools."""


@record(frozen=False, slots=False)
class ReplyOutcome:
    """What the reply came to, once ``stream_reply`` is done."""

    message: Message | None = None
    """Its row as saved (or, when the history is behind, as it really is)."""
    calls: tuple[ToolCall, ...] = ()
    sources: tuple[WebSource, ...] = ()


class ReplyWriter:
    """Collects a reply's pieces and writes them to the store in batches.

    The writes on the way run in a thread, one at a time: each rewrites the whole reply and its
    search index entry, which for a long reply is a tenth of a second (a 20,000-token one, on
    a slow machine), and on the event loop that held every key typed meanwhile. SQLite does
    that work without the interpreter's lock, so it also runs beside the screen's. A write
    never replaces a later one: each carries how many pieces it holds, and one that finds more
    already written is dropped.

    A write that fails (a lock held too long, a full or read-only disk) does not stop the reply:
    the text is kept here and still handed on (to the screen, to stdout), and the next flush tries
    again. ``error`` is the last failure while some of the text is not saved.
    """

    def __init__(self, store: Store, message_id: int, interval: float) -> None:
        self.store = store
        self.message_id = message_id
        self.interval = interval
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.pieces = 0
        """Pieces added; ``written`` of them are saved."""
        self.written = 0
        self.last_flush = time.monotonic()
        self.error: StoreError | None = None
        self.gone = False
        """The reply's row is gone: another program deleted the conversation."""
        self._writing = threading.Lock()
        self._pending: asyncio.Future[None] | None = None
        """The write on the way, in its thread."""

    @property
    def dirty(self) -> bool:
        return self.written < self.pieces

    def add(self, event: ReasoningDelta | ContentDelta) -> None:
        (self.reasoning if isinstance(event, ReasoningDelta) else self.content).append(event.text)
        self.pieces += 1
        if time.monotonic() - self.last_flush >= self.interval:
            self.flush_soon()

    def flush_soon(self) -> None:
        """Start writing what came so far, in a thread, unless a write is on its way."""
        pending = self._pending
        if pending is not None:
            if not pending.done():
                return
            self._pending = None
            pending.result()  # a failure other than the store's is a bug: raised here
        self.last_flush = time.monotonic()
        if self.dirty:
            write = self._snapshot(final=False)
            self._pending = asyncio.ensure_future(asyncio.to_thread(write))

    def flush(self, *, final: bool = True) -> None:
        """Write what came so far, now: after the write on the way if it has begun; if it has
        not, that older write finds this one made and writes nothing."""
        if self.dirty:
            self._snapshot(final=final)()
        self.last_flush = time.monotonic()

    def _snapshot(self, *, final: bool) -> Callable[[], None]:
        pieces = self.pieces
        content = "".join(self.content)
        reasoning = "".join(self.reasoning) if self.reasoning else None

        def write() -> None:
            # A write on the way (``final`` False) waits for another program's lock only
            # briefly: the next one tries again.
            with self._writing:
                if self.written >= pieces:
                    return  # a later write came first
                store = self.store
                try:
                    with contextlib.nullcontext() if final else store.waiting_at_most(LOCK_WAIT):
                        store.update_message(self.message_id, content=content, reasoning=reasoning)
                except StoreError as exc:
                    self.error = exc
                    self.gone = isinstance(exc, NotFound)
                else:
                    self.written = pieces
                    self.error = None

        return write

    async def finish_writing(self) -> None:
        """Wait for the write on the way, if any (before the last one)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def flush_periodically(self) -> None:
        # Keeps a stalled stream's last words on disk, not only those followed by more words.
        while True:
            await asyncio.sleep(self.interval)
            if self.dirty:
                self.flush_soon()


async def stream_reply(
    store: Store,
    client: GLMClient,
    request: ReplyRequest,
    outcome: ReplyOutcome,
    *,
    flush_interval: float,
) -> AsyncGenerator[StreamEvent, None]:
    """Stream one reply into its row, handing each event on; ``outcome`` gets the final row.

    A cancel (or the consumer closing us) saves the reply as ``stopped`` and goes on up.
    """
    reply_id = request.reply_id
    writer = ReplyWriter(store, reply_id, flush_interval)
    flusher = asyncio.create_task(writer.flush_periodically())
    started = time.monotonic()
    final: dict[str, Any] = {"status": "interrupted"}
    problem: StoreError | None = None
    try:
        stream = client.stream_chat(request.history, model=request.model or None, **request.options)
        # aclosing: however this reply ends, the HTTP stream is closed now, not when the
        # garbage collector finds it.
        async with contextlib.aclosing(stream):
            async for event in stream:
                if isinstance(event, ReasoningDelta | ContentDelta):
                    event = type(event)(storable(event.text))
                    writer.add(event)
                if writer.gone:
                    # Deleted by another program: nothing more of it can be kept.
                    final["status"] = "stopped"
                    break
                elif isinstance(event, ToolCalls):
                    outcome.calls = event.calls
                elif isinstance(event, WebSearchResults):
                    outcome.sources = event.sources
                elif isinstance(event, Usage):
                    final["usage"] = event
                elif isinstance(event, Finished):
                    final["finish_reason"] = event.finish_reason
                    final["status"] = status_for_finish(event.finish_reason)
                    if event.finish_reason == "network_error":
                        final["error"] = NETWORK_ERROR
                yield event
    except (asyncio.CancelledError, GeneratorExit):
        # GeneratorExit: the consumer closed us (it was cancelled between two events).
        final["status"] = "stopped"
        raise
    except APIError as exc:
        final["status"] = "interrupted" if isinstance(exc, ConnectionLost) else "error"
        final["error"] = exc.user_message
        final["headline"] = exc.headline  # without the advice, should more need saying
    finally:
        flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flusher
        with contextlib.suppress(asyncio.CancelledError):
            await writer.finish_writing()
        writer.flush()
        problem = writer.error
        if problem is not None:
            _not_saved(final, problem)
        usage = final.get("usage")
        # Calls are kept only from a reply that completed: a cut one may hold half of them.
        calls = outcome.calls if final["status"] == "complete" else ()
        outcome.calls = calls
        try:
            store.update_message(
                reply_id,
                status=str(final["status"]),
                finish_reason=final.get("finish_reason"),
                error=final.get("error"),
                usage=usage if isinstance(usage, Usage) else None,
                duration=round(time.monotonic() - started, 3),
                tool_calls=calls or None,
                sources=outcome.sources or None,
            )
        except StoreError as exc:
            # Not raised from here: it would hide the reason this turn is ending (a Ctrl+C,
            # a cancel), and the reply itself is all in hand to be shown.
            if problem is None:
                problem = exc
                _not_saved(final, exc)
    try:
        message = store.get_message(reply_id)
    except NotFound as exc:
        problem = problem or exc
        _not_saved(final, exc)
        message = _unsaved_reply(
            reply_id, request.conversation_id, request.parent_id, request.model
        )
    if problem is not None:
        # The history is behind: hand on the reply as it really is, with why it is not saved.
        message = replace(
            message,
            content="".join(writer.content),
            reasoning="".join(writer.reasoning) or None,
            status=str(final["status"]),
            error=str(final["error"]),
            tool_calls=outcome.calls,
            sources=outcome.sources,
        )
    outcome.message = message


CONVERSATION_DELETED = "The conversation was deleted by another program; the reply was not saved."


def _unsaved_reply(reply_id: int, cid: int, parent_id: int, model: str) -> Message:
    """A reply whose row is gone (its conversation was deleted): the fields the turn fills."""
    return Message(
        id=reply_id,
        conversation_id=cid,
        parent_id=parent_id,
        role="assistant",
        content="",
        reasoning=None,
        status="stopped",
        finish_reason=None,
        error=None,
        model=model,
        usage=None,
        created_at=utc_now(),
        duration=None,
        writer_pid=None,
    )


def _not_saved(final: dict[str, Any], problem: StoreError) -> None:
    if isinstance(problem, NotFound):
        final["status"] = "stopped"
        final["error"] = CONVERSATION_DELETED
        return
    final["status"] = "error"
    earlier = final.get("headline") or final.get("error")
    final["error"] = not_saved_error(problem, str(earlier) if earlier else None)


def storable(text: str) -> str:
    """The provider's text as the history keeps it: as sent, escape codes included (they are
    removed where text is shown), less what SQLite text cannot hold well.

    NUL goes: SQLite's own functions (``length``, ``substr``, FTS snippets) treat it as the end of
    the text, so a NUL would hide or cut what follows it. A lone surrogate cannot be encoded as
    UTF-8 and becomes ``?``.
    """
    if not text:
        return text
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text
