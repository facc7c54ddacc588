"""F3: the settings form (saved to config.toml) and the open conversation's model and prompt.

A wrong value is shown next to its field and nothing is saved (see ``settings_form``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Select, Static

from glm_tui.config import ConfigError, Settings, save_config
from glm_tui.store import Conversation, StoreError
from glm_tui.ui.screens.dialogs import fit_to_terminal
from glm_tui.ui.screens.settings_fields import SettingsFields
from glm_tui.ui.screens.settings_form import FormResult, check_form, form_values

if TYPE_CHECKING:
    from glm_tui.session import Session


KEYS_HINT = "Tab: next field · Shift+Tab: back · Enter: press · Ctrl+S: save · Esc: cancel"


class SettingsScreen(ModalScreen[FormResult | None]):
    """Dismisses with what was saved (a FormResult), or None when cancelled."""

    DEFAULT_CSS = """
    SettingsScreen {
        align: center middle;
    }
    #settings-dialog {
        width: 104;
        max-width: 96%;
        height: auto;
        max-height: 94%;
        background: $surface;
        border: thick $primary 60%;
        padding: 0 1;
    }
    /* The title and the buttons are docked: on a short terminal the form between them
       scrolls, and Save stays in view. */
    #settings-top {
        dock: top;
        height: auto;
    }
    .settings-title {
        text-style: bold;
        padding: 1 1 0 1;
    }
    #settings-problem {
        color: $text-error;
        text-style: bold;
        padding: 0 1;
        display: none;
        &.-shown {
            display: block;
        }
    }
    #settings-buttons {
        dock: bottom;
        height: auto;
        padding: 1 1 0 1;
        & > Static {
            width: 1fr;
            color: $text-muted;
        }
        & > Button {
            margin-left: 2;
            min-width: 8;
        }
    }
    /* A narrow terminal: each label above its field, no key hint beside the buttons; a low
       one: no blank lines around the title and the buttons. */
    SettingsScreen.-narrow {
        .settings-line {
            layout: vertical;
            & > Label {
                width: auto;
                text-align: left;
            }
            & > Input, & > Select, & > .settings-hint, & > TextArea {
                width: 100%;
                padding-left: 0;
            }
        }
        .settings-note, .settings-error {
            padding: 0;
        }
        #settings-dialog, #settings-form, #settings-buttons {
            padding: 0;
            max-width: 100%;
        }
        #settings-buttons > Static {
            display: none;
        }
        #settings-buttons > Button {
            margin-left: 1;
            min-width: 6;
        }
    }
    SettingsScreen.-low {
        .settings-title {
            padding: 0 1;
        }
        #settings-buttons {
            padding: 0 1;
        }
        #settings-dialog {
            max-height: 100%;
        }
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(
        self,
        settings: Settings,
        themes: list[str],
        conversation: Conversation | None = None,
        session: Session | None = None,
    ) -> None:
        super().__init__(id="settings")
        self.settings = settings
        self.session = session
        self.themes = sorted(set(themes) | {settings.theme})
        self.conversation = conversation
        self.initial = form_values(settings, conversation)

    def compose(self) -> ComposeResult:
        with Vertical(id="settings-dialog"):
            with Vertical(id="settings-top"):
                yield Static(Content("Settings"), classes="settings-title")
                yield Static("", id="settings-problem")
            yield SettingsFields(self.settings, self.themes, self.conversation, self.initial)
            # After the form, for Tab; docked at the bottom.
            with Horizontal(id="settings-buttons"):
                yield Static(Content(KEYS_HINT))
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @property
    def fields(self) -> SettingsFields:
        return self.query_one(SettingsFields)

    def on_mount(self) -> None:
        fit_to_terminal(self)
        self.query_one("#provider", Select).focus()

    def on_resize(self) -> None:
        fit_to_terminal(self)

    def current_values(self) -> dict[str, Any]:
        return self.fields.current_values()

    def show_errors(self, errors: dict[str, str], problem: str | None = None) -> None:
        """The wrong fields marked, and ``problem`` above the form."""
        self.fields.show_errors(errors)
        banner = self.query_one("#settings-problem", Static)
        banner.update(Content(problem or ""))
        banner.set_class(problem is not None, "-shown")

    # -- saving -------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    async def _save_pressed(self) -> None:
        await self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def action_save(self) -> None:
        """Check every value, write the changed ones (nothing at all if one is wrong), and
        dismiss with what was saved, for the app to use at once."""
        result = check_form(self.initial, self.current_values())
        if result.errors:
            count = len(result.errors)
            self.show_errors(
                result.errors,
                f"Nothing was saved: {count} value{'s are' if count > 1 else ' is'} wrong.",
            )
            return
        if result.settings:
            try:
                save_config(self.settings.config_path, result.settings)
            except (ConfigError, OSError) as exc:
                self.show_errors({}, f"Nothing was saved: {exc}")
                return
        if result.conversation and self.conversation is not None and self.session is not None:
            try:
                await self.session.update_conversation(self.conversation.id, **result.conversation)
            except StoreError as exc:
                self.show_errors({}, f"The conversation was not changed: {exc}")
                return
        self.dismiss(result)
