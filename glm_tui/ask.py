"""``glm-tui ask``: one turn from the command line, through the same service as the TUI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from typing import Any, TextIO

from glm_tui.api.events import ContentDelta, ReasoningDelta
from glm_tui.chat import ChatService, TurnEnded, TurnStarted
from glm_tui.config import Settings
from glm_tui.store import Message, Store, StoreError

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130

_PLAIN_STATUS = {
    "truncated": "the reply was cut short (max_tokens or the context window was reached)",
    "filtered": "the provider's content filter stopped the reply",
}


class _Printer:
    """Writes the reply to stdout and (optionally) the reasoning to stderr as they arrive."""

    def __init__(self, reasoning: bool, quiet: bool) -> None:
        self.reasoning = reasoning
        self.quiet = quiet
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr
        self.last_out = "\n"
        self.in_reasoning = False

    def reasoning_delta(self, text: str) -> None:
        if self.reasoning and not self.quiet:
            self.in_reasoning = True
            self.err.write(text)
            self.err.flush()

    def content_delta(self, text: str) -> None:
        if self.quiet or not text:
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


def _result_json(message: Message | None, saved: bool) -> dict[str, Any]:
    if message is None:
        return {}
    return {
        "conversation_id": message.conversation_id if saved else None,
        "message_id": message.id if saved else None,
        "content": message.content,
        "reasoning": message.reasoning or None,
        "finish_reason": message.finish_reason,
        "status": message.status,
        "usage": message.usage.to_dict() if message.usage else None,
    }


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


def run_ask(
    settings: Settings,
    prompt: str,
    *,
    continue_latest: bool,
    conversation_id: int | None,
    reasoning: bool,
    as_json: bool,
    save: bool,
) -> int:
    try:
        store, conversation_id = _working_store(settings, save, conversation_id, continue_latest)
    except StoreError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    printer = _Printer(reasoning, quiet=as_json)
    service = ChatService(store, settings)
    state: dict[str, Any] = {}

    async def turn() -> None:
        try:
            stream = service.send(prompt, conversation_id=conversation_id)
            async with contextlib.aclosing(stream):
                async for event in stream:
                    if isinstance(event, ReasoningDelta):
                        printer.reasoning_delta(event.text)
                    elif isinstance(event, ContentDelta):
                        printer.content_delta(event.text)
                    elif isinstance(event, TurnStarted):
                        state["reply_id"] = event.assistant_message_id
                    elif isinstance(event, TurnEnded):
                        state["message"] = event.message
        finally:
            await service.aclose()

    code = EXIT_OK
    try:
        asyncio.run(turn())
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
        if "reply_id" in state:
            state["message"] = store.get_message(state["reply_id"])
    except BrokenPipeError:
        # The reader went away (``| head``): the reply is saved all the same.
        with contextlib.suppress(OSError):
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the final flush
        return EXIT_OK
    except StoreError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    finally:
        message = state.get("message")
        store.close()

    try:
        printer.finish()
        if as_json:
            sys.stdout.write(json.dumps(_result_json(message, save), ensure_ascii=False) + "\n")
            sys.stdout.flush()
    except BrokenPipeError:
        return code
    if code == EXIT_INTERRUPTED:
        sys.stderr.write("error: interrupted; the partial reply is saved as stopped\n")
        return code
    if message is None:
        return EXIT_FAILED
    if message.status in ("error", "interrupted"):
        default = "the connection was lost before the reply finished"
        sys.stderr.write(f"error: {message.error or default}\n")
        return EXIT_FAILED
    if message.status == "truncated" and not message.content:
        # The reasoning used the whole budget (glm-api.md): not a connection problem.
        sys.stderr.write("warning: stopped while thinking (max_tokens reached)\n")
    elif message.status in _PLAIN_STATUS:
        sys.stderr.write(f"warning: {_PLAIN_STATUS[message.status]}\n")
    return EXIT_OK
