"""F1: the key bindings and where the settings and the history live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from glm_tui.config import Settings
from glm_tui.ui.keys import help_rows
from glm_tui.ui.screens.dialogs import DialogScreen

KEYS: list[tuple[str, str]] = help_rows()
"""(keys, description) of every key: from the one key table (ui/keys.py)."""


KEY_COLUMN = max(len(key) for key, _ in KEYS) + 2
"""The width of the keys' column: each description wraps in its own column, beside its key."""


def files_text(settings: Settings) -> Content:
    """Where the settings and the history live, and the model in use."""
    return Content.assemble(
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
    )


class HelpScreen(DialogScreen[None]):
    DEFAULT_CSS = f"""
    .help-row {{
        height: auto;
    }}
    .help-key {{
        width: {KEY_COLUMN};
        max-width: 45%;
        padding-right: 2;
        color: $text-accent;
        text-style: bold;
    }}
    .help-description {{
        width: 1fr;
    }}
    #help-files {{
        margin-top: 1;
    }}
    /* Too narrow for two columns: each key above its description. */
    HelpScreen.-narrow {{
        .help-row {{
            layout: vertical;
        }}
        .help-key {{
            width: 100%;
            max-width: 100%;
        }}
        .help-description {{
            width: 100%;
            padding-left: 2;
        }}
    }}
    """
    BINDINGS = [Binding("escape,q", "close", "Close")]  # and F1: the app's key (action_help)

    def __init__(self, settings: Settings) -> None:
        super().__init__(id="help")
        self.settings = settings

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(Content.styled("Keys", "bold"), classes="dialog-title")
            for key, action in KEYS:
                with Horizontal(classes="help-row"):
                    yield Static(Content(key), classes="help-key")
                    yield Static(Content(action), classes="help-description")
            yield Static(files_text(self.settings), id="help-files")

    def action_close(self) -> None:
        self.dismiss(None)
