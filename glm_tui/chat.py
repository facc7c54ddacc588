"""The conversation service: one turn = persist the prompt, stream the reply (and run the
approved tool calls, and stream the reply that follows them), persist it all.

The TUI and ``glm-tui ask`` both go through :class:`ChatService`, so there is one code path for
a turn. Each reply is written while it streams (``reply_stream.py``); each tool call's result
is a message of its own (``tools/loop.py``). A cancelled turn is saved as ``stopped``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from glm_tui.api.events import StreamEvent
from glm_tui.config import Settings
from glm_tui.model_history import history_for
from glm_tui.reply_stream import (
    CONVERSATION_DELETED,
    NETWORK_ERROR,
    ReplyOutcome,
    ReplyRequest,
    stream_reply,
)
from glm_tui.store import UNSET, Conversation, Message, Store
from glm_tui.store.store import Unset
from glm_tui.terminal_text import strip_controls
from glm_tui.tools.events import ReplyContinued, ToolEvent

if TYPE_CHECKING:
    from glm_tui.api.client import GLMClient
    from glm_tui.tools.approval import Approver
    from glm_tui.tools.toolbox import Toolbox

__all__ = [
    "CONVERSATION_DELETED",
    "NETWORK_ERROR",
    "ChatService",
    "TurnEnded",
    "TurnEvent",
    "TurnStarted",
    "history_for",
    "title_from_prompt",
]

TITLE_LENGTH = 60
NO_APPROVER = "no one was there to approve it"
ROUNDS_EXCEEDED = (
    "The model asked for tools again after {rounds} rounds in this turn; the turn stopped there"
    " (tool_rounds in config.toml)."
)


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


TurnEvent = TurnStarted | StreamEvent | ToolEvent | ReplyContinued | TurnEnded
"""In order: TurnStarted, the reply's stream events, and for a reply that asks for tools the
tool events, ReplyContinued and the next reply's stream events...; TurnEnded last."""


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


