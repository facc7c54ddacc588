"""The usage screen (palette "Usage"): what the last 30 days cost.

The spend of each day as a bar chart drawn with block characters, the totals per model and per
conversation with a bar each, the tokens split into prompt (cached or not) and completion
(answer or reasoning), and the month against the budget. Keys only: Up / Down / PageUp /
PageDown scroll, Escape closes. The figures are ``Session.usage_report`` (the history's own,
as ``glm-tui usage`` prints them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from glm_tui.session import Session
from glm_tui.store import StoreError
from glm_tui.store.spending import UsageTotals
from glm_tui.terminal_text import strip_controls
from glm_tui.ui.screens.dialogs import DialogScreen, dialog_buttons
from glm_tui.ui.usage_chart import (
    Measure,
    bar,
    bar_rows,
    column_chart,
    day_axis,
    measure_for,
    token_split,
    tokens,
)
from glm_tui.usage_report import DAYS, UsageReport

LABEL_WIDTH = 30
MODELS_SHOWN = 10
CONVERSATIONS_SHOWN = 10

Parts = list[str | tuple[str, str] | Content]


def report_content(report: UsageReport) -> Content:
    """The whole report, as the screen shows it."""
    measure = measure_for(report)
    total = report.total
    parts: Parts = []
    spent = measure.text(measure.value(total)) if total.replies else "nothing"
    parts += [
        (f"{report.since.isoformat()} to {report.until.isoformat()}: ", "bold"),
        f"{spent} · {total.replies:,} repl{'y' if total.replies == 1 else 'ies'} · ",
        f"{total.total_tokens:,} tokens",
    ]
    if total.credits is not None:
        parts.append(f" · {total.credits:,.0f} credits")
    if report.budget is not None:
        level = report.budget.level
        style = {"over": "$text-error", "warning": "$text-warning"}.get(level, "$text-muted")
        parts += ["\n", (report.budget.summary(), style)]
    if not measure.usd and total.replies:
        parts += ["\n", ("The provider reported no cost: the bars are tokens.", "$text-muted")]
    values = [measure.value(day) for day in report.days]
    top = max(values, default=0.0)
    parts += ["\n\n", (f"{measure.name} per day", "bold"), f"   (highest: {measure.text(top)})\n"]
    if top > 0:
        parts += [("\n".join(column_chart(values)), "$accent"), "\n", day_axis(report.days)]
    else:
        parts.append(("nothing reported in these days", "$text-muted"))
    parts += _bars("Per model", report.models, measure, MODELS_SHOWN)
    parts += _bars("Per conversation", report.conversations, measure, CONVERSATIONS_SHOWN)
    parts += ["\n\n", ("Tokens", "bold")]
    split = token_split(total)
    biggest = max((count for _, count in split), default=0)
    for name, count in split:
        parts += ["\n", f"{name:<{LABEL_WIDTH}} ", (f"{bar(count, biggest):<24}", "$accent")]
        parts.append(f" {tokens(count):>10}")
    return Content.assemble(*parts)


def _bars(title: str, rows: list[UsageTotals], measure: Measure, limit: int) -> Parts:
    parts: Parts = ["\n\n", (title, "bold")]
    if not rows:
        return [*parts, "\n", ("nothing in these days", "$text-muted")]
    clean = [replace(row, label=" ".join(strip_controls(row.label).split())) for row in rows]
    for label, drawn, figure in bar_rows(clean, measure, LABEL_WIDTH, limit):
        parts += ["\n", label, " ", (drawn, "$accent"), " ", figure]
    if len(rows) > limit:
        parts += ["\n", (f"and {len(rows) - limit} more (glm-tui usage --by …)", "$text-muted")]
    return parts


class UsageScreen(DialogScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("up", "scroll(-1)", show=False),
        Binding("down", "scroll(1)", show=False),
        Binding("pageup", "scroll_body(-1)", show=False),
        Binding("pagedown", "scroll_body(1)", show=False),
    ]

    def __init__(self, session: Session, days: int = DAYS) -> None:
        super().__init__(id="usage")
        self.session = session
        self.days = days
        self.report: UsageReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="usage-dialog"):
            yield Static(
                Content.styled(f"Usage · the last {self.days} days", "bold"),
                classes="dialog-title",
            )
            with VerticalScroll(classes="dialog-body", id="usage-body", can_focus=False):
                yield Static(Content("Adding up the history…"), id="usage-report")
            yield dialog_buttons("↑↓ PageUp/PageDown: scroll · Esc: close")

    def on_mount(self) -> None:
        # Inline: the app's CSS (``.dialog``) wins over a screen's DEFAULT_CSS.
        dialog = self.query_one("#usage-dialog")
        dialog.styles.width = 100
        dialog.styles.height = "90%"
        self.query_one("#usage-body").styles.height = "1fr"
        self._read_report()

    @work(thread=True, exclusive=True, group="usage-report")
    def _read_report(self) -> None:
        """In a thread: the report reads the whole history (0.8 s for 20,000 replies on a busy
        2-core machine), and the screen is drawn and answers Escape meanwhile."""
        try:
            report = self.session.usage_report(self.days)
        except StoreError as exc:
            self._from_thread(self._failed, str(exc))
            return
        self._from_thread(self.show, report)

    def _from_thread(self, callback: Callable[[Any], None], value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the app has closed meanwhile
            self.app.call_from_thread(callback, value)

    def _failed(self, problem: str) -> None:
        for text in self.query("#usage-report").results(Static):
            text.update(Content(f"The history cannot be read: {problem}"))

    def show(self, report: UsageReport) -> None:
        self.report = report
        for text in self.query("#usage-report").results(Static):  # none once closed
            text.update(report_content(report))

    def action_scroll(self, step: int) -> None:
        body = self.query_one("#usage-body", VerticalScroll)
        body.scroll_relative(y=step, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
