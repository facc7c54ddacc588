"""Compare's columns: one prompt, the replies of two or three models side by side.

Each column is a reply as the conversation shows it (its Thinking, its answer streaming, its
footer with tokens, cost and time) under a header with its number, model, time so far and cost.
Keys only: Left / Right (or 1, 2, 3, or Tab) go from column to column, Up / Down / PageUp /
PageDown scroll the one in focus, Enter continues with it ("continue with this one": its reply
becomes the branch shown and its model the conversation's; chosen while they stream, it applies
when they are done), Escape stops them all while they stream and closes the columns after.
Below ``STACK_BELOW`` columns of terminal the columns are stacked, one above the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from glm_tui.session import (
    CompareFinished,
    CompareReplyChanged,
    CompareReplyFinished,
    LiveCompare,
    Session,
)
from glm_tui.session.live import LiveTurn
from glm_tui.store import Message
from glm_tui.terminal_text import strip_controls
from glm_tui.ui.formatting import cost_text, duration_text, join_parts, status_words, tokens_text
from glm_tui.ui.screens.problems import attempt
from glm_tui.ui.textual_private import MovesDrawn
from glm_tui.ui.widgets.messages import AssistantMessage

STACK_BELOW = 90
"""Below this many columns of terminal the replies are stacked."""
PROMPT_LINES = 3
"""The prompt's lines shown above the columns (the rest is in the conversation)."""


def prompt_preview(text: str) -> str:
    lines = strip_controls(text).strip().splitlines() or [""]
    shown = "\n".join(lines[:PROMPT_LINES])
    return shown + ("\n…" if len(lines) > PROMPT_LINES else "")


class CompareColumn(VerticalScroll, can_focus=True):
    """One model's reply, under its header."""

    def __init__(
        self, index: int, reply: Message, live: LiveTurn, clock: Callable[[], float]
    ) -> None:
        super().__init__(id=f"compare-column-{index}", classes="compare-column")
        self.index = index
        self.reply = reply
        self.live = live
        self.clock = clock
        self.final: Message | None = None
        self.chosen = False
        self.message = AssistantMessage(reply, live=live, clock=clock)
        self.message.can_focus = False  # the column is what the keys act on

    def compose(self) -> ComposeResult:
        yield Static(self.header(), classes="compare-header")
        yield self.message

    def header(self) -> Content:
        live, final = self.live, self.final
        model = strip_controls(self.reply.model or live.model or "?")
        parts: list[str | tuple[str, str]] = [(f"{self.index + 1}  {model}", "bold")]
        if final is None:
            elapsed = self.clock() - live.started
            words = "connecting…" if live.connected is None else "writing…"
            if elapsed >= 1:
                words += f" {int(elapsed)}s"
            parts += ["\n", (words, "$accent")]
        else:
            figures = join_parts(
                duration_text(final.duration), tokens_text(final.usage), cost_text(final.usage)
            )
            note = status_words(final.status, answered=bool(final.content), error=final.error)
            parts += ["\n", (figures or "-", "$text-muted")]
            if note:
                parts += [" · ", (note.splitlines()[0], "$text-warning")]
        if self.chosen:
            parts += ["\n", ("✓ continue with this one", "bold $text-success")]
        return Content.assemble(*parts)

    def show_header(self) -> None:
        if self.is_mounted:
            self.query_one(".compare-header", Static).update(self.header())

    async def finish(self, message: Message) -> None:
        self.final = message
        await self.message.finish(message)
        self.show_header()