class ChatService:
    """Runs turns of a conversation against the model and keeps everything in the store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        client: GLMClient | None = None,
        flush_interval: float = 0.5,
        toolbox: Toolbox | None = None,
        approver: Approver | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._client = client
        self.flush_interval = flush_interval
        self.toolbox = toolbox
        """The tools offered (None: none, and no web search either); closed by ``aclose``."""
        if approver is None:
            from glm_tui.tools.approval import DenyAll

            approver = DenyAll(NO_APPROVER)
        self.approver: Approver = approver
        """Who decides about a call, unless a turn is given its own."""

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
        """Close the HTTP client and stop the toolbox's MCP servers."""
        if self._client is not None:
            await self._client.aclose()
        if self.toolbox is not None:
            await self.toolbox.aclose()

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

    def new_conversation(
        self,
        prompt: str = "",
        *,
        model: str | None = None,
        system_prompt: str | Unset | None = UNSET,
    ) -> int:
        """A new conversation titled after its first prompt, with the settings' model and
        system prompt unless given others (a role; ``system_prompt=None``: none)."""
        settings = self.settings
        return self.store.create_conversation(
            title=title_from_prompt(prompt),
            provider=settings.provider,
            model=model or settings.effective_model or "",
            system_prompt=settings.system_prompt if system_prompt is UNSET else system_prompt,
        )

    # -- the three ways a turn starts ---------------------------------------------------------

    def send(
        self,
        prompt: str,
        *,
        conversation_id: int | None = None,
        thinking: bool | None = None,
        after: int | None = None,
        approver: Approver | None = None,
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
        return self._reply(conversation_id, user_id, thinking, approver)

    def regenerate(
        self,
        assistant_message_id: int,
        *,
        thinking: bool | None = None,
        approver: Approver | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """A new reply to the same prompt, as a sibling of the old one (also used for Retry).

        In a turn that used tools, any of its replies or results stands for the whole turn:
        the new reply answers the turn's prompt (and may call tools anew)."""
        old = self.store.get_message(assistant_message_id)
        if old.role not in ("assistant", "tool") or old.parent_id is None:
            raise ValueError("only a reply to a prompt can be regenerated")
        prompt = next(
            (m for m in reversed(self.store.path_to(old.parent_id)) if m.role == "user"), None
        )
        if prompt is None:
            raise ValueError("only a reply to a prompt can be regenerated")
        return self._reply(old.conversation_id, prompt.id, thinking, approver)

    def reply_to(
        self,
        user_message_id: int,
        *,
        thinking: bool | None = None,
        approver: Approver | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """A (new) reply to a saved prompt, e.g. one whose first reply never got written."""
        msg = self.store.get_message(user_message_id)
        return self._reply(msg.conversation_id, user_message_id, thinking, approver)

    def edit(
        self,
        user_message_id: int,
        new_text: str,
        *,
        thinking: bool | None = None,
        approver: Approver | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """The edited prompt becomes a sibling of the original, and gets a new reply."""
        old = self.store.get_message(user_message_id)
        if old.role != "user":
            raise ValueError("only a prompt can be edited")
        user_id = self.store.add_message(
            old.conversation_id, parent_id=old.parent_id, role="user", content=new_text
        )
        return self._reply(old.conversation_id, user_id, thinking, approver)

    # -- the one code path ----------------------------------------------------------------------

    async def _reply(
        self,
        conversation_id: int,
        user_message_id: int,
        thinking: bool | None,
        approver: Approver | None,
    ) -> AsyncIterator[TurnEvent]:
        settings = self.settings
        conversation = self.store.get_conversation(conversation_id)
        model = self.model_for(conversation)
        reply_id = self._new_reply(conversation_id, user_message_id, model)
        yield TurnStarted(
            conversation_id,
            user_message_id,
            reply_id,
            model,
            self.store.get_message(user_message_id),
            self.store.get_message(reply_id),
        )
        options: dict[str, Any] = {
            "thinking": thinking if thinking is not None else settings.thinking,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "max_tokens": settings.max_tokens,
        }
        toolbox = self.toolbox
        parent_id, rounds = user_message_id, 0
        while True:
            if toolbox is not None:
                await toolbox.wait_started()  # each server is bounded by its start timeout
                web_search = settings.web_search and settings.provider == "zai"
                options["tools"] = toolbox.wire_tools(web_search=web_search) or None
            request = ReplyRequest(
                conversation_id,
                parent_id,
                reply_id,
                model,
                history_for(self.store.path_to(parent_id), conversation.system_prompt),
                options,
            )
            outcome = ReplyOutcome()
            stream = stream_reply(
                self.store, self.client, request, outcome, flush_interval=self.flush_interval
            )
            async with contextlib.aclosing(stream):
                async for event in stream:
                    yield event
            message = outcome.message
            assert message is not None
            if toolbox is None or not message.tool_calls or message.status != "complete":
                break
            if rounds >= settings.tool_rounds:
                message = self._stopped_calling(message, rounds)
                break
            rounds += 1
            from glm_tui.tools.loop import ToolRound

            calls = ToolRound(
                store=self.store,
                toolbox=toolbox,
                approver=approver or self.approver,
                message=message,
                timeout=settings.tool_timeout,
            )
            async with contextlib.aclosing(calls.events()) as tool_events:
                async for tool_event in tool_events:
                    yield tool_event
            parent_id = calls.last_id
            reply_id = self._new_reply(conversation_id, parent_id, model)
            yield ReplyContinued(self.store.get_message(reply_id))
        yield TurnEnded(message)

    def _new_reply(self, conversation_id: int, parent_id: int, model: str) -> int:
        settings = self.settings
        return self.store.add_message(
            conversation_id,
            parent_id=parent_id,
            role="assistant",
            status="streaming",
            model=settings.model_label if settings.is_demo else model,
            writer_pid=os.getpid(),
        )

    def _stopped_calling(self, message: Message, rounds: int) -> Message:
        """The model asked for more rounds than a turn may make: its last calls are not run,
        and the turn ends on this reply, saying why."""
        error = ROUNDS_EXCEEDED.format(rounds=rounds)
        with contextlib.suppress(Exception):
            self.store.update_message(message.id, status="error", error=error)
        return replace(message, status="error", error=error)
