"""The first-run screen: no API key yet, so say how to set one (or type it: F3) and offer the
demo model."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from glm_tui.config import Settings
from glm_tui.ui.screens.dialogs import DialogScreen, dialog_button, dialog_buttons

WelcomeChoice = Literal["demo", "settings", "browse", "quit"]
CHOICES: tuple[WelcomeChoice, ...] = ("demo", "settings", "browse", "quit")


def welcome_text(settings: Settings) -> Content:
    problem = settings.request_problem() or ""
    path = str(settings.config_path)
    return Content.assemble(
        ("Welcome to glm-tui", "bold"),
        "\n\n",
        "glm-tui chats with GLM-4.7 through an API, and needs an API key for it.\n",
        ("Right now: ", "bold"),
        (problem, "$warning"),
        "\n\nPress ",
        ("F3", "bold"),
        " to type a key (and choose the provider) in the settings: it is used at once, and "
        "saved in the config file, readable by you only:\n  ",
        (path, "underline"),
        "\n\nOr set one of these environment variables, then start glm-tui again:\n\n",
        ("  AIMLAPI_API_KEY ", "bold"),
        "  for AI/ML API, the default provider\n",
        ("  ZAI_API_KEY     ", "bold"),
        "  for Z.ai (with --provider zai)\n",
        ("  GLM_TUI_API_KEY ", "bold"),
        "  for any provider, including --provider openai\n\n",
        "or put ",
        ('api_key = "…"', "bold"),
        ' (and provider = "…") in that file yourself.',
        "\n\nYou can also try the app right now on the offline demo model: it needs no key, "
        "uses no network, and answers with canned replies.",
    )


class WelcomeScreen(DialogScreen[WelcomeChoice]):
    BINDINGS = [
        Binding("d", "choose('demo')", "Demo model"),
        Binding("f3", "choose('settings')", "Settings"),
        Binding("escape,b", "choose('browse')", "Browse history"),
        Binding("q", "choose('quit')", "Quit"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__(id="welcome")
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="welcome-dialog"):
            with VerticalScroll(classes="dialog-body", can_focus=False):
                yield Static(welcome_text(self.settings), id="welcome-text")
            yield dialog_buttons(
                "d, F3, b or q · Tab / Shift+Tab: next / previous · Enter: press · "
                "Esc: browse the history",
                dialog_button("Try the demo model (d)", "demo", "primary"),
                dialog_button("Type a key in the settings (F3)", "settings"),
                dialog_button("Browse the history (b)", "browse"),
                dialog_button("Quit (q)", "quit"),
                column=True,
            )

    def on_mount(self) -> None:
        # DialogScreen's on_mount runs too: Textual calls the handler of each class.
        self.query_one("#demo", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "browse")

    def action_choose(self, choice: str) -> None:
        self.dismiss(next((c for c in CHOICES if c == choice), "browse"))
