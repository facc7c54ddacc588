"""Approval: nothing runs unasked. The seam between the tool loop and whoever decides.

The loop asks an :class:`Approver` about the calls of one reply that need asking (the tools
allowed always are not asked about), all at once; it answers with one :class:`Decision` per
call. ``ask`` has three approvers here; the TUI brings its own (the approval panel).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol, TextIO

from glm_tui.api.events import ToolCall
from glm_tui.records import record
from glm_tui.tools.spec import ToolSpec


class Verdict(StrEnum):
    ALLOW = "allow"
    """Allow this call once."""
    ALWAYS = "always"
    """Allow it, and every later call of this tool (saved: alwaysAllow in mcp.json, or
    always_allow in config.toml for a built-in tool)."""
    DENY = "deny"
    """Do not run it; the model is told it was denied."""


@record
class Decision:
    verdict: Verdict
    arguments: str | None = None
    """Edited arguments (JSON text) to run the call with instead of the model's; checked
    again before it runs."""
    reason: str | None = None
    """Why it was denied, for the model and the user (None: the user said no)."""

    @property
    def allowed(self) -> bool:
        return self.verdict is not Verdict.DENY


ALLOW_ONCE = Decision(Verdict.ALLOW)
ALWAYS_ALLOW = Decision(Verdict.ALWAYS)
DENY = Decision(Verdict.DENY)


def edited(arguments: str) -> Decision:
    """Allow once, with these arguments instead of the model's."""
    return Decision(Verdict.ALLOW, arguments=arguments)


@record
class ApprovalRequest:
    """One call to approve: what the model asked for, and the tool it would run."""

    call: ToolCall
    tool: ToolSpec

    @property
    def source(self) -> str:
        return self.tool.source


class Approver(Protocol):
    """Decides about calls. ``approve`` gets the calls of one reply that need asking (in the
    model's order) and returns a decision for each, in the same order. Cancelling it (the
    user stopped the turn) cancels the calls."""

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]: ...


class AllowAll:
    """``ask --yes``: every call runs."""

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        return [ALLOW_ONCE for _ in requests]


class DenyAll:
    """No one to ask: every call that is not allowed always is denied, saying why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        return [Decision(Verdict.DENY, reason=self.reason) for _ in requests]


def arguments_for_reading(arguments: str) -> str:
    """A call's arguments indented, when they are JSON; as sent otherwise."""
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except ValueError:
        return arguments


class TerminalApprover:
    """``ask`` on a terminal: each call is shown on stderr and answered on standard input.

    ``y`` (or Enter) allows it once, ``a`` always, ``n`` denies it, ``e`` asks for new
    arguments (JSON on one line). End of input denies.
    """

    PROMPT = "Allow? [Y]es once / [a]lways / [n]o / [e]dit arguments: "

    def __init__(self, inp: TextIO | None = None, out: TextIO | None = None) -> None:
        self.inp = inp or sys.stdin
        self.out = out or sys.stderr

    async def approve(self, requests: Sequence[ApprovalRequest]) -> Sequence[Decision]:
        decisions = []
        for request in requests:
            decisions.append(await asyncio.to_thread(self._ask, request))
        return decisions

    def _ask(self, request: ApprovalRequest) -> Decision:
        from glm_tui.terminal_text import strip_controls

        call = request.call
        self.out.write(
            f"\nThe model wants to run {strip_controls(call.name)} ({request.source}) with:\n"
            + strip_controls(arguments_for_reading(call.arguments))
            + "\n"
        )
        while True:
            self.out.write(self.PROMPT)
            self.out.flush()
            line = self.inp.readline()
            if not line:
                return Decision(Verdict.DENY, reason="no answer (end of input)")
            answer = line.strip().lower()
            if answer in ("", "y", "yes"):
                return ALLOW_ONCE
            if answer in ("a", "always"):
                return ALWAYS_ALLOW
            if answer in ("n", "no"):
                return DENY
            if answer in ("e", "edit"):
                self.out.write("New arguments (JSON, one line): ")
                self.out.flush()
                text = self.inp.readline()
                if not text:
                    return Decision(Verdict.DENY, reason="no answer (end of input)")
                return edited(text.strip())
