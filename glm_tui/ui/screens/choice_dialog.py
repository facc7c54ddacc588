"""A dialog that offers a list to choose from: the bookmarks of every conversation, the roles of
the prompt library, the slash commands (/help). Enter chooses, Escape closes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons

Value = TypeVar("Value")


class ChoiceScreen(DialogScreen[Value | None], Generic[Value]):
    """Dismisses with the value of the option chosen, or None."""

    BINDINGS = [Binding("escape", "cancel", "Close")]

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[Content, Value]],
        *,
        empty: str,
        hint: str = "Enter: open · Esc: close",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.choices = list(choices)
        self.empty = empty
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice-dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            if self.choices:
                yield OptionList(
                    *(Option(prompt, id=str(i)) for i, (prompt, _) in enumerate(self.choices)),
                    id="choices",
                    markup=False,
                )
            else:
                yield Static(Content(self.empty), classes="dialog-text", id="choices-empty")
            yield dialog_buttons(self.hint, dialog_button("Close", "close"))

    def on_mount(self) -> None:
        if self.choices:
            options = self.query_one("#choices", OptionList)
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)][1])

    @on(Button.Pressed, "#close")
    def action_cancel(self) -> None:
        self.dismiss(None)
