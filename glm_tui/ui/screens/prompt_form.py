"""The values of a library prompt's variables (``{{language}}``...), asked for before it is sent:
one field each, Enter in the last one sends."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label

from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons

LABEL_NOTES = {
    "input": "  the text the prompt works on",
    "clipboard": "  paste it here (a terminal program cannot read the clipboard)",
}


class PromptFormScreen(DialogScreen[dict[str, str] | None]):
    """Dismisses with {variable: value}, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt_name: str, names: Sequence[str]) -> None:
        super().__init__(id="prompt-form")
        self.prompt_name = prompt_name
        self.names = list(names)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="prompt-form-dialog"):
            yield Label(Content.assemble("/", (self.prompt_name, "bold")), classes="dialog-title")
            for index, name in enumerate(self.names):
                yield Label(Content.assemble(name, (LABEL_NOTES.get(name, ""), "dim")))
                yield Input(id=f"var-{index}", classes="prompt-variable")
            yield dialog_buttons(
                "Enter: next field, then send · Esc: cancel",
                dialog_button("Send", "send", "primary"),
                dialog_button("Cancel", "cancel"),
            )

    def on_mount(self) -> None:
        self.query_one("#var-0", Input).focus()

    @on(Input.Submitted, ".prompt-variable")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        index = int((event.input.id or "var-0").split("-")[1]) + 1
        if index < len(self.names):
            self.query_one(f"#var-{index}", Input).focus()
        else:
            self._send()

    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        values = {
            name: self.query_one(f"#var-{i}", Input).value for i, name in enumerate(self.names)
        }
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
