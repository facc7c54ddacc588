"""``glm-tui ask``: one turn from the command line, through the same service as the TUI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from glm_tui.api.events import ContentDelta, ReasoningDelta
from glm_tui.chat import ChatService, TurnEnded, TurnStarted
from glm_tui.config import Settings
from glm_tui.reply_status import describe_reply
from glm_tui.store import Message, Store, StoreError
from glm_tui.terminal_text import ControlStripper, strip_controls
from glm_tui.tools.events import ReplyContinued, ToolCallDecided, ToolCallFinished

if TYPE_CHECKING:
    from glm_tui.attachments import Attachment
    from glm_tui.tools.approval import Approver
    from glm_tui.tools.toolbox import Toolbox

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
CTRL_C = "interrupted by Ctrl+C; the partial reply is saved as stopped"
NO_TERMINAL = "standard input is not a terminal to ask on; --yes allows every call"


class _Printer:
    """Writes the reply to stdout and (optionally) the reasoning to stderr as they arrive.

    Escape codes from the model are removed whole (a terminal would act on them), also when one
    is split across two pieces; ``--json`` and the history keep the text as it was sent.
    """

    def __init__(self, reasoning: bool, quiet: bool) -> None:
        self.reasoning = reasoning
        self.quiet = quiet
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr
        self.last_out = "\n"
        self.in_reasoning = False
        self._clean_reasoning = ControlStripper()
        self._clean_content = ControlStripper()

    def reasoning_delta(self, text: str) -> None:
        if not self.reasoning or self.quiet:
            return
        text = self._clean_reasoning.feed(text)
        if text:
            self.in_reasoning = True
            self.err.write(text)
            self.err.flush()

    def content_delta(self, text: str) -> None:
        if self.quiet:
            return
        text = self._clean_content.feed(text)
        if not text:
            return
        if self.in_reasoning:
            self.err.write("\n\n")
            self.err.flush()
            self.in_reasoning = False
        self.out.write(text)
        self.out.flush()
        self.last_out = text

    def finish(self) -> None:
        if self.in_reasoning:
            self.err.write("\n")
        if not self.quiet and not self.last_out.endswith("\n"):
            self.out.write("\n")
        self.out.flush()


def outcome(message: Message) -> tuple[int, str]:
    """The exit code of a turn that ended with ``message``, and the line for stderr ('' if none).

    An error, a broken connection and the content filter fail (exit 1, ``error:``): a script
    must know the provider did not answer in full. A reply cut at the length limit is only a
    warning (exit 0): the text is all the model wrote within the limit asked for.
    """
    note = describe_reply(message.status, message.error, answered=bool(message.content))
    if note is None:
        return EXIT_OK, ""
    if message.status in ("truncated", "stopped", "streaming"):
        return EXIT_OK, f"warning: {note.text}"
    return EXIT_FAILED, f"error: {note.text}"


def tool_approver(yes: bool) -> Approver:
    """``--yes``: allow every call; on a terminal: ask there; else deny (saying why)."""
    from glm_tui.tools.approval import AllowAll, DenyAll, TerminalApprover

    if yes:
        return AllowAll()
    if sys.stdin is not None and sys.stdin.isatty():
        return TerminalApprover()
    return DenyAll(NO_TERMINAL)


def _call_json(event: ToolCallFinished) -> dict[str, Any]:
    tool = event.message.tool
    return {
        "name": event.call.name,
        "arguments": tool.arguments if tool else event.call.arguments,
        "status": tool.status if tool else None,
        "result": event.message.content,
        "duration": event.message.duration,
    }


def result_json(message: Message | None, saved: bool, error: str | None) -> dict[str, Any]:
    """``ask --json``'s object; ``error`` is the reason the command failed (None if it did not),
    and the object is whole even when the turn failed before any reply existed."""
    if error:
        error = error[:1].upper() + error[1:]
    if message is None:
        return {
            "conversation_id": None,
            "message_id": None,
            "content": "",
            "reasoning": None,
            "finish_reason": None,
            "status": "error",
            "usage": None,
            "error": error,
            "tool_calls": [],
        }
    return {
        "conversation_id": message.conversation_id if saved else None,
        "message_id": message.id if saved else None,
        "content": message.content,
        "reasoning": message.reasoning or None,
        "finish_reason": message.finish_reason,
        "status": message.status,
        "usage": message.usage.to_dict() if message.usage else None,
        "error": error,
        "tool_calls": [],
    }


def failed_before_reply(reason: str, as_json: bool, code: int = EXIT_FAILED) -> int:
    """Report a turn that failed before any reply was written: one ``error:`` line (and the JSON
    object, with ``--json``, so a script reading stdout always gets one)."""
    if as_json:
        sys.stdout.write(json.dumps(result_json(None, False, reason), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    sys.stderr.write(f"error: {reason}\n")
    return code


def _working_store(
    settings: Settings, save: bool, conversation_id: int | None, latest: bool
) -> tuple[Store, int | None]:
    """The store the turn writes to, and the conversation it continues (if any).

    With ``save`` off, the turn runs on an in-memory copy of the conversation it continues.
    """
    store = Store.open(settings.db_path) if (save or conversation_id or latest) else None
    if store is not None and latest:
        conversation_id = store.most_recent_conversation_id()
        if conversation_id is None:
            raise StoreError("there is no conversation to continue yet")
    if store is not None and conversation_id is not None:
        store.get_conversation(conversation_id)  # fails clearly for an unknown id
    if save:
        assert store is not None
        return store, conversation_id
    memory = Store.open(":memory:")
    if store is not None:
        if conversation_id is not None:
            conversation_id = memory.import_data(store.export_conversation(conversation_id))[0]
        store.close()
    return memory, conversation_id


def read_attachments(names: tuple[str, ...]) -> tuple[list[Attachment], str]:
    """The files of ``-a`` (``-`` is standard input), and the problem with them ('' if none)."""
    if not names:
        return [], ""
    from pathlib import Path

    from glm_tui.attachments import AttachmentError, read_bytes, read_file

    attachments: list[Attachment] = []
    try:
        for name in names:
            if name == "-":
                data = sys.stdin.buffer.read() if sys.stdin is not None else b""
                attachments.append(read_bytes("stdin", data))
            else:
                attachments.extend(read_file(Path(name)))
    except AttachmentError as exc:
        return [], str(exc)
    return attachments, ""


def budget_line(store: Store, settings: Settings) -> str | None:
    """A ``warning:`` line when this month's spend is past 80 % of ``budget_usd`` (nothing is
    blocked: a script is told, and goes on)."""
    if not settings.budget_usd:
        return None
    from glm_tui.budget import budget_state

    try:
        state = budget_state(store, settings.budget_usd)
    except StoreError:
        return None
    sentence = state.sentence() if state is not None else None
    return f"warning: {sentence}" if sentence else None


def run_ask(
    settings: Settings,
    prompt: str,
    *,
    continue_latest: bool,
    conversation_id: int | None,
    reasoning: bool,
    as_json: bool,
    save: bool,
    yes: bool = False,
    tools: bool = True,
    attachments: list[Attachment] | None = None,
) -> int:
    try:
        store, conversation_id = _working_store(settings, save, conversation_id, continue_latest)
    except StoreError as exc:
        return failed_before_reply(str(exc), as_json)
    service = ChatService(store, settings, approver=tool_approver(yes))
    if attachments:
        from glm_tui.attachments import AttachmentError
        from glm_tui.context.window import NoVisionModel

        try:
            service.check_attachments(conversation_id, attachments)
        except (AttachmentError, NoVisionModel, StoreError) as exc:
            store.close()
            return failed_before_reply(str(exc), as_json)
    if save and (line := budget_line(store, settings)):
        sys.stderr.write(line + "\n")
    printer = _Printer(reasoning, quiet=as_json)
    toolbox = _toolbox(settings) if tools else None
    service.toolbox = toolbox
    state: dict[str, Any] = {"calls": []}

    async def turn() -> None:
        try:
            if toolbox is not None:
                await _start_tools(toolbox)
            stream = service.send(
                prompt, conversation_id=conversation_id, attachments=attachments or ()
            )
            async with contextlib.aclosing(stream):
                async for event in stream:
                    if isinstance(event, ReasoningDelta):
                        printer.reasoning_delta(event.text)
                    elif isinstance(event, ContentDelta):
                        printer.content_delta(event.text)
                    elif isinstance(event, TurnStarted):
                        state["reply_id"] = event.assistant_message_id
                    elif isinstance(event, ReplyContinued):
                        state["reply_id"] = event.reply.id
                    elif isinstance(event, ToolCallDecided):
                        _say_decision(event)
                    elif isinstance(event, ToolCallFinished):
                        state["calls"].append(_call_json(event))
                        _say_result(event)
                    elif isinstance(event, TurnEnded):
                        state["message"] = event.message
        finally:
            await service.aclose()

    interrupted = False
    try:
        asyncio.run(turn())
    except KeyboardInterrupt:
        interrupted = True
        if "reply_id" in state:
            state["message"] = store.get_message(state["reply_id"])
    except BrokenPipeError:
        # The reader went away (``| head``): the reply is saved all the same.
        with contextlib.suppress(OSError):
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the final flush
        return EXIT_OK
    except StoreError as exc:
        printer.finish()
        return failed_before_reply(str(exc), as_json)
    finally:
        message = state.get("message")
        store.close()

    if message is None:
        if interrupted:
            return failed_before_reply(CTRL_C, as_json, EXIT_INTERRUPTED)
        return failed_before_reply("no reply was written", as_json)
    code, line = outcome(message)
    if interrupted:
        code, line = EXIT_INTERRUPTED, f"error: {CTRL_C}"
    try:
        printer.finish()
        if as_json:
            error = line.removeprefix("error: ") if code != EXIT_OK else None
            data = result_json(message, save, error)
            data["tool_calls"] = state["calls"]
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    except BrokenPipeError:
        return code
    if line:
        sys.stderr.write(line + "\n")
    return code


def _toolbox(settings: Settings) -> Toolbox | None:
    from glm_tui.tools.toolbox import Toolbox

    toolbox = Toolbox(settings)
    web_search = settings.web_search and settings.provider == "zai"
    if not toolbox.builtins and not toolbox.servers and not web_search:
        if toolbox.config_error:
            sys.stderr.write(f"warning: {toolbox.config_error}\n")
        return None
    return toolbox


async def _start_tools(toolbox: Toolbox) -> None:
    """Start the MCP servers and wait for them (each within its start timeout); one
    ``warning:`` line for each that failed, now or later: the turn goes on without it."""
    said: set[str] = set()

    def warn(box: Toolbox) -> None:
        for line in box.failures():
            if line not in said:
                said.add(line)
                sys.stderr.write(f"warning: {strip_controls(line)}\n")
                sys.stderr.flush()

    toolbox.subscribe(warn)
    toolbox.start()
    await toolbox.wait_started()
    warn(toolbox)


def _say_decision(event: ToolCallDecided) -> None:
    if event.verdict == "deny":
        sys.stderr.write(f"warning: denied the call of {strip_controls(event.call.name)}\n")
    if event.note:
        sys.stderr.write(f"warning: {strip_controls(event.note)}\n")
    sys.stderr.flush()


def _say_result(event: ToolCallFinished) -> None:
    tool = event.message.tool
    status = (tool.status if tool else None) or "no result"
    took = f", {event.message.duration:.2f} s" if event.message.duration is not None else ""
    sys.stderr.write(f"tool {strip_controls(event.call.name)}: {status.replace('_', ' ')}{took}\n")
    sys.stderr.flush()
