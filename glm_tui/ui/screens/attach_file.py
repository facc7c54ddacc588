"""The file picker (Ctrl+O, or "Attach file" in the palette): type part of a path, choose.

The paths under the working directory are matched as the ``@`` list matches them (fuzzy,
``.gitignore`` respected, folders too); Up / Down move in the list, Enter attaches the
highlighted path, or the path typed when nothing matches it (``~/notes.txt``, ``/var/log/x``).
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from glm_tui.session import AttachmentDesk
from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons
from glm_tui.ui.widgets.path_completion import PathCompletion

LIMIT = 200


class AttachFileScreen(DialogScreen[str | None]):
    """Dismisses with the path chosen (relative to the working directory, or as typed), or
    None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, desk: AttachmentDesk) -> None:
        super().__init__(id="attach-file")
        self.desk = desk

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="attach-dialog"):
            yield Static(Content("Attach a file or folder"), classes="dialog-title")
            yield Input(placeholder="part of a path, or a path", id="attach-input")
            yield PathCompletion(id="attach-paths")
            yield Static(Content(f"In {self.desk.cwd}"), classes="dialog-text", markup=False)
            yield dialog_buttons(
                "Up / Down: choose · Enter: attach · Esc: cancel",
                dialog_button("Attach", "attach", "primary"),
                dialog_button("Cancel", "cancel"),
            )

    def on_mount(self) -> None:
        self.query_one("#attach-input", Input).focus()
        self._relist("")

    @property
    def paths(self) -> PathCompletion:
        return self.query_one("#attach-paths", PathCompletion)

    async def _list(self, query: str) -> None:
        await self.desk.refresh_paths()
        if query == self.query_one("#attach-input", Input).value:
            self.paths.show(self.desk.complete_paths(query, LIMIT))

    @on(Input.Changed, "#attach-input")
    def _typed(self, event: Input.Changed) -> None:
        self._relist(event.value)

    def _relist(self, query: str) -> None:
        # A list for a query typed on since is not shown (``_list``).
        self.run_worker(self._list(query), group="attach-paths")

    def on_key(self, event: events.Key) -> None:
        if event.key in ("up", "down") and self.paths.display:
            event.stop()
            event.prevent_default()
            self.paths.move(-1 if event.key == "up" else 1)

    @on(Input.Submitted, "#attach-input")
    @on(Button.Pressed, "#attach")
    def _choose(self) -> None:
        choice = self.paths.choice
        typed = self.query_one("#attach-input", Input).value.strip()
        chosen = choice.path if choice is not None else typed
        if chosen:
            self.dismiss(chosen)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
