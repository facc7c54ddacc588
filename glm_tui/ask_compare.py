"""``glm-tui ask --compare M1,M2[,M3] PROMPT``: one prompt to several models at once.

The replies stream concurrently through the chat service (one prompt row, a reply row per
model, siblings in the order given) and are printed in that order, each under a ``## MODEL``
heading: the first streams live; the others are held back until their turn, then shown as far
as they got and continue live. ``--json`` prints a list of ``ask --json`` objects, each with
its ``model``. The exit code is 1 when any reply failed (an ``error: MODEL: ...`` line each).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from glm_tui.api.events import ContentDelta, ReasoningDelta
from glm_tui.ask import (
    CTRL_C,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    _call_json,
    _Printer,
    _say_decision,
    _say_result,
    _start_tools,
    _toolbox,
    _working_store,
    budget_line,
    outcome,
    result_json,
    tool_approver,
)
from glm_tui.chat import ChatService, TurnEnded
from glm_tui.config import Settings
from glm_tui.session.compare import OneAtATime
from glm_tui.store import Message, StoreError
from glm_tui.terminal_text import strip_controls
from glm_tui.tools.events import ReplyContinued, ToolCallDecided, ToolCallFinished


class _HeldBack:
    """A stream that keeps what is written until ``release``, then passes it on."""

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self.held: list[str] = []
        self.open = False

    def write(self, text: str) -> int:
        if self.open:
            self.target.write(text)
        else:
            self.held.append(text)
        return len(text)

    def flush(self) -> None:
        if self.open:
            self.target.flush()

    def release(self) -> None:
        self.open = True
        self.target.write("".join(self.held))
        self.held.clear()
        self.target.flush()


class _Column:
    """One model's reply: its printer (held back until its turn) and what it came to."""

    def __init__(self, model: str, reasoning: bool, quiet: bool) -> None:
        self.model = model
        self.printer = _Printer(reasoning, quiet)
        self.out = _HeldBack(sys.stdout)
        self.err = _HeldBack(sys.stderr)
        self.printer.out, self.printer.err = self.out, self.err  # type: ignore[assignment]
        self.reply_id: int | None = None
        self.message: Message | None = None
        self.calls: list[dict[str, Any]] = []
        self.done = False


class _InOrder:
    """Shows the columns one after the other, in the order of the models."""

    def __init__(self, columns: list[_Column], quiet: bool) -> None:
        self.columns = columns
        self.quiet = quiet
        self.current = -1
        self._next()

    def _next(self) -> None:
        while True:
            if self.current >= 0:
                self.columns[self.current].printer.finish()
            self.current += 1
            if self.current >= len(self.columns):
                return
            column = self.columns[self.current]
            if not self.quiet:
                gap = "\n" if self.current else ""
                sys.stdout.write(f"{gap}## {strip_controls(column.model)}\n\n")
            column.out.release()
            column.err.release()
            if not column.done:
                return

    def finished(self, column: _Column) -> None:
        column.done = True
        if self.current < len(self.columns) and self.columns[self.current] is column:
            self._next()


def failed_before_replies(
    reason: str, models: Sequence[str], as_json: bool, code: int = EXIT_FAILED
) -> int:
    """A compare that failed before any reply: one ``error:`` line, and with ``--json`` the
    list a script waits for (an object per model, each with the error)."""
    if as_json:
        data = [{"model": model, **result_json(None, False, reason)} for model in models]
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    sys.stderr.write(f"error: {reason}\n")
    return code


def run_compare(
    settings: Settings,
    prompt: str,
    models: Sequence[str],
    *,
    continue_latest: bool,
    conversation_id: int | None,
    reasoning: bool,
    as_json: bool,
    save: bool,
    yes: bool = False,
    tools: bool = True,
) -> int:
    try:
        store, conversation_id = _working_store(settings, save, conversation_id, continue_latest)
    except StoreError as exc:
        return failed_before_replies(str(exc), models, as_json)
    if save and (line := budget_line(store, settings)):
        sys.stderr.write(line + "\n")
    toolbox = _toolbox(settings) if tools else None
    approver = OneAtATime(tool_approver(yes))
    service = ChatService(store, settings, toolbox=toolbox, approver=approver)
    columns = [_Column(model, reasoning, as_json) for model in models]

    async def one(column: _Column, stream: Any, order: _InOrder) -> None:
        try:
            async with contextlib.aclosing(stream) as events:
                async for event in events:
                    if isinstance(event, ContentDelta):
                        column.printer.content_delta(event.text)
                    elif isinstance(event, ReasoningDelta):
                        column.printer.reasoning_delta(event.text)
                    elif isinstance(event, ReplyContinued):
                        column.reply_id = event.reply.id
                    elif isinstance(event, ToolCallDecided):
                        _say_decision(event)
                    elif isinstance(event, ToolCallFinished):
                        column.calls.append(_call_json(event))
                        _say_result(event)
                    elif isinstance(event, TurnEnded):
                        column.message = event.message
        finally:
            order.finished(column)

    async def turn() -> None:
        try:
            if toolbox is not None:
                await _start_tools(toolbox)
            started = await service.compare(prompt, models, conversation_id=conversation_id)
            for column, (begun, _) in zip(columns, started, strict=True):
                column.reply_id = begun.assistant_message_id
            order = _InOrder(columns, as_json)
            await asyncio.gather(
                *(one(c, stream, order) for c, (_, stream) in zip(columns, started, strict=True))
            )
        finally:
            await service.aclose()

    interrupted = False
    try:
        asyncio.run(turn())
    except KeyboardInterrupt:
        interrupted = True
        for column in columns:
            if column.message is None and column.reply_id is not None:
                with contextlib.suppress(StoreError):
                    column.message = store.get_message(column.reply_id)
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the final flush
        return EXIT_OK
    except StoreError as exc:
        return failed_before_replies(str(exc), models, as_json)
    finally:
        store.close()
    return _report(columns, save=save, as_json=as_json, interrupted=interrupted)


def _report(columns: list[_Column], *, save: bool, as_json: bool, interrupted: bool) -> int:
    code, lines, results = EXIT_OK, [], []
    for column in columns:
        message = column.message
        if message is None:
            reason = CTRL_C if interrupted else "no reply was written"
            code = max(code, EXIT_FAILED)
            lines.append(f"error: {column.model}: {reason}")
            data = result_json(None, False, reason)
        else:
            reply_code, line = outcome(message)
            code = max(code, reply_code)
            if line:
                kind, _, text = line.partition(": ")
                lines.append(f"{kind}: {strip_controls(column.model)}: {text}")
            error = line.removeprefix("error: ") if reply_code != EXIT_OK else None
            data = result_json(message, save, error)
            data["tool_calls"] = column.calls
        results.append({"model": column.model, **data})
    if interrupted:
        code = EXIT_INTERRUPTED
    try:
        if as_json:
            sys.stdout.write(json.dumps(results, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        return code
    for line in lines:
        sys.stderr.write(line + "\n")
    return code
