"""Small modal screens (confirm, rename) and what every dialog shares.

Every dialog works from the keyboard alone: Tab and Shift+Tab move between its fields and
buttons, Enter presses the focused button, Escape cancels, and a line says so. Its text scrolls
between a docked title and docked buttons, so the buttons stay in view on a small terminal.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Static

NARROW = 70
"""Below this many columns a dialog stacks what it otherwise shows side by side (``-narrow``)."""
LOW = 20
"""Below this many rows a dialog drops its blank lines (class ``-low``)."""

ResultType = TypeVar("ResultType")


def fit_to_terminal(screen: Screen[Any]) -> None:
    """Mark ``screen`` narrow or low for the terminal's size (its CSS does the rest)."""
    width, height = screen.app.size
    screen.set_class(width < NARROW, "-narrow")
    screen.set_class(height < LOW, "-low")


def dialog_button(label: str, id: str, variant: str = "default") -> Button:
    return Button(label, id=id, variant=variant, compact=True)  # type: ignore[arg-type]


def dialog_buttons(hint: str, *buttons: Button, column: bool = False) -> Horizontal:
    """The bottom of a dialog: what its keys do beside its buttons (``column``: the buttons
    one a line, before the hint)."""
    text = Static(Content(hint), classes="dialog-hint -after" if column else "dialog-hint")
    if column:
        return Horizontal(
            Vertical(*buttons, classes="button-column"), text, classes="dialog-buttons"
        )
    return Horizontal(text, *buttons, classes="dialog-buttons")


class DialogScreen(ModalScreen[ResultType]):
    """A dialog fitted to the terminal; PageUp / PageDown scroll its text (``.dialog-body``)."""

    BINDINGS = [
        Binding("pageup", "scroll_body(-1)", "Page up", show=False),
        Binding("pagedown", "scroll_body(1)", "Page down", show=False),
    ]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, classes="dialog-screen")

    def on_mount(self) -> None:
        fit_to_terminal(self)

    def on_resize(self) -> None:
        fit_to_terminal(self)

    def action_scroll_body(self, step: int) -> None:
        for body in self.query(".dialog-body").results(VerticalScroll):
            if step < 0:
                body.scroll_page_up(animate=False)
            else:
                body.scroll_page_down(animate=False)


class ConfirmScreen(DialogScreen[bool]):
    """Asks a yes/no question; dismisses with True for yes."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: Content, yes: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            with VerticalScroll(classes="dialog-body", can_focus=False):
                yield Static(self.question, classes="dialog-text")
            yield dialog_buttons(
                f"y: {self.yes.lower()} · n / Esc: cancel · Tab: next button · Enter: press",
                dialog_button(f"{self.yes} (y)", "yes", "error"),
                dialog_button("Cancel (n)", "no"),
            )

    def on_mount(self) -> None:
        # DialogScreen's on_mount runs too: Textual calls the handler of each class.
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class RenameScreen(DialogScreen[str | None]):
    """Asks for a new title; dismisses with it, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="rename-dialog"):
            yield Static(Content("Rename the conversation"), classes="dialog-title")
            yield Input(value=self.current, id="rename-input", select_on_focus=True)
            yield dialog_buttons(
                "Enter: save · Esc: cancel · Tab: the buttons",
                dialog_button("Save", "save", "primary"),
                dialog_button("Cancel", "cancel"),
            )

    @on(Input.Submitted, "#rename-input")
    def _submitted(self) -> None:
        self._save()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        title = " ".join(self.query_one("#rename-input", Input).value.split())
        self.dismiss(title or None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
