"""Editing an earlier prompt: a dialog with the prompt in a composer (Enter sends, Esc cancels)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from glm_tui.ui.composer import Composer


class EditScreen(ModalScreen[str | None]):
    """Dismisses with the edited prompt, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__(classes="dialog-screen")
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="edit-dialog"):
            yield Static(Content("Edit the prompt"), classes="dialog-title")
            yield Composer(id="edit-input", placeholder="The new prompt")
            yield Static(
                Content(
                    "Enter: send it as a new branch (the original and its replies stay; "
                    "[ and ] switch between them) · Ctrl+J: new line · Esc: cancel"
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        composer = self.query_one(Composer)
        composer.load_text(self.prompt)
        composer.move_cursor(composer.document.end)
        composer.focus()

    @on(Composer.Submitted)
    def _send(self, event: Composer.Submitted) -> None:
        event.stop()
        self.dismiss(event.text)

    def action_cancel(self) -> None:
        self.dismiss(None)
