"""What a conversation sends, and how much of the model's window it fills.

The figure is the provider's own count where there is one (the last reply's
``usage.prompt_tokens``: everything sent for it) plus an estimate of what came after it (that
reply, and any messages below it); where there is none (a first turn, a compaction since), all
of it is estimated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from glm_tui.model_history import after_compaction, history_for, summary_block
from glm_tui.records import record
from glm_tui.store.compactions import Compaction, active_on

from .estimate import MESSAGE_OVERHEAD, image_tokens, text_tokens
from .window import context_window, sees_images

if TYPE_CHECKING:
    from glm_tui.config import Settings
    from glm_tui.store import Conversation, Message, Store

WARN_AT = 0.8
"""The share of the window past which the status line warns."""
BYTES_PER_TOKEN = 3.6
"""For a text attachment known by its size alone."""


def build_history(
    store: Store, settings: Settings, conversation: Conversation, parent_id: int, model: str
) -> list[dict[str, Any]]:
    """The messages sent for a reply below ``parent_id`` (see model_history.history_for)."""
    path = store.path_to(parent_id)
    compaction = active_on(store.compactions(conversation.id), path)
    shas = [ref.sha256 for m in after_compaction(path, compaction) for ref in m.attachments]
    contents = store.attachment_contents(shas) if shas else {}
    return history_for(
        path,
        conversation.system_prompt,
        contents=contents,
        images=sees_images(model, settings),
        compaction=compaction,
    )


@record
class ContextUse:
    """How full the model's window is: ``used`` of ``window`` tokens."""

    used: int
    window: int
    measured: bool = False
    """Part of ``used`` is the provider's own count (the rest an estimate)."""

    @property
    def fraction(self) -> float:
        return self.used / self.window if self.window else 0.0

    @property
    def warning(self) -> bool:
        """Past 80 %: the status line changes colour."""
        return self.fraction >= WARN_AT

    @property
    def label(self) -> str:
        """``ctx 12.4k/200k``."""
        from .estimate import format_tokens

        return f"ctx {format_tokens(self.used)}/{format_tokens(self.window)}"


def message_tokens(message: Message) -> int:
    """About what a saved message costs when sent (its attachments known by their size)."""
    total = MESSAGE_OVERHEAD + text_tokens(message.content)
    if message.tool_calls:
        total += text_tokens(message.reasoning or "")
        total += sum(text_tokens(c.name) + text_tokens(c.arguments) for c in message.tool_calls)
    for ref in message.attachments:
        if ref.is_image:
            total += image_tokens(None, None)
        else:
            total += math.ceil(ref.size / BYTES_PER_TOKEN) + 12
    return total


def _system_tokens(system_prompt: str | None, compaction: Compaction | None) -> int:
    text = system_prompt or ""
    if compaction is not None:
        text += summary_block(compaction)
    return MESSAGE_OVERHEAD + text_tokens(text) if text else 0


def context_use(
    path: Sequence[Message],
    system_prompt: str | None,
    compactions: Sequence[Compaction],
    model: str,
    settings: Settings,
) -> ContextUse:
    """How much of ``model``'s window the branch ``path`` fills when sent."""
    window = context_window(model, settings)
    compaction = active_on(compactions, path)
    remaining = list(after_compaction(path, compaction))
    for index in range(len(remaining) - 1, -1, -1):
        message = remaining[index]
        usage = message.usage
        if message.role != "assistant" or usage is None or not usage.prompt_tokens:
            continue
        if compaction is not None and message.created_at < compaction.created_at:
            break  # counted with the turns the compaction now stands for
        newer = sum(message_tokens(m) for m in remaining[index:])
        return ContextUse(usage.prompt_tokens + newer, window, measured=True)
    active = compaction if len(remaining) < len(path) else None
    estimate = _system_tokens(system_prompt, active) + sum(map(message_tokens, remaining))
    return ContextUse(estimate, window)
