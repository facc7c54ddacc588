"""The fields of the settings form (F3), each with its label, hint and error line.

``SettingsScreen`` puts them between its title and its buttons; on a short terminal they scroll
and the buttons stay in view. The values are read and checked by ``settings_form``.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch, TextArea

from glm_tui.config import PROVIDERS, Settings, key_env_names
from glm_tui.store import Conversation


class SettingsFields(VerticalScroll, can_focus=False):
    """The settings and the open conversation's model and prompt; ``initial`` holds their
    values when the form opened, by field id."""

    DEFAULT_CSS = """
    SettingsFields {
        height: auto;
        max-height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
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
    SettingsFields Select.-textual-compact > SelectCurrent {
        padding: 0 1;
    }
    Select.-textual-compact:focus > SelectCurrent {
        background-tint: $primary 25%;
    }
    TextArea {
        height: 4;
        width: 1fr;
    }
    SettingsFields Switch {
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
    """

    def __init__(
        self,
        settings: Settings,
        themes: list[str],
        conversation: Conversation | None,
        initial: dict[str, Any],
    ) -> None:
        # Tab goes from field to field (the focused one scrolls into view), not to the form.
        super().__init__(id="settings-form", can_focus=False)
        self.settings = settings
        self.themes = themes
        self.conversation = conversation
        self.initial = initial

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
            note="A key typed here is saved in the config file, readable by you only (mode 0600).",
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
            TextArea(values["system_prompt"], id="system_prompt", soft_wrap=True, compact=True),
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
            hint="widest line of text in a reply (code and tables: the whole pane); 0: no limit",
        )
        yield from self._compose_conversation()

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
        self._update_placeholders(self.initial["provider"])

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

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each wrong field marked with its error below it; the first one focused, in view."""
        for name in self.initial:
            message = errors.get(name)
            label = self.query_one(f"#error-{name}", Static)
            label.update(Content(message or ""))
            label.set_class(message is not None, "-shown")
            self.query_one(f"#{name}").set_class(message is not None, "-invalid")
        if errors:
            first = next(name for name in self.initial if name in errors)
            self.query_one(f"#{first}").focus()
            self.scroll_to_widget(self.query_one(f"#row-{first}"), animate=False)
