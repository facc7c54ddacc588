"""What a turn tells of its tool calls, in order, between the reply's own events.

A turn that uses tools goes: the reply streams (thinking, perhaps text) and ends asking for
calls -> ``ToolCallsProposed`` (the reply's row, with the calls) -> ``ToolCallDecided`` for
each call -> ``ToolCallStarted`` / ``ToolCallFinished`` as each runs (a call that is not run
only finishes) -> ``ReplyContinued`` (a new reply row: the model thinks again, and answers or
calls more tools) -> ... -> ``TurnEnded``. Each event carries the rows it concerns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glm_tui.records import record

if TYPE_CHECKING:
    from glm_tui.api.events import ToolCall
    from glm_tui.store import Message
    from glm_tui.tools.spec import Policy, ToolSpec


@record
class ProposedCall:
    call: ToolCall
    tool: ToolSpec | None
    """The tool it would run (None: the model named a tool that is not offered)."""
    policy: Policy
    """``always``: it runs without asking; ``ask``: the approver decides."""
    problem: str | None
    """Why it will not run (an unknown tool, arguments that are not JSON or do not match the
    schema), as the model is told; None when it can run."""


@record
class ToolCallsProposed:
    """The reply asks for calls: ``message`` is its saved row (complete, with the calls)."""

    message: Message
    calls: tuple[ProposedCall, ...]


@record
class ToolCallDecided:
    call: ToolCall
    verdict: str
    """``auto`` (allowed always), ``allow``, ``always`` (allowed, and from now on),
    ``deny``, or ``invalid`` (not run: see the proposed call's problem)."""
    arguments: str
    """The arguments it runs with (edited ones, if the user edited them)."""
    note: str | None = None
    """Something to tell the user (the choice "always" could not be saved...)."""


@record
class ToolCallStarted:
    """A call is running; ``message`` is its result's row (``streaming``, no result yet)."""

    call: ToolCall
    message: Message


@record
class ToolCallFinished:
    """A call ended (or was never run): ``message`` is its result's row, final: the result
    as the model gets it in ``content``, ``tool.status`` (ok / error / denied / timed_out /
    cancelled) and ``duration``."""

    call: ToolCall
    message: Message


@record
class ReplyContinued:
    """The results went back to the model: ``reply`` is the new reply's row (``streaming``)."""

    reply: Message


ToolEvent = ToolCallsProposed | ToolCallDecided | ToolCallStarted | ToolCallFinished
