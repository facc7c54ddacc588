"""One round of tool calls: check each call, ask the approver, run what is allowed, save
every result as a message.

The results form a chain under the reply that asked for them, in the model's order (each a
child of the one before), whatever order they finish in: their rows are made before any call
runs. A row is ``streaming`` while its call runs, so a killed program leaves it
``interrupted``. Calls that run, run together; stopping the turn cancels them (and a call
still waiting for approval), and each such call is saved as ``cancelled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from glm_tui.api.events import ToolCall
from glm_tui.config import ConfigError
from glm_tui.records import record
from glm_tui.store import Message, Store
from glm_tui.store.models import ToolResultInfo
from glm_tui.tools.approval import ApprovalRequest, Approver, Decision, Verdict
from glm_tui.tools.events import (
    ProposedCall,
    ToolCallDecided,
    ToolCallFinished,
    ToolCallsProposed,
    ToolCallStarted,
    ToolEvent,
)
from glm_tui.tools.mcp_config import McpConfigError
from glm_tui.tools.schema import problem as schema_problem
from glm_tui.tools.spec import ToolOutput, ToolSpec, cap_result
from glm_tui.tools.toolbox import Toolbox

CANCELLED = "The call was cancelled: the user stopped the turn."
NOT_RUN = " The call was not run; you may try again."


def denied_text(reason: str | None) -> str:
    return "The user denied this call." + (f" ({reason})" if reason else "")


def check_arguments(tool: ToolSpec, text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The arguments parsed, or why they cannot be run (as the model is told). The approval
    panel uses it too, to check edited arguments."""
    try:
        value = json.loads(text) if text.strip() else {}
    except (ValueError, RecursionError) as exc:
        detail = (
            f" ({exc.msg} at position {exc.pos})" if isinstance(exc, json.JSONDecodeError) else ""
        )
        return None, f"The arguments are not valid JSON{detail}; the call was not run."
    if not isinstance(value, dict):
        return None, "The arguments must be one JSON object."
    found = schema_problem(value, tool.parameters)
    if found:
        return (
            None,
            f"The arguments do not match the tool's schema ({found}); the call was not run.",
        )
    return value, None


@record(frozen=False, slots=False)
class _Plan:
    proposed: ProposedCall
    arguments_text: str
    arguments: dict[str, Any] | None
    output: ToolOutput | None = None
    """The result, once known (at once for a call that is not run)."""
    row: int | None = None
    duration: float | None = None
    running: bool = False
    saved: bool = False
    """Its row is final."""

    @property
    def call(self) -> ToolCall:
        return self.proposed.call

    def last_row(self) -> int:
        assert self.row is not None
        return self.row


