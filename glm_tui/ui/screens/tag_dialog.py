"""The tags of a conversation: one line of words, the tags in use offered as you type (Right
takes the offer), Enter saves."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Button, Input, Static

from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons

SHOWN_TAGS = 30
"""Tags in use listed under the field (the most used first)."""


class TagSuggester(Suggester):
    """Completes the word being typed (the last one) from the tags in use."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        needle = word.removeprefix("#").casefold()
        if not needle:
            return None
        for tag in self.tags:
            if tag.casefold().startswith(needle) and tag.casefold() != needle:
                return f"{head} {tag}" if head else tag
        return None


def split_tags(text: str) -> list[str]:
    """The words of the field (``#`` and commas are fine as separators too)."""
    return [word for word in text.replace(",", " ").split() if word.strip("#")]


class TagScreen(DialogScreen[list[str] | None]):
    """Dismisses with the conversation's tags as typed (the session checks each), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, tags: Sequence[str], in_use: Sequence[tuple[str, int]]) -> None:
        super().__init__(id="tag-screen")
        self.conversation_title = title
        self.tags = list(tags)
        self.in_use = sorted(in_use, key=lambda item: (-item[1], item[0].casefold()))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tag-dialog"):
            yield Static(
                Content.assemble("Tags of ", (self.conversation_title, "bold")),
                classes="dialog-title",
            )
            # The cursor after the tags, ready for another (typing must not replace them).
            yield Input(
                value=" ".join(self.tags) + (" " if self.tags else ""),
                select_on_focus=False,
                placeholder="work ideas (one word each)",
                suggester=TagSuggester([tag for tag, _ in self.in_use]),
                id="tag-input",
            )
            shown = self.in_use[:SHOWN_TAGS]
            used = "  ".join(f"#{tag} ({count})" for tag, count in shown)
            yield Static(
                Content(f"In use: {used}" if shown else "No tags yet."),
                classes="dialog-text",
                id="tags-in-use",
            )
            yield dialog_buttons(
                "Enter: save · →: complete · Esc: cancel",
                dialog_button("Save", "save", "primary"),
                dialog_button("Cancel", "cancel"),
            )

    @on(Input.Submitted, "#tag-input")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.dismiss(split_tags(self.query_one("#tag-input", Input).value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
