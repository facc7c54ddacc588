"""The conversation service: one turn = persist the prompt, stream the reply, persist it.

The TUI and ``glm-tui ask`` both go through :class:`ChatService`, so there is one code path for
a turn. The reply is written while it streams (at most ``flush_interval`` seconds behind), so a
crash loses at most that much; a cancelled turn is saved as ``stopped``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from glm_tui.api.errors import APIError, ConnectionLost
from glm_tui.api.events import (
    Connected,
    ContentDelta,
    Finished,
    ReasoningDelta,
    Usage,
    status_for_finish,
)
from glm_tui.config import Settings
from glm_tui.reply_status import not_saved_error
from glm_tui.store import Conversation, Message, NotFound, Store, StoreError
from glm_tui.store.models import utc_now
from glm_tui.terminal_text import strip_controls

if TYPE_CHECKING:
    from glm_tui.api.client import GLMClient

TITLE_LENGTH = 60
LOCK_WAIT = 0.05
"""Seconds a write on the way through a reply waits for another program's lock."""
NETWORK_ERROR = "The provider failed while generating the reply (finish_reason network_error)."


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """The prompt is saved and the reply's row exists (status ``streaming``)."""

    conversation_id: int
    user_message_id: int
    assistant_message_id: int
    model: str
    user: Message
    """The prompt's row, as saved."""
    reply: Message
    """The reply's row, as saved (empty, ``streaming``)."""


@dataclass(frozen=True, slots=True)
class TurnEnded:
    """The reply is final in the store; ``message`` is its saved row."""

    message: Message

    @property
    def status(self) -> str:
        return self.message.status


TurnEvent = TurnStarted | Connected | ReasoningDelta | ContentDelta | Usage | Finished | TurnEnded


def title_from_prompt(prompt: str) -> str:
    """The first non-empty line, whitespace collapsed, cut at about 60 characters."""
    line = next((ln for ln in strip_controls(prompt).splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    if len(line) > TITLE_LENGTH:
        cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0]
        line = (cut if len(cut) > TITLE_LENGTH // 2 else line[:TITLE_LENGTH]).rstrip() + "…"
    return line or "New conversation"


def make_client(settings: Settings) -> GLMClient:
    """The HTTP client for these settings (the demo provider gets the offline transport)."""
    # Imported here: httpx is a fair share of start-up, and the first screen does not need it.
    from glm_tui.api.client import GLMClient

    transport = None
    if settings.is_demo:
        from glm_tui.api.demo import DemoTransport

        transport = DemoTransport()
    return GLMClient(
        base_url=settings.effective_base_url or "",
        api_key=settings.api_key,
        model=settings.effective_model or "",
        read_timeout=settings.read_timeout,
        transport=transport,
    )


def history_for(path: list[Message], system_prompt: str | None) -> list[dict[str, str]]:
    """What the model is sent: the system prompt, then the branch, without earlier reasoning.

    Replies that failed before saying anything are left out: the model never said them.
    """
    messages: list[dict[str, str]] = []
    if system_prompt and system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt})
    for msg in path:
        if msg.role == "assistant" and not msg.content:
            continue
        messages.append({"role": msg.role, "content": msg.content})
    return messages


class _ReplyWriter:
    """Collects a reply's pieces and writes them to the store in batches.

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
        self.dirty = False
        self.last_flush = time.monotonic()
        self.error: StoreError | None = None
        self.gone = False
        """The reply's row is gone: another program deleted the conversation."""

    def add(self, event: ReasoningDelta | ContentDelta) -> None:
        (self.reasoning if isinstance(event, ReasoningDelta) else self.content).append(event.text)
        self.dirty = True
        if time.monotonic() - self.last_flush >= self.interval:
            self.flush(final=False)

    def flush(self, *, final: bool = True) -> None:
        """Write what came so far. A write on the way (``final`` False) waits for another
        program's lock only briefly: the next one tries again, and the TUI, whose event loop
        runs the writes, would not respond while it waited."""
        if self.dirty:
            try:
                with contextlib.nullcontext() if final else self.store.waiting_at_most(LOCK_WAIT):
                    self.store.update_message(
                        self.message_id,
                        content="".join(self.content),
                        reasoning="".join(self.reasoning) if self.reasoning else None,
                    )
            except StoreError as exc:
                self.error = exc
                self.gone = isinstance(exc, NotFound)
            else:
                self.dirty = False
                self.error = None
        self.last_flush = time.monotonic()

    async def flush_periodically(self) -> None:
        # Keeps a stalled stream's last words on disk, not only those followed by more words.
        while True:
            await asyncio.sleep(self.interval)
            if self.dirty:
                self.flush(final=False)


