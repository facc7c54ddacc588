"""Editing an earlier prompt: a dialog with the prompt in a composer (Enter sends, Esc cancels)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Static

from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons
from glm_tui.ui.widgets.composer import Composer


class EditScreen(DialogScreen[str | None]):
    """Dismisses with the edited prompt, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="edit-dialog"):
            yield Static(Content("Edit the prompt"), classes="dialog-title")
            yield Composer(id="edit-input", placeholder="The new prompt")
            yield Static(
                Content(
                    "Sent as a new branch: the original and its replies stay ([ and ] switch "
                    "between them)."
                ),
                classes="dialog-text",
            )
            yield dialog_buttons(
                "Enter: send · Ctrl+J: new line · Esc: cancel · Tab: the buttons",
                dialog_button("Send", "send", "primary"),
                dialog_button("Cancel", "cancel"),
            )

    def on_mount(self) -> None:
        # DialogScreen's on_mount runs too: Textual calls the handler of each class.
        composer = self.query_one(Composer)
        composer.load_text(self.prompt)
        composer.move_cursor(composer.document.end)
        composer.focus()

    @on(Composer.Submitted)
    def _send(self, event: Composer.Submitted) -> None:
        event.stop()
        self.dismiss(event.text)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        text = self.query_one(Composer).text
        if text.strip():
            self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
