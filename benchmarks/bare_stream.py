"""The yardstick for the CPU of a streamed reply: a bare Textual app doing what the reply's
screen must at least do, 5 times a second: a growing text at the end of a scrolled column of
paragraphs, laid out again when it wraps, the view following the end.

    python benchmarks/bare_stream.py      # runs until killed; bench_live.py measures its CPU
"""

from __future__ import annotations

import random

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Static

WORDS = ("the", "model", "streams", "tokens", "while", "a", "terminal", "renders", "blocks")
RATE = 5
"""Renders a second, as a live reply's (FLUSH_INTERVAL)."""
TOKENS_PER_RENDER = 12
"""60 tokens a second at 5 renders a second."""


class BareStream(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="pane"):
            for _ in range(30):
                yield Static(" ".join(random.choice(WORDS) for _ in range(60)))
            yield Static("", id="live")
        yield Input()
        yield Footer()

    def on_mount(self) -> None:
        self.text = ""
        self.query_one("#pane").anchor()
        self.set_interval(1 / RATE, self.tick)

    def tick(self) -> None:
        self.text += " ".join(random.choice(WORDS) for _ in range(TOKENS_PER_RENDER)) + " "
        if len(self.text) > 600:  # a paragraph ends, the next begins
            self.query_one("#pane").mount(Static(self.text), before="#live")
            self.text = ""
        self.query_one("#live", Static).update(self.text)


if __name__ == "__main__":
    BareStream().run()
