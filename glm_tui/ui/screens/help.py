"""F1: the key bindings and where the settings and the history live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from glm_tui.config import Settings
from glm_tui.ui.keys import DEFAULT, KeyTable
from glm_tui.ui.screens.dialogs import DialogScreen

KEYS: list[tuple[str, str]] = DEFAULT.help_rows()
"""(keys, description) of every default key: from the one key table (ui/keys.py)."""


KEY_COLUMN = max(len(key) for key, _ in KEYS) + 2
"""The width of the keys' column with the default keys (your own may make it wider): each
description wraps in its own column, beside its key."""


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

    def __init__(self, settings: Settings, key_table: KeyTable = DEFAULT) -> None:
        super().__init__(id="help")
        self.settings = settings
        self.entries = key_table.help_entries()
        self.rows = [(keys, text) for keys, text, _ in self.entries]
        """(keys in force, description) of every key."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(Content.styled("Keys", "bold"), classes="dialog-title")
            width = max(KEY_COLUMN, *(len(key) + 2 for key, _ in self.rows))
            for key, action, names in self.entries:
                with Horizontal(classes="help-row"):
                    key_cell = Static(Content(key), classes="help-key")
                    if width != KEY_COLUMN:
                        key_cell.styles.width = width
                    yield key_cell
                    # The action's name: what [keys] in config.toml gives other keys.
                    text = Content.assemble(action, (f"  {names}" if names else "", "dim"))
                    yield Static(text, classes="help-description")
            yield Static(
                Content(
                    "Dim: the action's name in [keys] of the config file, to give it other keys."
                ),
                classes="dialog-text",
            )
            yield Static(files_text(self.settings), id="help-files")

    def action_close(self) -> None:
        self.dismiss(None)
