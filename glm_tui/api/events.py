"""Typed events yielded by the streaming client, in the order they arrive."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from glm_tui.records import record


@record
class Connected:
    """The provider answered (status line and headers of a streaming reply): the first byte.

    Until then the request may still be connecting, or being retried."""


@record
class ReasoningDelta:
    """A piece of the model's reasoning (``delta.reasoning_content`` or ``delta.reasoning``)."""

    text: str


@record
class ContentDelta:
    """A piece of the answer (``delta.content``)."""

    text: str


@record
class Usage:
    """Token counts (and cost, when the provider reports it) for one reply."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    credits: float | None = None
    usd: float | None = None

    def to_dict(self) -> dict[str, int | float | None]:
        return asdict(self)


@record
class Finished:
    """The stream ended with a ``finish_reason`` (``stop``, ``length``, ``sensitive``...)."""

    finish_reason: str


@record
class ToolCall:
    """A function the model asks to run. ``arguments`` is the JSON text as the model sent it:
    it may not be valid JSON (the tool loop says so to the model instead of running it)."""

    id: str
    name: str
    arguments: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}

    def to_wire(self) -> dict[str, Any]:
        """The call as an assistant message carries it back to the provider."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }

    @classmethod
    def from_json(cls, data: Any) -> ToolCall | None:
        if not isinstance(data, dict):
            return None
        call_id, name, arguments = (data.get(key) for key in ("id", "name", "arguments"))
        if isinstance(call_id, str) and isinstance(name, str) and isinstance(arguments, str):
            return cls(call_id, name, arguments)
        return None


@record
class ToolCalls:
    """The model asks for these calls (in the order it gave them), assembled whole from the
    stream; yielded once, after the reply's text and before ``Usage`` and ``Finished``."""

    calls: tuple[ToolCall, ...]


@record
class WebSource:
    """One web page Z.ai's ``web_search`` tool found for the reply."""

    title: str
    link: str
    media: str | None = None
    """The site's name, as Z.ai gives it."""
    publish_date: str | None = None
    refer: str | None = None
    """The reference mark the answer may cite (``ref_1``)."""

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> WebSource | None:
        """A source from Z.ai's ``web_search`` item or from our own JSON; None if it has no
        link or title to show."""
        if not isinstance(data, dict):
            return None
        link = data.get("link") or data.get("url")
        title = data.get("title")
        if not isinstance(link, str) or not link.strip():
            return None
        title = title if isinstance(title, str) and title.strip() else link

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        return cls(title, link, text("media"), text("publish_date"), text("refer"))


@record
class WebSearchResults:
    """The pages Z.ai's web search found for this reply, in its order (yielded once, at the
    end of the stream, like ``ToolCalls``)."""

    sources: tuple[WebSource, ...]


StreamEvent = (
    Connected | ReasoningDelta | ContentDelta | ToolCalls | WebSearchResults | Usage | Finished
)


def sources_to_text(sources: tuple[WebSource, ...] | list[WebSource]) -> str | None:
    """Sources as the store keeps them (JSON), None for none."""
    if not sources:
        return None
    return json.dumps([s.to_json() for s in sources], ensure_ascii=False)


def calls_to_text(calls: tuple[ToolCall, ...] | list[ToolCall]) -> str | None:
    """Tool calls as the store keeps them (JSON), None for none."""
    if not calls:
        return None
    return json.dumps([c.to_json() for c in calls], ensure_ascii=False)


# finish_reason -> message status (docs/architecture.md, "Message status").
FINISH_STATUS: dict[str, str] = {
    "stop": "complete",
    "tool_calls": "complete",
    "length": "truncated",
    "model_context_window_exceeded": "truncated",
    "sensitive": "filtered",
    "content_filter": "filtered",
    "network_error": "error",
}


def status_for_finish(finish_reason: str | None) -> str:
    """The message status a finish reason leads to; unknown reasons count as complete."""
    if finish_reason is None:
        return "interrupted"
    return FINISH_STATUS.get(finish_reason, "complete")