class ChatService:
    """Runs turns of a conversation against the model and keeps everything in the store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        client: GLMClient | None = None,
        flush_interval: float = 0.5,
    ) -> None:
        self.store = store
        self.settings = settings
        self._client = client
        self.flush_interval = flush_interval

    @property
    def client(self) -> GLMClient:
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    def update_settings(self, settings: Settings) -> None:
        """Use new settings for the next turn (a new client if the endpoint changed)."""
        old = self.settings
        self.settings = settings
        if (old.provider, old.effective_base_url, old.api_key, old.read_timeout) != (
            settings.provider,
            settings.effective_base_url,
            settings.api_key,
            settings.read_timeout,
        ):
            self._client = None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def model_for(self, conversation: Conversation | None) -> str:
        """The model the next request of a conversation (None: a new one) is sent to: the
        conversation's own, unless it was made with another provider (its model would mean
        nothing there), else the one of the settings."""
        settings = self.settings
        if (
            conversation is not None
            and conversation.model
            and conversation.provider == settings.provider
        ):
            return conversation.model
        return settings.effective_model or ""

    def new_conversation(self, prompt: str = "") -> int:
        settings = self.settings
        return self.store.create_conversation(
            title=title_from_prompt(prompt),
            provider=settings.provider,
            model=settings.effective_model or "",
            system_prompt=settings.system_prompt,
        )

    # -- the three ways a turn starts ---------------------------------------------------------

    def send(
        self,
        prompt: str,
        *,
        conversation_id: int | None = None,
        thinking: bool | None = None,
        after: int | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """A new prompt at the end of the conversation's current branch (a new one if None),
        or after the message ``after``: the end of the branch a window shows, which another
        program may have left for another branch since."""
        if conversation_id is None:
            conversation_id = self.new_conversation(prompt)
            parent_id = None
        elif after is not None:
            parent_id = after
        else:
            parent_id = self.store.get_conversation(conversation_id).current_leaf_id
        user_id = self.store.add_message(
            conversation_id, parent_id=parent_id, role="user", content=prompt
        )
        return self._reply(conversation_id, user_id, thinking)

    def regenerate(
        self, assistant_message_id: int, *, thinking: bool | None = None
    ) -> AsyncIterator[TurnEvent]:
        """A new reply to the same prompt, as a sibling of the old one (also used for Retry)."""
        old = self.store.get_message(assistant_message_id)
        if old.role != "assistant" or old.parent_id is None:
            raise ValueError("only a reply to a prompt can be regenerated")
        return self._reply(old.conversation_id, old.parent_id, thinking)

    def reply_to(
        self, user_message_id: int, *, thinking: bool | None = None
    ) -> AsyncIterator[TurnEvent]:
        """A (new) reply to a saved prompt, e.g. one whose first reply never got written."""
        msg = self.store.get_message(user_message_id)
        return self._reply(msg.conversation_id, user_message_id, thinking)

    def edit(
        self, user_message_id: int, new_text: str, *, thinking: bool | None = None
    ) -> AsyncIterator[TurnEvent]:
        """The edited prompt becomes a sibling of the original, and gets a new reply."""
        old = self.store.get_message(user_message_id)
        if old.role != "user":
            raise ValueError("only a prompt can be edited")
        user_id = self.store.add_message(
            old.conversation_id, parent_id=old.parent_id, role="user", content=new_text
        )
        return self._reply(old.conversation_id, user_id, thinking)

    # -- the one code path ----------------------------------------------------------------------

    async def _reply(
        self, conversation_id: int, user_message_id: int, thinking: bool | None
    ) -> AsyncIterator[TurnEvent]:
        settings = self.settings
        conversation = self.store.get_conversation(conversation_id)
        model = self.model_for(conversation)
        history = history_for(self.store.path_to(user_message_id), conversation.system_prompt)
        reply_id = self.store.add_message(
            conversation_id,
            parent_id=user_message_id,
            role="assistant",
            status="streaming",
            model=settings.model_label if settings.is_demo else model,
            writer_pid=os.getpid(),
        )
        yield TurnStarted(
            conversation_id,
            user_message_id,
            reply_id,
            model,
            self.store.get_message(user_message_id),
            self.store.get_message(reply_id),
        )

        writer = _ReplyWriter(self.store, reply_id, self.flush_interval)
        flusher = asyncio.create_task(writer.flush_periodically())
        started = time.monotonic()
        final: dict[str, object] = {"status": "interrupted"}
        problem: StoreError | None = None
        try:
            stream = self.client.stream_chat(
                history,
                model=model or None,
                thinking=thinking if thinking is not None else settings.thinking,
                temperature=settings.temperature,
                top_p=settings.top_p,
                max_tokens=settings.max_tokens,
            )
            # aclosing: however this turn ends, the HTTP stream is closed now, not when the
            # garbage collector finds it.
            async with contextlib.aclosing(stream):
                async for event in stream:
                    if isinstance(event, ReasoningDelta | ContentDelta):
                        event = type(event)(_storable(event.text))
                        writer.add(event)
                    if writer.gone:
                        # Deleted by another program: nothing more of it can be kept.
                        final["status"] = "stopped"
                        break
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
            writer.flush()
            problem = writer.error
            if problem is not None:
                _not_saved(final, problem)
            usage = final.get("usage")
            try:
                self.store.update_message(
                    reply_id,
                    status=str(final["status"]),
                    finish_reason=final.get("finish_reason"),  # type: ignore[arg-type]
                    error=final.get("error"),  # type: ignore[arg-type]
                    usage=usage if isinstance(usage, Usage) else None,
                    duration=round(time.monotonic() - started, 3),
                )
            except StoreError as exc:
                # Not raised from here: it would hide the reason this turn is ending (a Ctrl+C,
                # a cancel), and the reply itself is all in hand to be shown.
                if problem is None:
                    problem = exc
                    _not_saved(final, exc)
        try:
            message = self.store.get_message(reply_id)
        except NotFound as exc:
            problem = problem or exc
            _not_saved(final, exc)
            message = _unsaved_reply(reply_id, conversation_id, user_message_id, model)
        if problem is not None:
            # The history is behind: hand on the reply as it really is, with why it is not saved.
            message = replace(
                message,
                content="".join(writer.content),
                reasoning="".join(writer.reasoning) or None,
                status=str(final["status"]),
                error=str(final["error"]),
            )
        yield TurnEnded(message)


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
        writer_started=None,
    )


def _not_saved(final: dict[str, object], problem: StoreError) -> None:
    if isinstance(problem, NotFound):
        final["status"] = "stopped"
        final["error"] = CONVERSATION_DELETED
        return
    final["status"] = "error"
    earlier = final.get("headline") or final.get("error")
    final["error"] = not_saved_error(problem, str(earlier) if earlier else None)


def _storable(text: str) -> str:
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