class CompareScreen(MovesDrawn, ModalScreen[None]):
    """Over the whole window (a dialog's keys are its own; the main screen's wait under it)."""

    DEFAULT_CSS = f"""
    #compare {{
        layout: vertical;
        background: $background;
    }}
    #compare-prompt {{
        height: auto;
        max-height: {PROMPT_LINES + 3};
        padding: 0 1;
        border-bottom: solid $primary 40%;
    }}
    #compare-columns {{
        layout: horizontal;
        height: 1fr;
    }}
    .compare-column {{
        width: 1fr;
        height: 1fr;
        padding: 0 1;
        border-left: solid $primary 20%;
        scrollbar-size-vertical: 1;
    }}
    .compare-column:focus {{
        border-left: thick $accent;
        background: $boost;
    }}
    .compare-column > .compare-header {{
        height: auto;
        margin-bottom: 1;
    }}
    /* The header says the model, the time, the tokens and the cost. */
    .compare-column > .assistant-message > .role {{
        display: none;
    }}
    .compare-column > .assistant-message > .message-footer > .meta {{
        display: none;
    }}
    CompareScreen.-stacked #compare-columns {{
        layout: vertical;
    }}
    CompareScreen.-stacked .compare-column {{
        width: 100%;
        border-left: none;
        border-top: solid $primary 20%;
    }}
    CompareScreen.-stacked .compare-column:focus {{
        border-top: thick $accent;
    }}
    #compare-hint {{
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }}
    """
    BINDINGS = [
        Binding("escape", "stop_or_close", "Stop / close"),
        Binding("left", "column(-1)", "Previous", show=False),
        Binding("right", "column(1)", "Next", show=False),
        Binding("1", "go(0)", show=False),
        Binding("2", "go(1)", show=False),
        Binding("3", "go(2)", show=False),
        Binding("enter", "choose", "Continue with this one"),
    ]
    AUTO_FOCUS = "#compare-column-0"

    def __init__(
        self,
        session: Session,
        prompt: Message,
        replies: Sequence[Message],
        live: LiveCompare,
        *,
        clock: Callable[[], float],
        stop: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(id="compare")
        self.session = session
        self.prompt = prompt
        self.live = live
        self.stop = stop
        self.columns = [
            CompareColumn(index, reply, turn, clock)
            for index, (reply, turn) in enumerate(zip(replies, live.replies, strict=True))
        ]
        self.done = False
        """Every reply is final."""

    def compose(self) -> ComposeResult:
        models = len(self.columns)
        yield Static(
            Content.assemble(
                (f"Compare · {models} models · You: ", "bold"), prompt_preview(self.prompt.content)
            ),
            id="compare-prompt",
        )
        with Container(id="compare-columns"):
            yield from self.columns
        yield Static(self.hint(), id="compare-hint")

    def hint(self) -> Content:
        keys = "←→ / 1-3: column · ↑↓ PageUp/PageDown: scroll · Enter: continue with this one"
        last = " · Esc: close" if self.done else " · Esc: stop them all"
        return Content(keys + last)

    def on_mount(self) -> None:
        self._fit()
        self.set_interval(1.0, self._tick)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.set_class(self.app.size.width < STACK_BELOW, "-stacked")

    def _tick(self) -> None:
        for column in self.columns:
            if column.final is None:
                column.show_header()

    # -- what the session says -----------------------------------------------------------------

    async def compare_event(
        self, event: CompareReplyChanged | CompareReplyFinished | CompareFinished
    ) -> None:
        if isinstance(event, CompareReplyChanged):
            self.columns[event.index].show_header()
        elif isinstance(event, CompareReplyFinished):
            if event.message is not None:
                await self.columns[event.index].finish(event.message)
        else:
            self.done = True
            self.query_one("#compare-hint", Static).update(self.hint())

    # -- keys ----------------------------------------------------------------------------------

    def focused_column(self) -> CompareColumn | None:
        focused = self.focused
        return focused if isinstance(focused, CompareColumn) else None

    def action_column(self, step: int) -> None:
        column = self.focused_column()
        index = 0 if column is None else (column.index + step) % len(self.columns)
        self.columns[index].focus()

    def action_go(self, index: int) -> None:
        if index < len(self.columns):
            self.columns[index].focus()

    async def action_choose(self) -> None:
        column = self.focused_column()
        if column is None:
            return
        if not await attempt(self.app, _done(self.session.continue_with(column.reply.id))):
            return
        for other in self.columns:
            other.chosen = other is column
            other.show_header()
        if self.done:
            self.dismiss(None)
        else:
            self.notify(
                f"Continuing with {column.reply.model} once the replies are done.", timeout=3
            )

    async def action_stop_or_close(self) -> None:
        if self.done:
            self.dismiss(None)
        else:
            await self.stop()

    @on(AssistantMessage.Retry)
    def _no_retry_here(self, event: AssistantMessage.Retry) -> None:
        event.stop()
        self.notify("Close the columns (Escape) to regenerate a reply.", timeout=3)


async def _done(call: Awaitable[None]) -> bool:
    await call
    return True
