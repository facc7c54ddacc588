"""The small parts of a reply's display: its round's text, the line of a prompt left without a
reply, the numbered web sources under an answer, and the buttons of a reply's footer."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import Button, Static

from glm_tui.api.events import WebSource
from glm_tui.records import record
from glm_tui.session.live import LiveTurn, TextPart
from glm_tui.terminal_text import strip_controls


def round_text(live: LiveTurn) -> tuple[str, str]:
    """(reasoning, answer) of the live turn's current round: what came after its last tool
    call (all of it, for a turn without tools). Each round is a reply of its own."""
    reasoning: list[str] = []
    content: list[str] = []
    for part in live.parts:
        if isinstance(part, TextPart):
            (reasoning if part.kind == "reasoning" else content).append(part.text)
        else:
            reasoning.clear()
            content.clear()
    return "".join(reasoning), "".join(content)


def footer_button(label: str, classes: str) -> Button:
    button = Button(label, compact=True, classes=classes)
    # Keyboard users act on the focused message (r, c, k): Tab stays short.
    button.can_focus = False
    return button


class MissingReply(Horizontal):
    """After a prompt whose reply never got written (stopped before it started)."""

    @record(frozen=False, slots=False)
    class Retry(TextualMessage):
        user_message_id: int

    def __init__(self, user_message_id: int) -> None:
        super().__init__(id=f"missing-{user_message_id}", classes="missing-reply")
        self.user_message_id = user_message_id

    def compose(self) -> ComposeResult:
        yield Static(Content("No reply was written to this prompt."), classes="meta")
        yield footer_button("Retry", "retry")

    @on(Button.Pressed, ".retry")
    def _retry(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Retry(self.user_message_id))


def sources_text(sources: Sequence[WebSource]) -> Content:
    """The pages Z.ai's web search found, numbered as the answer cites them (literal text: the
    titles come from the web)."""
    lines: list[str | tuple[str, str]] = [("Sources", "bold")]
    for number, source in enumerate(sources, 1):
        site = f" ({source.media})" if source.media else ""
        title = strip_controls(source.title) or source.link
        lines += ["\n", f"{number}. {title}{site} ", (strip_controls(source.link), "dim")]
    return Content.assemble(*lines)
