"""Editing a tool call's arguments before it runs: a dialog with the JSON in a text area.

Ctrl+S (or the Allow button) checks the text: JSON, one object, matching the tool's schema. What
is wrong is said in one line under the text, and the text stays as typed; Escape leaves the
call undecided (the panel asks again).
"""

from __future__ import annotations

import json

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Static, TextArea

from glm_tui.terminal_text import strip_controls
from glm_tui.tools.approval import ApprovalRequest, arguments_for_reading
from glm_tui.tools.loop import check_arguments
from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons


def arguments_problem(request: ApprovalRequest, text: str) -> str | None:
    """Why the edited arguments cannot run, in one sentence for the user (None: they can)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
    except (ValueError, RecursionError):
        return "This is not valid JSON."
    _, problem = check_arguments(request.tool, text)
    if problem is None:
        return None
    return problem.removesuffix("; the call was not run.").rstrip(".") + "."


class ArgumentsScreen(DialogScreen[str | None]):
    """Dismisses with the edited arguments (checked), or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "allow", "Allow", priority=True),
    ]

    def __init__(self, request: ApprovalRequest) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        name = strip_controls(self.request.call.name)
        with Vertical(classes="dialog", id="arguments-dialog"):
            yield Static(
                Content.assemble("Edit the arguments of ", (name, "bold")),
                classes="dialog-title",
            )
            yield TextArea(
                arguments_for_reading(self.request.call.arguments),
                language=None,
                soft_wrap=True,
                id="arguments-input",
            )
            yield Static(Content(""), id="arguments-problem")
            yield dialog_buttons(
                "Ctrl+S: allow with these arguments · Esc: back to the panel",
                dialog_button("Allow", "allow", "primary"),
                dialog_button("Cancel", "cancel"),
            )

    def on_mount(self) -> None:
        # DialogScreen's on_mount runs too: Textual calls the handler of each class.
        self.query_one("#arguments-problem", Static).display = False
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#allow")
    def action_allow(self) -> None:
        text = self.query_one(TextArea).text
        problem = arguments_problem(self.request, text)
        if problem is None:
            self.dismiss(text)
            return
        shown = self.query_one("#arguments-problem", Static)
        shown.update(Content(problem))
        shown.display = True
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
