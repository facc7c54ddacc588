"""The yardstick for start-up: a bare Textual app (Header, Static, Footer)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("BARE-APP-READY")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
