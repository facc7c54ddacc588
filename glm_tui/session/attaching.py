"""The attachments waiting for the next prompt (the chips above the composer), ``@`` path
completion, and the estimate of what the draft will cost.

A part of the session (``session.attachments``): files are read in a thread, so a large PDF or
folder does not stop the window; every change tells the session's listeners with an
``AttachmentsChanged``. A failure to read is an ``AttachmentError`` (one line naming the file);
nothing is added then, and the draft stays as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from glm_tui.attachments import (
    Attachment,
    PathCandidate,
    PathIndex,
    find_mentions,
    pasted_path,
    pasted_text,
    read_file,
    should_attach_paste,
)
from glm_tui.context.estimate import MESSAGE_OVERHEAD, text_tokens
from glm_tui.context.history import ContextUse
from glm_tui.records import record
from glm_tui.session.events import AttachmentsChanged, SessionEvent
from glm_tui.store import Store
from glm_tui.store.attachments import AttachmentContent

INDEX_STALE_AFTER = 30.0
"""Seconds after which ``refresh_paths`` walks the tree again."""


class WouldOverflow(Exception):
    """The draft would not fit the model's window: compact the conversation, remove an
    attachment, or send it anyway (``Session.send(text, force=True)``)."""

    def __init__(self, estimate: DraftEstimate) -> None:
        self.estimate = estimate
        context = estimate.context
        assert context is not None
        super().__init__(
            f"This message would not fit the model's window ({context.label.removeprefix('ctx ')}"
            " tokens, estimated): compact the conversation, remove an attachment, or send it"
            " anyway."
        )


@record
class DraftEstimate:
    """What sending the draft would cost, and whether it would still fit the window."""

    text_tokens: int
    attachment_tokens: Sequence[int]
    """One figure per pending attachment (the chips), in order."""
    mention_tokens: int
    """The ``@`` mentions that are not pending yet (read on send)."""
    context: ContextUse | None
    """The window with the draft sent (None: the window is not known yet)."""

    @property
    def tokens(self) -> int:
        return self.text_tokens + sum(self.attachment_tokens) + self.mention_tokens

    @property
    def would_overflow(self) -> bool:
        return self.context is not None and self.context.used > self.context.window


class AttachmentDesk:
    """Pending attachments and path completion for one window."""

    def __init__(
        self, emit: Callable[[SessionEvent], Awaitable[None]], cwd: Path, store: Store
    ) -> None:
        self._emit = emit
        self.cwd = cwd
        self._store = store
        self.pending: list[Attachment] = []
        self._index: PathIndex | None = None

    async def _changed(self, note: str = "") -> None:
        tokens = sum(a.tokens for a in self.pending)
        await self._emit(AttachmentsChanged(tuple(self.pending), tokens, note))

    # -- adding and removing ------------------------------------------------------------------

    async def attach(self, path: str | Path) -> list[Attachment]:
        """Read a file or folder (relative to the working directory) and add it; returns what
        was added. Raises AttachmentError."""
        target = Path(path).expanduser()
        if not target.is_absolute():
            target = self.cwd / target
        added = await asyncio.to_thread(read_file, target, self.cwd)
        self._add(added)
        await self._changed(next((a.note for a in reversed(added) if a.note), ""))
        return added

    async def attach_paste(self, text: str) -> Attachment:
        """A long paste as a "pasted text" attachment (see ``paste_kind``)."""
        attachment = pasted_text(text)
        self._add([attachment])
        await self._changed()
        return attachment

    def paste_kind(self, text: str) -> str:
        """What a paste is: ``path`` (an existing file or folder: offer to attach it),
        ``long`` (over ~2,000 characters: attach it as pasted text) or ``text``."""
        if pasted_path(text, self.cwd) is not None:
            return "path"
        return "long" if should_attach_paste(text) else "text"

    def pasted_path(self, text: str) -> Path | None:
        return pasted_path(text, self.cwd)

    async def remove(self, index: int) -> Attachment:
        """Remove the chip at ``index`` (IndexError if there is none)."""
        removed = self.pending.pop(index)
        await self._changed()
        return removed

    async def clear(self) -> None:
        if self.pending:
            self.pending.clear()
            await self._changed()

    def _add(self, attachments: Sequence[Attachment]) -> None:
        known = {(a.name, a.sha256) for a in self.pending}
        self.pending.extend(a for a in attachments if (a.name, a.sha256) not in known)

    # -- sending ------------------------------------------------------------------------------

    async def for_prompt(self, text: str) -> list[Attachment]:
        """The pending attachments and those the text's ``@`` mentions name, each once.
        Raises AttachmentError (nothing changes then)."""
        mentions = find_mentions(text, self.cwd)
        found: list[Attachment] = list(self.pending)
        for mention in mentions:
            found.extend(await asyncio.to_thread(read_file, mention.path, self.cwd))
        unique: dict[tuple[str, str], Attachment] = {}
        for attachment in found:
            unique.setdefault((attachment.name, attachment.sha256), attachment)
        return list(unique.values())

    def mention_tokens(self, text: str) -> int:
        """About what the mentioned files will cost (by their size; folders not counted)."""
        total = 0
        for mention in find_mentions(text, self.cwd):
            try:
                if mention.path.is_file():
                    total += int(mention.path.stat().st_size / 3.6) + 12
            except OSError:
                continue
        return total

    def estimate(self, text: str, context: ContextUse | None) -> DraftEstimate:
        """The draft's cost; ``context`` is the window as it is now."""
        own = MESSAGE_OVERHEAD + text_tokens(text)
        per_attachment = [a.tokens for a in self.pending]
        mentions = self.mention_tokens(text) if "@" in text else 0
        after = None
        if context is not None:
            added = own + sum(per_attachment) + mentions
            after = ContextUse(context.used + added, context.window, context.measured)
        return DraftEstimate(own, per_attachment, mentions, after)

    def content(self, sha256: str) -> AttachmentContent | None:
        """A sent attachment's content (a chip opened on a saved message): ``text`` for text
        and PDFs, ``data`` for images and PDFs; None if the history has no such content."""
        return self._store.attachment_contents([sha256]).get(sha256)

    # -- completion ---------------------------------------------------------------------------

    def complete_paths(self, query: str, limit: int = 50) -> list[PathCandidate]:
        """Ranked paths for ``@query`` (the tree is walked on first use: call
        ``refresh_paths`` ahead to do it in a thread)."""
        if self._index is None:
            self._index = PathIndex(self.cwd).build()
        return self._index.search(query, limit)

    async def refresh_paths(self, *, force: bool = False) -> None:
        """Walk the tree again in a thread if it was never walked or is stale."""
        age = None if self._index is None else self._index.age()
        if force or age is None or age > INDEX_STALE_AFTER:
            self._index = await asyncio.to_thread(lambda: PathIndex(self.cwd).build())
