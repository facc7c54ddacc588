"""Attachment chips: one per file, with its size and about what it costs in tokens.

Above the composer they are the attachments waiting for the next prompt (``AttachmentBar``):
Shift+Tab from the composer reaches them, Left / Right move between them, Delete or Backspace
removes one, Enter shows its content, Escape goes back to the composer. Under a sent prompt they
say what went with it (``sent_chips_text``); ``o`` on the prompt opens them.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import HorizontalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from glm_tui.attachments import Attachment, size_text
from glm_tui.context.estimate import format_tokens
from glm_tui.records import record
from glm_tui.store.attachments import AttachmentRef
from glm_tui.ui import keys


def chip_text(attachment: Attachment) -> Content:
    """``app.py · 1.2 KB · ~340 tok`` (an image: its pixels too)."""
    parts = [attachment.name, size_text(attachment.size)]
    if attachment.is_image and attachment.width and attachment.height:
        parts.append(f"{attachment.width}x{attachment.height}")
    parts.append(f"~{format_tokens(attachment.tokens)} tok")
    return Content(" · ".join(parts))


def sent_chips_text(refs: Sequence[AttachmentRef]) -> Content:
    """The chips of a sent prompt: ``[app.py · 16 B]  [shot.png · 2.1 KB]``."""
    return Content("  ").join(Content(f"[{ref.name} · {size_text(ref.size)}]") for ref in refs)


class Chip(Static, can_focus=True):
    """One pending attachment; its keys are in ``ui/keys.py`` (scope ``chip``)."""

    BINDINGS = keys.bindings("chip")

    def __init__(self, attachment: Attachment, index: int) -> None:
        super().__init__(chip_text(attachment), classes="chip", markup=False)
        self.attachment = attachment
        self.index = index

    def _bar(self) -> AttachmentBar:
        bar = self.parent
        assert isinstance(bar, AttachmentBar)
        return bar

    def action_remove(self) -> None:
        self.post_message(AttachmentBar.RemoveRequested(self.index, self.attachment))

    def action_open(self) -> None:
        self.post_message(AttachmentBar.OpenRequested(self.attachment))

    def action_neighbour(self, step: int) -> None:
        chips = self._bar().chips()
        target = chips[(chips.index(self) + step) % len(chips)]
        target.focus()


class AttachmentBar(HorizontalScroll, can_focus=False):
    """The chips above the composer; hidden while nothing waits."""

    @record(frozen=False, slots=False)
    class RemoveRequested(Message):
        index: int
        attachment: Attachment

    @record(frozen=False, slots=False)
    class OpenRequested(Message):
        attachment: Attachment

    @record(frozen=False, slots=False)
    class Left(Message):
        """The last chip went while it had the focus: back to the composer."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.display = False

    def chips(self) -> list[Chip]:
        return list(self.query(Chip))

    async def show(self, pending: Sequence[Attachment]) -> None:
        """Show these attachments; the focus stays on a chip at the same place if one had it."""
        focused = self.screen.focused if self.is_attached else None
        had_focus = isinstance(focused, Chip) and focused.parent is self
        place = focused.index if isinstance(focused, Chip) and had_focus else 0
        await self.remove_children()
        chips = [Chip(attachment, index) for index, attachment in enumerate(pending)]
        if chips:
            await self.mount_all(chips)
            await self.mount(
                Static(Content("Shift+Tab: to the chips · Delete: remove"), classes="chip-hint")
            )
        self.display = bool(chips)
        if had_focus and chips:
            chips[min(place, len(chips) - 1)].focus()
        elif had_focus:
            self.post_message(self.Left())
