"""Compaction: the model summarises a conversation's older turns, and the summary is sent in
their place from then on (model_history.py). Nothing is deleted; undoing it is one change of
the compaction's row (store/compactions.py).

The last turns are kept as they are (two by default; one to make room for a turn that did not
fit); everything before them, an earlier summary included, is summarised. What is sent for the
summary is cut to fit the window: the middle of the longest texts goes first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from glm_tui.api.events import ContentDelta, Finished, Usage
from glm_tui.model_history import after_compaction, history_for
from glm_tui.records import record
from glm_tui.store.compactions import Compaction, active_on

from .estimate import wire_tokens
from .window import context_window

if TYPE_CHECKING:
    from glm_tui.chat import ChatService
    from glm_tui.store import Message

KEEP_TURNS = 2
SUMMARY_SHARE = 0.75
"""Of the window, what the summary request may fill (the rest: the summary itself)."""
SUMMARY_MAX_TOKENS = 8192
SUMMARY_REQUEST = (
    "Summarise the conversation so far, so that it can go on from your summary alone: the"
    " person's goals and requests, the facts, decisions, names, numbers, file names and code"
    " that still matter, what was tried and how it went, and what is still open. Write it as"
    " notes, in the language of the conversation, without a preamble."
)
_CUT = "\n[… {count:,} characters left out to fit the window …]\n"


class CannotCompact(Exception):
    """Nothing to compact, or the summary failed: one line for the person."""


@record
class CompactionPlan:
    through_id: int
    """The last message summarised."""
    summarised: int
    """Messages of the branch up to and including it."""
    messages: list[dict[str, Any]]
    """The summary request."""


def turn_starts(path: Sequence[Message]) -> list[int]:
    """Indexes of the prompts that start each turn."""
    return [index for index, m in enumerate(path) if m.role == "user"]


def plan(
    path: Sequence[Message],
    system_prompt: str | None,
    compactions: Sequence[Compaction],
    contents: dict[str, Any],
    *,
    keep_turns: int,
    window: int,
) -> CompactionPlan:
    """What to summarise on this branch, keeping its last ``keep_turns`` turns."""
    active = active_on(compactions, path)
    remaining = list(after_compaction(path, active))
    starts = turn_starts(remaining)
    if len(starts) <= keep_turns or starts[-keep_turns] == 0:
        kept = "turn" if keep_turns == 1 else f"{keep_turns} turns"
        raise CannotCompact(
            f"nothing older to summarise: the conversation's last {kept} stay as they are"
        )
    through = remaining[starts[-keep_turns] - 1]
    upto = list(path[: [m.id for m in path].index(through.id) + 1])
    messages = history_for(upto, system_prompt, contents=contents, images=False, compaction=active)
    messages.append({"role": "user", "content": SUMMARY_REQUEST})
    fit(messages, int(window * SUMMARY_SHARE))
    return CompactionPlan(through.id, len(upto), messages)


def fit(messages: list[dict[str, Any]], budget: int) -> None:
    """Cut the middle of the longest texts until the request fits ``budget`` tokens."""
    for _ in range(200):
        if wire_tokens(messages) <= budget:
            return
        longest = max(
            (m for m in messages[:-1] if isinstance(m.get("content"), str)),
            key=lambda m: len(m["content"]),
            default=None,
        )
        if longest is None or len(longest["content"]) < 200:
            return
        text: str = longest["content"]
        keep = len(text) // 4
        longest["content"] = text[:keep] + _CUT.format(count=len(text) - 2 * keep) + text[-keep:]


async def summarise(
    service: ChatService, model: str, messages: list[dict[str, Any]]
) -> tuple[str, Usage | None]:
    """The model's summary (thinking off: a summary needs none) and what it cost."""
    from glm_tui.api.errors import APIError

    pieces: list[str] = []
    usage: Usage | None = None
    finish: str | None = None
    stream = service.client.stream_chat(
        messages, model=model, thinking=False, max_tokens=SUMMARY_MAX_TOKENS
    )
    try:
        async with contextlib.aclosing(stream):
            async for event in stream:
                if isinstance(event, ContentDelta):
                    pieces.append(event.text)
                elif isinstance(event, Usage):
                    usage = event
                elif isinstance(event, Finished):
                    finish = event.finish_reason
    except APIError as exc:
        raise CannotCompact(f"the summary failed: {exc.user_message}") from exc
    text = "".join(pieces).strip()
    if not text:
        raise CannotCompact("the summary failed: the model wrote nothing")
    if finish not in ("stop", None):
        raise CannotCompact(f"the summary failed: it ended with {finish} before it was complete")
    return text, usage


async def compact(
    service: ChatService, conversation_id: int, leaf_id: int, *, keep_turns: int = KEEP_TURNS
) -> Compaction:
    """Summarise the branch ending at ``leaf_id`` but its last turns; the compaction made."""
    store = service.store
    conversation = store.get_conversation(conversation_id)
    path = store.path_to(leaf_id)
    compactions = store.compactions(conversation_id)
    shas = [ref.sha256 for m in path for ref in m.attachments if not ref.is_image]
    contents = store.attachment_contents(shas) if shas else {}
    model = service.model_for(conversation)
    window = context_window(model, service.settings)
    planned = plan(
        path,
        conversation.system_prompt,
        compactions,
        contents,
        keep_turns=keep_turns,
        window=window,
    )
    summary, usage = await summarise(service, model, planned.messages)
    return store.add_compaction(
        conversation_id,
        through_id=planned.through_id,
        summary=summary,
        summarised=planned.summarised,
        model=model,
        usage=usage,
    )
