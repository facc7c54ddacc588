"""Typed events yielded by the streaming client, in the order they arrive."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Connected:
    """The provider answered (status line and headers of a streaming reply): the first byte.

    Until then the request may still be connecting, or being retried."""


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's reasoning (``delta.reasoning_content`` or ``delta.reasoning``)."""

    text: str


@dataclass(frozen=True, slots=True)
class ContentDelta:
    """A piece of the answer (``delta.content``)."""

    text: str


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> Usage | None:
        if not data:
            return None
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in fields})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Finished:
    """The stream ended with a ``finish_reason`` (``stop``, ``length``, ``sensitive``...)."""

    finish_reason: str


StreamEvent = Connected | ReasoningDelta | ContentDelta | Usage | Finished

# finish_reason -> message status (see interface.md, "Message status").
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
