"""An attachment's content: Enter on a chip above the composer, ``o`` on a sent prompt.

Text (files, pasted text, a PDF's text) shows read-only, scrolling; an image says what it is
(the terminal shows no pixels here). With several attachments, a list above chooses which.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from glm_tui.attachments import size_text
from glm_tui.records import record
from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons


@record
class Shown:
    """One attachment to show (pending or from the history)."""

    name: str
    kind: str
    mime: str
    size: int
    text: str | None
    width: int | None
    height: int | None

    def heading(self) -> str:
        pixels = f" · {self.width}x{self.height}" if self.width and self.height else ""
        return f"{self.name} · {self.mime} · {size_text(self.size)}{pixels}"

    def body(self) -> str:
        if self.kind == "image":
            pixels = f", {self.width}x{self.height}" if self.width and self.height else ""
            return f"An image ({self.mime}{pixels}): it goes to the vision model as a data URL."
        return self.text or ""


class AttachmentScreen(DialogScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, shown: Sequence[Shown]) -> None:
        super().__init__(id="attachment-view")
        self.shown = list(shown)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="attachment-dialog"):
            yield Static(Content(self.shown[0].heading()), classes="dialog-title")
            if len(self.shown) > 1:
                yield OptionList(
                    *(Option(Content(item.name)) for item in self.shown),
                    id="attachment-list",
                    markup=False,
                )
            area = TextArea(
                self.shown[0].body(), read_only=True, soft_wrap=True, id="attachment-text"
            )
            area.show_line_numbers = False
            yield area
            yield dialog_buttons(
                "Esc: close · Tab: next", dialog_button("Close", "close", "primary")
            )

    def on_mount(self) -> None:
        if len(self.shown) > 1:
            self.query_one("#attachment-list", OptionList).focus()
        else:
            self.query_one("#attachment-text", TextArea).focus()

    @on(OptionList.OptionHighlighted, "#attachment-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        item = self.shown[event.option_index]
        self.query_one(".dialog-title", Static).update(Content(item.heading()))
        self.query_one("#attachment-text", TextArea).load_text(item.body())

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
