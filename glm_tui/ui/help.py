"""F1: the key bindings and where the settings and the history live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from glm_tui.config import Settings

KEYS: list[tuple[str, str]] = [
    ("Enter", "send the message (in the composer)"),
    ("Ctrl+J / Shift+Enter", "new line in the composer"),
    ("Escape", "stop the reply being written (keeps what arrived)"),
    ("Ctrl+N", "new conversation"),
    ("Ctrl+B", "show / hide the sidebar"),
    ("Ctrl+F, / in the sidebar", "search conversations (Enter: search all messages)"),
    ("Ctrl+R", "regenerate the last reply"),
    ("Up, Alt+Up (composer)", "select a message; Up / Down move, Esc goes back"),
    ("r on a message", "regenerate that reply (on a prompt: reply again)"),
    ("e on a prompt", "edit it; the edit and its reply are a new branch"),
    ("[ / ] on a message", "previous / next branch (shown as ‹ 2/3 ›)"),
    ("f on a message", "fork: new conversation with the branch up to it"),
    ("c / k on a message", "copy the message / its code blocks"),
    ("Ctrl+T", "toggle thinking for the next request"),
    ("F2", "rename the conversation"),
    ("F3", "settings: provider, model, sampling, system prompt, theme"),
    ("Delete (in the sidebar)", "delete the selected conversation (asks first)"),
    ("Ctrl+P", "command palette"),
    ("F1", "this help"),
    ("Ctrl+Q", "quit"),
]


def help_text(settings: Settings) -> Content:
    width = max(len(key) for key, _ in KEYS) + 2
    parts: list[Content | str | tuple[str, str]] = [("Keys", "bold"), "\n\n"]
    for key, action in KEYS:
        parts += [(key.ljust(width), "bold $accent"), action, "\n"]
    parts += [
        "\n",
        ("Files", "bold"),
        "\n\n",
        "config file   ",
        str(settings.config_path),
        "\nhistory       ",
        str(settings.db_path),
        "\n\n",
        ("Model", "bold"),
        "\n\n",
        f"{settings.provider_info.label} · {settings.model_label}",
        "\n\nEscape or F1 closes this help.",
    ]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self, settings: Settings) -> None:
        super().__init__(id="help", classes="dialog-screen")
        self.settings = settings

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(help_text(self.settings), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
