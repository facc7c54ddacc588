"""The one code path of a turn's replies (``ChatService``'s ``send``, ``regenerate``, ``edit``,
``reply_to`` and ``compare`` all end here): the reply's row made, the reply streamed and written
(``reply_stream.py``), and while it asks for tools, the approved calls run (``tools/loop.py``)
and the reply that follows them streamed in a row of its own.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from glm_tui.reply_stream import ReplyOutcome, ReplyRequest, stream_reply
from glm_tui.store import Message
from glm_tui.tools.events import ReplyContinued
from glm_tui.turn_events import TurnEnded, TurnStarted, TurnStream

if TYPE_CHECKING:
    from glm_tui.chat import ChatService
    from glm_tui.tools.approval import Approver

ROUNDS_EXCEEDED = (
    "The model asked for tools again after {rounds} rounds in this turn; the turn stopped there"
    " (tool_rounds in config.toml)."
)


class ReplyLoop:
    """Streams the replies of one turn for the chat service that owns it (``service``: its
    store, client, settings, toolbox and approver, read at each turn)."""

    def __init__(self, service: ChatService) -> None:
        self._service = service

    async def stream(
        self,
        conversation_id: int,
        user_message_id: int,
        thinking: bool | None,
        approver: Approver | None,
        *,
        model: str | None = None,
    ) -> TurnStream:
        """``model``: chosen for this reply (a compare's column); None: the conversation's, or
        the vision model for a prompt with an image."""
        service = self._service
        settings = service.settings
        conversation = service.store.get_conversation(conversation_id)
        chosen = model
        model = model or service.model_for_prompt(user_message_id)
        reply_id = self._new_reply(conversation_id, user_message_id, model, chosen is not None)
        yield TurnStarted(
            conversation_id,
            user_message_id,
            reply_id,
            model,
            service.store.get_message(user_message_id),
            service.store.get_message(reply_id),
        )
        options: dict[str, Any] = {
            "thinking": thinking if thinking is not None else settings.thinking,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "max_tokens": settings.max_tokens,
        }
        toolbox = service.toolbox
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
                service.history(conversation, parent_id, model),
                options,
            )
            outcome = ReplyOutcome()
            stream = stream_reply(
                service.store,
                await service.ready_client(),
                request,
                outcome,
                flush_interval=service.flush_interval,
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
                store=service.store,
                toolbox=toolbox,
                approver=approver or service.approver,
                message=message,
                timeout=settings.tool_timeout,
            )
            async with contextlib.aclosing(calls.events()) as tool_events:
                async for tool_event in tool_events:
                    yield tool_event
            parent_id = calls.last_id
            reply_id = self._new_reply(conversation_id, parent_id, model, chosen is not None)
            yield ReplyContinued(service.store.get_message(reply_id))
        yield TurnEnded(message)

    def _new_reply(self, conversation_id: int, parent_id: int, model: str, chosen: bool) -> int:
        """The reply's row, streaming; ``chosen``: the model was asked for by name (a compare),
        so the row says it even with the demo model."""
        settings = self._service.settings
        return self._service.store.add_message(
            conversation_id,
            parent_id=parent_id,
            role="assistant",
            status="streaming",
            model=settings.model_label if settings.is_demo and not chosen else model,
            writer_pid=os.getpid(),
        )

    def _stopped_calling(self, message: Message, rounds: int) -> Message:
        """The model asked for more rounds than a turn may make: its last calls are not run,
        and the turn ends on this reply, saying why."""
        error = ROUNDS_EXCEEDED.format(rounds=rounds)
        with contextlib.suppress(Exception):
            self._service.store.update_message(message.id, status="error", error=error)
        return replace(message, status="error", error=error)