class ToolRound:
    """The calls of one reply. Iterate ``events()``; afterwards ``last_id`` is the last
    result's row (the next reply goes under it)."""

    def __init__(
        self,
        *,
        store: Store,
        toolbox: Toolbox,
        approver: Approver,
        message: Message,
        timeout: float,
    ) -> None:
        self.store = store
        self.toolbox = toolbox
        self.approver = approver
        self.message = message
        self.timeout = timeout
        self.last_id = message.id
        self._plans: list[_Plan] = []

    def _plan(self, call: ToolCall) -> _Plan:
        tool = self.toolbox.find(call.name)
        if tool is None:
            names = ", ".join(spec.name for spec in self.toolbox.offered()) or "none"
            unknown = f"There is no tool named {call.name!r}; the tools offered are: {names}."
            return _Plan(ProposedCall(call, None, "ask", unknown), call.arguments, None)
        arguments, problem = check_arguments(tool, call.arguments)
        policy = self.toolbox.policy(tool)
        return _Plan(ProposedCall(call, tool, policy, problem), call.arguments, arguments)

    async def events(self) -> AsyncGenerator[ToolEvent, None]:
        self._plans = plans = [self._plan(call) for call in self.message.tool_calls]
        yield ToolCallsProposed(self.message, tuple(p.proposed for p in plans))
        try:
            for plan in plans:
                if plan.proposed.problem is not None:
                    plan.output = ToolOutput(plan.proposed.problem + NOT_RUN, "error")
            asked = [p for p in plans if p.output is None and p.proposed.policy == "ask"]
            decisions = await self._decide(asked)
            for plan in plans:
                yield self._decided(plan, decisions.get(id(plan)))
            for plan in plans:
                yield self._save_start(plan)
            runs = self._run_all([p for p in plans if p.running])
            async with contextlib.aclosing(runs):
                async for event in runs:
                    yield event
        except (asyncio.CancelledError, GeneratorExit):
            self._cancel_rest()
            raise

    async def _decide(self, asked: Sequence[_Plan]) -> dict[int, Decision]:
        if not asked:
            return {}
        requests = [ApprovalRequest(p.call, p.proposed.tool) for p in asked if p.proposed.tool]
        answers = list(await self.approver.approve(requests))
        answers += [Decision(Verdict.DENY, reason="no answer")] * (len(asked) - len(answers))
        return {id(plan): answer for plan, answer in zip(asked, answers, strict=False)}

    def _decided(self, plan: _Plan, decision: Decision | None) -> ToolCallDecided:
        call, tool = plan.call, plan.proposed.tool
        if plan.output is not None:
            return ToolCallDecided(call, "invalid", plan.arguments_text)
        if decision is None:
            return ToolCallDecided(call, "auto", plan.arguments_text)
        if not decision.allowed:
            plan.output = ToolOutput(denied_text(decision.reason), "denied")
            return ToolCallDecided(call, "deny", plan.arguments_text)
        note = None
        if decision.verdict is Verdict.ALWAYS and tool is not None:
            try:
                self.toolbox.always_allow(tool)
            except (McpConfigError, ConfigError, OSError) as exc:
                note = f"allowed this time, but 'always' could not be saved: {exc}"
        if decision.arguments is not None and tool is not None:
            plan.arguments_text = decision.arguments
            plan.arguments, problem = check_arguments(tool, decision.arguments)
            if problem is not None:
                plan.output = ToolOutput(
                    f"The edited arguments were refused. {problem}{NOT_RUN}", "error"
                )
        return ToolCallDecided(call, decision.verdict.value, plan.arguments_text, note)

    def _info(self, plan: _Plan) -> ToolResultInfo:
        name = plan.proposed.tool.name if plan.proposed.tool else plan.call.name
        status = plan.output.status if plan.output is not None else None
        return ToolResultInfo(plan.call.id, name, plan.arguments_text, status)

    def _save_start(self, plan: _Plan) -> ToolCallStarted | ToolCallFinished:
        """The call's result row, under the one before: final for a call that is not run."""
        running = plan.output is None
        text = "" if plan.output is None else cap_result(plan.output.text)
        plan.running = running
        plan.saved = not running
        plan.row = self.store.add_message(
            self.message.conversation_id,
            parent_id=self.last_id,
            role="tool",
            content=text,
            status="streaming" if running else "complete",
            tool=self._info(plan),
        )
        self.last_id = plan.row
        row = self.store.get_message(plan.row)
        return ToolCallStarted(plan.call, row) if running else ToolCallFinished(plan.call, row)

    async def _run_one(self, plan: _Plan) -> _Plan:
        assert plan.proposed.tool is not None and plan.arguments is not None
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                output = await self.toolbox.run(plan.proposed.tool, plan.arguments)
        except TimeoutError:
            output = ToolOutput(
                f"The call did not finish within {self.timeout:g} s and was cancelled.",
                "timed_out",
            )
        except Exception as exc:  # a tool's bug is the call's failure, not the turn's
            output = ToolOutput(f"The tool failed: {exc or type(exc).__name__}", "error")
        plan.output = output
        plan.duration = round(time.monotonic() - started, 3)
        return plan

    async def _run_all(self, plans: list[_Plan]) -> AsyncGenerator[ToolCallFinished, None]:
        tasks = {asyncio.create_task(self._run_one(plan)): plan for plan in plans}
        try:
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(done, key=lambda t: plans.index(tasks[t])):
                    yield self._save_end(task.result())
        finally:
            for task in tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks, return_exceptions=True)

    def _save_end(self, plan: _Plan, *, status: str = "complete") -> ToolCallFinished:
        assert plan.row is not None and plan.output is not None
        plan.saved = True
        self.store.update_message(
            plan.row,
            content=cap_result(plan.output.text),
            status=status,
            tool_status=plan.output.status,
            duration=plan.duration,
        )
        return ToolCallFinished(plan.call, self.store.get_message(plan.row))

    def _cancel_rest(self) -> None:
        """The turn was stopped: every call without a final row is saved as cancelled (a row
        is made for one that never got one), so the history says what happened to each."""
        for plan in self._plans:
            if plan.saved:
                continue
            if plan.output is None or (plan.running and plan.duration is None):
                plan.output = ToolOutput(CANCELLED, "cancelled")
            cancelled = plan.output.status == "cancelled"
            with contextlib.suppress(Exception):
                if plan.row is None:
                    self._save_start(plan)
                    if cancelled:
                        self.store.update_message(plan.last_row(), status="stopped")
                else:
                    self._save_end(plan, status="stopped" if cancelled else "complete")
