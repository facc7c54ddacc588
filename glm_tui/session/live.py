"""The state of a reply being written, kept by the session while the reply streams.

The pane may be showing another conversation, or none, while a reply streams; this object
holds the text so far as shown (the store may be up to half a second behind), so switching
back to the conversation shows everything and continues live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from glm_tui.api.events import Usage
from glm_tui.store import Message
from glm_tui.terminal_text import ControlStripper


class TurnListener(Protocol):
    """What a message widget implements to follow a live reply."""

    def on_reasoning(self, text: str) -> None: ...

    def on_content(self, text: str) -> None: ...


@dataclass
class LiveTurn:
    conversation_id: int
    started: float
    """When the request went out (the app's clock, in seconds)."""
    user_id: int | None = None
    assistant_id: int | None = None
    model: str = ""
    reasoning: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    connected: float | None = None
    """When the provider answered (the first byte): until then the request is connecting."""
    answer_started: float | None = None
    """When the first piece of the answer arrived: the thinking ended then."""
    usage: Usage | None = None
    final: Message | None = None
    listener: TurnListener | None = None
    # Escape codes are removed whole, also when one is split across two pieces (the store keeps
    # the text as sent); one stripper per stream, as each holds the state of its own text.
    _clean_reasoning: ControlStripper = field(default_factory=ControlStripper, repr=False)
    _clean_content: ControlStripper = field(default_factory=ControlStripper, repr=False)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    @property
    def content_text(self) -> str:
        return "".join(self.content)

    def thinking_seconds(self, now: float, total: float | None = None) -> float:
        """How long the model has thought: from the first byte to the first answer words (or
        ``now``), never more than ``total``, the reply's whole time when it is known."""
        start = self.connected if self.connected is not None else now
        end = self.answer_started if self.answer_started is not None else now
        seconds = max(0.0, end - start)
        return seconds if total is None else min(seconds, total)

    def add_reasoning(self, text: str) -> None:
        text = self._clean_reasoning.feed(text)
        if not text:
            return
        self.reasoning.append(text)
        if self.listener is not None:
            self.listener.on_reasoning(text)

    def add_content(self, text: str, now: float) -> None:
        text = self._clean_content.feed(text)
        if not text:
            return
        if self.answer_started is None:
            self.answer_started = now
        self.content.append(text)
        if self.listener is not None:
            self.listener.on_content(text)
