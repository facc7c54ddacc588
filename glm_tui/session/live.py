"""The state of a reply being written, kept by the session while the reply streams.

The pane may be showing another conversation, or none, while a reply streams; this object
holds the text so far as shown (the store may be up to half a second behind), so switching
back to the conversation shows everything and continues live.
"""

from __future__ import annotations

from dataclasses import field
from typing import Literal, Protocol

from glm_tui.api.events import (
    Connected,
    ContentDelta,
    ReasoningDelta,
    ToolCall,
    Usage,
    WebSearchResults,
    WebSource,
)
from glm_tui.records import record
from glm_tui.store import Message
from glm_tui.terminal_text import ControlStripper
from glm_tui.tools.spec import ToolSpec

CallState = Literal["proposed", "running", "finished"]


class TurnListener(Protocol):
    """What a message widget implements to follow a live reply."""

    def on_reasoning(self, text: str) -> None: ...

    def on_content(self, text: str) -> None: ...


@record(frozen=False, slots=False)
class LiveToolCall:
    """One tool call of a live turn, as the pane shows it (a collapsible block)."""

    call: ToolCall
    tool: ToolSpec | None
    """None: the model named a tool that is not offered."""
    policy: str
    """``always`` or ``ask``."""
    problem: str | None
    """Why it will not run (unknown tool, bad arguments), or None."""
    verdict: str | None = None
    """Once decided: ``auto``, ``allow``, ``always``, ``deny`` or ``invalid``."""
    arguments: str = ""
    """The arguments it runs with (the model's, or the user's edit)."""
    message: Message | None = None
    """Its result's row, once it exists: ``content`` is the result, ``tool.status`` how it
    ended (None while running), ``duration`` how long it took."""

    @property
    def source(self) -> str:
        return self.tool.source if self.tool is not None else "unknown"

    @property
    def state(self) -> CallState:
        if self.message is None:
            return "proposed"
        if self.message.tool is not None and self.message.tool.status is None:
            return "running"
        return "finished"


@record(frozen=False, slots=False)
class TextPart:
    """A run of reasoning or answer text of a live turn (the turn alternates: think, call,
    think, answer)."""

    kind: Literal["reasoning", "content"]
    pieces: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@record(frozen=False, slots=False)
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
    parts: list[TextPart | LiveToolCall] = field(default_factory=list)
    """The turn in order: thinking, text and tool calls, as they came (``reasoning`` and
    ``content`` hold all of the text, for a turn without tools)."""
    tool_calls: dict[str, LiveToolCall] = field(default_factory=dict)
    """The turn's calls by id."""
    sources: tuple[WebSource, ...] = ()
    """Web pages Z.ai's search found for the reply."""
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
        self._text_part("reasoning").pieces.append(text)
        if self.listener is not None:
            self.listener.on_reasoning(text)

    def add_content(self, text: str, now: float) -> None:
        text = self._clean_content.feed(text)
        if not text:
            return
        if self.answer_started is None:
            self.answer_started = now
        self.content.append(text)
        self._text_part("content").pieces.append(text)
        if self.listener is not None:
            self.listener.on_content(text)

    def _text_part(self, kind: Literal["reasoning", "content"]) -> TextPart:
        last = self.parts[-1] if self.parts else None
        if isinstance(last, TextPart) and last.kind == kind:
            return last
        part = TextPart(kind)
        self.parts.append(part)
        return part

    def take(self, event: object, now: float) -> bool:
        """Keep what a stream event says (text, the first byte, usage, sources); False for an
        event this does not keep (the turn's start and end, tool calls)."""
        if isinstance(event, ContentDelta):
            self.add_content(event.text, now)
        elif isinstance(event, ReasoningDelta):
            self.add_reasoning(event.text)
        elif isinstance(event, Connected):
            if self.connected is None:
                self.connected = now
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, WebSearchResults):
            self.sources = event.sources
        else:
            return False
        return True

    def add_call(self, call: LiveToolCall) -> None:
        self.tool_calls[call.call.id] = call
        self.parts.append(call)
