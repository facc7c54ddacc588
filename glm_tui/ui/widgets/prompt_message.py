"""A prompt as the pane shows it: its text (never markup or Markdown), its attachments' chips
and the pictures of its images; and how a search hit's words are marked in a message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from glm_tui.store import MatchHighlight, Message
from glm_tui.terminal_text import strip_controls
from glm_tui.ui.textual_private import QuietStatic, SteadyArrangement
from glm_tui.ui.widgets.message_actions import HIT_STYLE, MessageActions

if TYPE_CHECKING:
    from glm_tui.ui.widgets.thumbnails import ImageLoader


def characters(text: str) -> str:
    """``1,234 characters``: what a copy took, for its notification."""
    return f"{len(text):,} character{'' if len(text) == 1 else 's'}"


def marked_terms(content: Content, terms: Sequence[str]) -> Content | None:
    """``content`` with every occurrence of ``terms`` (any case) in the search hit's style; None
    when none occurs."""
    text = content.plain
    folded = text.lower()  # lower() keeps the offsets (casefold may not: "ß" -> "ss")
    marked = content
    for term in terms:
        needle = term.lower()
        start = folded.find(needle) if needle else -1
        while start >= 0:
            marked = marked.stylize(HIT_STYLE, start, start + len(needle))
            start = folded.find(needle, start + len(needle))
    return None if marked is content else marked


class UserMessage(SteadyArrangement, MessageActions, Vertical, can_focus=True):
    """A prompt: plain text, never parsed as markup or Markdown."""

    def __init__(
        self,
        message: Message,
        branch: tuple[int, int] | None = None,
        images: ImageLoader | None = None,
    ) -> None:
        super().__init__(id=f"msg-{message.id}", classes="message user-message")
        self.message = message
        self.branch = branch
        self.images = images
        """Reads a sent image's bytes, for its thumbnail (None: chips only)."""

    def compose(self) -> ComposeResult:
        yield self.role_line("You")
        yield QuietStatic(Content(strip_controls(self.message.content)), classes="user-text")
        if self.message.attachments:
            from glm_tui.ui.widgets.attachment_chips import sent_chips_text

            yield Static(sent_chips_text(self.message.attachments), classes="sent-chips")
            pictures = [ref for ref in self.message.attachments if ref.is_image]
            if pictures and self.images is not None:
                from glm_tui.ui.widgets.thumbnails import Thumbnails  # (not at start: 1 ms)

                yield Thumbnails(pictures, self.images)

    def show_match(self, highlight: MatchHighlight) -> None:
        super().show_match(highlight)
        content = Content(strip_controls(self.message.content))
        content = marked_terms(content, highlight.terms) or content
        for static in self.query(".user-text").results(Static):
            static.update(content)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.message.content)
        self.notify(f"Copied the prompt ({characters(self.message.content)}).", markup=False)

    def action_retry(self) -> None:
        self.request("reply")
