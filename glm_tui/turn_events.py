"""What a turn yields, in order (``ChatService.send``, ``regenerate``...): ``TurnStarted``, the
reply's stream events, for a reply that asks for tools the tool events and ``ReplyContinued``,
and ``TurnEnded`` last. The TUI's session, ``glm-tui ask`` and the compare read them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from glm_tui.api.events import StreamEvent
from glm_tui.records import record
from glm_tui.store import Message
from glm_tui.tools.events import ReplyContinued, ToolEvent


@record
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


@record
class TurnEnded:
    """The reply is final in the store; ``message`` is its saved row."""

    message: Message

    @property
    def status(self) -> str:
        return self.message.status


TurnEvent = TurnStarted | StreamEvent | ToolEvent | ReplyContinued | TurnEnded
"""In order: TurnStarted, the reply's stream events, and for a reply that asks for tools the
tool events, ReplyContinued and the next reply's stream events...; TurnEnded last."""
TurnStream = AsyncGenerator[TurnEvent, None]
"""A turn's events, as the service streams them (close it to stop the turn)."""
