"""F3: the settings form (saved to config.toml) and the open conversation's model and prompt.

A wrong value is shown next to its field and nothing is saved (see ``settings_form``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea

from glm_tui.config import PROVIDERS, ConfigError, Settings, key_env_names, save_config
from glm_tui.store import Conversation, StoreError
from glm_tui.ui.screens.dialogs import fit_to_terminal
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
    #settings-form {
        height: auto;
        max-height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    .settings-title {
        text-style: bold;
        padding: 1 1 0 1;
    }
    #settings-file {
        color: $text-muted;
    }
    .settings-section {
        text-style: bold;
        color: $text-primary;
        margin: 1 0 1 0;
    }
    .settings-row {
        height: auto;
    }
    .settings-line {
        height: auto;
        & > Label {
            width: 16;
            padding: 0 2 0 0;
            text-align: right;
            color: $text-muted;
        }
        & > Input, & > Select {
            width: 1fr;
        }
        & > .-short {
            width: 14;
        }
        & > .-medium {
            width: 32;
        }
        & > .settings-hint {
            width: 1fr;
            padding: 0 0 0 2;
        }
    }
    .settings-note {
        height: auto;
        padding: 0 0 0 16;
        color: $text-muted;
    }
    .settings-hint {
        color: $text-muted;
    }
    Input.-textual-compact, Select.-textual-compact > SelectCurrent,
    TextArea.-textual-compact {
        background: $panel;
        padding: 0 1;
        &:focus {
            background-tint: $primary 25%;
        }
    }
    SettingsScreen Select.-textual-compact > SelectCurrent {
        padding: 0 1;
    }
    Select.-textual-compact:focus > SelectCurrent {
        background-tint: $primary 25%;
    }
    TextArea {
        height: 4;
        width: 1fr;
    }
    SettingsScreen Switch {
        border: none;
        padding: 0 1;
        height: 1;
        background: $panel;
        &:focus {
            border: none;
            background-tint: $primary 25%;
        }
    }
    .-invalid {
        outline-left: thick $error;
    }
    .settings-error {
        color: $text-error;
        text-style: bold;
        padding: 0 0 0 16;
        display: none;
        &.-shown {
            display: block;
        }
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

    # -- layout -------------------------------------------------------------------------------

    def _row(
        self, label: str, name: str, field: Widget, hint: str | None = None, note: str | None = None
    ) -> Vertical:
        """Label, field and a short hint on one line; a note and the field's error below."""
        line: list[Widget] = [Label(label, markup=False), field]
        if hint:
            line.append(Static(Content(hint), classes="settings-hint"))
        parts: list[Widget] = [Horizontal(*line, classes="settings-line")]
        if note:
            parts.append(Static(Content(note), classes="settings-note", id=f"note-{name}"))
        parts.append(Static("", classes="settings-error", id=f"error-{name}"))
        return Vertical(*parts, classes="settings-row", id=f"row-{name}")

    def _source_hint(self, name: str) -> str | None:
        source = self.settings.sources.get(name, "default")
        if source.startswith(("env ", "flag ")):
            return f"now from {source} (wins over the file)"
        return None

    def compose(self) -> ComposeResult:
        s = self.settings
        values = self.initial
        with Vertical(id="settings-dialog"):
            with Vertical(id="settings-top"):
                yield Static(Content("Settings"), classes="settings-title")
                yield Static("", id="settings-problem")
            # Tab goes from field to field (the focused one scrolls into view), not to the form.
            with VerticalScroll(id="settings-form", can_focus=False):
                yield Static(Content(f"Saved in {s.config_path}"), id="settings-file")
                yield Static(Content("Model and provider"), classes="settings-section")
                yield self._row(
                    "Provider",
                    "provider",
                    Select(
                        [(p.label, name) for name, p in PROVIDERS.items()],
                        value=values["provider"],
                        allow_blank=False,
                        compact=True,
                        id="provider",
                        classes="-medium",
                    ),
                    hint=self._source_hint("provider"),
                )
                yield self._row(
                    "Base URL",
                    "base_url",
                    Input(values["base_url"], compact=True, id="base_url"),
                    note=self._source_hint("base_url"),
                )
                yield self._row(
                    "Model",
                    "model",
                    Input(values["model"], compact=True, id="model"),
                    note=self._source_hint("model"),
                )
                yield self._row(
                    "API key",
                    "api_key",
                    Input(
                        "",
                        password=True,
                        placeholder="type a new key to save it",
                        compact=True,
                        id="api_key",
                        classes="-medium",
                    ),
                    hint=self._key_text(),
                    note="A key typed here is saved in the config file, readable by you only "
                    "(mode 0600).",
                )
                yield self._row(
                    "Thinking",
                    "thinking",
                    Switch(values["thinking"], id="thinking"),
                    hint="reason before answering (Ctrl+T: for one request)",
                )
                yield self._row(
                    "Web search",
                    "web_search",
                    Switch(values["web_search"], id="web_search"),
                    hint="offer Z.ai's web search to the model (the zai provider only)",
                )
                yield self._row(
                    "Temperature",
                    "temperature",
                    Input(
                        values["temperature"],
                        placeholder="default",
                        compact=True,
                        id="temperature",
                        classes="-short",
                    ),
                    hint="0 to 2; empty: the server's default",
                )
                yield self._row(
                    "Top p",
                    "top_p",
                    Input(
                        values["top_p"],
                        placeholder="default",
                        compact=True,
                        id="top_p",
                        classes="-short",
                    ),
                    hint="0 to 1; empty: the server's default",
                )
                yield self._row(
                    "Max tokens",
                    "max_tokens",
                    Input(
                        values["max_tokens"],
                        placeholder="default",
                        compact=True,
                        id="max_tokens",
                        classes="-short",
                    ),
                    hint="reasoning included; empty: the server's default",
                )
                yield self._row(
                    "System prompt",
                    "system_prompt",
                    TextArea(
                        values["system_prompt"], id="system_prompt", soft_wrap=True, compact=True
                    ),
                    note="Given to new conversations.",
                )
                yield self._row(
                    "Theme",
                    "theme",
                    Select(
                        # Content: a theme name (a file name) is never read as markup.
                        [(Content(name), name) for name in self.themes],
                        value=values["theme"],
                        allow_blank=False,
                        compact=True,
                        id="theme",
                        classes="-medium",
                    ),
                    hint=f"yours: {s.config_path.parent / 'themes'}/*.toml",
                )
                yield self._row(
                    "Prose width",
                    "max_prose_width",
                    Input(
                        values["max_prose_width"],
                        compact=True,
                        id="max_prose_width",
                        classes="-short",
                    ),
                    hint="widest line of text in a reply (code and tables: the whole pane); "
                    "0: no limit",
                )
                yield from self._compose_conversation()
            # After the form, for Tab; docked at the bottom.
            with Horizontal(id="settings-buttons"):
                yield Static(Content(KEYS_HINT))
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _compose_conversation(self) -> ComposeResult:
        conversation = self.conversation
        if conversation is None:
            return
        values = self.initial
        yield Static(
            Content.assemble("This conversation: ", conversation.title),
            classes="settings-section",
            id="conversation-section",
        )
        yield self._row(
            "Model",
            "conversation_model",
            Input(values["conversation_model"], compact=True, id="conversation_model"),
        )
        yield self._row(
            "System prompt",
            "conversation_system_prompt",
            TextArea(
                values["conversation_system_prompt"],
                id="conversation_system_prompt",
                soft_wrap=True,
                compact=True,
            ),
            note="Sent before this conversation's messages; empty: none.",
        )

    def _key_text(self) -> str:
        s = self.settings
        if s.redacted_key:
            source = s.sources.get("api_key", "")
            if source.startswith(("config file", "changed")):
                source = "the config file"
            return f"now {s.redacted_key} from {source}"
        if s.is_demo:
            return "the demo model needs none"
        return f"none yet (env {key_env_names(s.provider)})"

    def on_mount(self) -> None:
        fit_to_terminal(self)
        self._update_placeholders(self.initial["provider"])
        self.query_one("#provider", Select).focus()

    # -- reacting -----------------------------------------------------------------------------

    def on_resize(self) -> None:
        fit_to_terminal(self)

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._update_placeholders(event.value)

    def _update_placeholders(self, provider: str) -> None:
        info = PROVIDERS[provider]
        base = self.query_one("#base_url", Input)
        model = self.query_one("#model", Input)
        base.placeholder = (
            info.base_url or "required: the server's URL, e.g. http://localhost:8000/v1"
        )
        model.placeholder = info.default_model or "required: the model id"
        if provider == "demo":
            base.placeholder = "not used by the demo model"
            model.placeholder = "not used by the demo model"

    def current_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.initial:
            widget = self.query_one(f"#{name}")
            if isinstance(widget, Select | Input | Switch):
                values[name] = widget.value
            elif isinstance(widget, TextArea):
                values[name] = widget.text
        return values

    def show_errors(self, errors: dict[str, str], problem: str | None = None) -> None:
        for name in self.initial:
            message = errors.get(name)
            label = self.query_one(f"#error-{name}", Static)
            label.update(Content(message or ""))
            label.set_class(message is not None, "-shown")
            self.query_one(f"#{name}").set_class(message is not None, "-invalid")
        banner = self.query_one("#settings-problem", Static)
        banner.update(Content(problem or ""))
        banner.set_class(problem is not None, "-shown")
        if errors:
            first = next(name for name in self.initial if name in errors)
            widget = self.query_one(f"#{first}")
            widget.focus()
            self.query_one("#settings-form", VerticalScroll).scroll_to_widget(
                self.query_one(f"#row-{first}"), animate=False
            )

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
