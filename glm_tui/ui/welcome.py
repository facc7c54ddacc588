"""The first-run screen: no API key yet, so say how to set one and offer the demo model."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from glm_tui.config import Settings

WelcomeChoice = Literal["demo", "browse", "quit"]


def welcome_text(settings: Settings) -> Content:
    problem = settings.request_problem() or ""
    path = str(settings.config_path)
    return Content.assemble(
        ("Welcome to glm-tui", "bold"),
        "\n\n",
        "glm-tui chats with GLM-4.7 through an API, and needs an API key for it.\n",
        ("Right now: ", "bold"),
        (problem, "$warning"),
        "\n\nSet one of these environment variables, then start glm-tui again:\n\n",
        ("  AIMLAPI_API_KEY ", "bold"),
        "  for AI/ML API, the default provider\n",
        ("  ZAI_API_KEY     ", "bold"),
        "  for Z.ai (with --provider zai)\n",
        ("  GLM_TUI_API_KEY ", "bold"),
        "  for any provider, including --provider openai\n\n",
        "or put ",
        ('api_key = "…"', "bold"),
        ' (and provider = "…") in the config file:\n  ',
        (path, "underline"),
        "\n\nYou can also try the app right now on the offline demo model: it needs no key, "
        "uses no network, and answers with canned replies.",
    )


class WelcomeScreen(ModalScreen[WelcomeChoice]):
    BINDINGS = [
        Binding("d", "choose('demo')", "Demo model"),
        Binding("escape,b", "choose('browse')", "Browse history"),
        Binding("q", "choose('quit')", "Quit"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__(id="welcome", classes="dialog-screen")
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="welcome-dialog"):
            yield Static(welcome_text(self.settings), id="welcome-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Try the demo model (d)", variant="primary", id="demo")
                yield Button("Browse history (b)", id="browse")
                yield Button("Quit (q)", id="quit")

    def on_mount(self) -> None:
        self.query_one("#demo", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "browse")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice if choice in ("demo", "browse", "quit") else "browse")  # type: ignore[arg-type]
