"""The status line: provider, model, thinking on/off, how full the model's window is, the
conversation's tokens and cost, and the month's spend against the budget."""

from __future__ import annotations

from textual.content import Content

from glm_tui.budget import BudgetState
from glm_tui.session import Status
from glm_tui.ui.formatting import cost_text, tokens_text
from glm_tui.ui.textual_private import QuietStatic


def budget_text(budget: BudgetState) -> tuple[str, str]:
    """The month against the budget, short (the usage screen has the figures): quiet below
    80 %, a warning past it, an alarm past 100 % (each send then asks first)."""
    percent = f"{budget.fraction * 100:.0f} %"
    if budget.level == "over":
        return (f"over budget {percent}", "bold $text-error")
    if budget.level == "warning":
        return (f"budget {percent}", "bold $text-warning")
    return (f"budget {percent}", "$text-muted")


class StatusLine(QuietStatic):
    def show(self, status: Status) -> None:
        """What the session says: the model the next request goes to (the open conversation's
        own, perhaps), thinking, the conversation's tokens and cost, the month against the
        budget, replies being written."""
        parts: list[Content | str | tuple[str, str]] = []
        if status.provider:
            parts += [(status.provider, "bold"), " · "]
        parts += [
            (status.model, "" if status.provider else "bold"),
            " · ",
            ("thinking on", "$text-success")
            if status.thinking
            else ("thinking off", "$text-warning"),
        ]
        budget = status.budget
        if budget is not None and budget.level != "ok":
            # A warning goes first: the end of a long line is cut on a narrow terminal.
            parts += ["  │  ", budget_text(budget)]
        if status.context_label:
            # Past 80 % of the window the figure turns to the warning colour (issue 15).
            style = "bold $text-warning" if status.context_warning else ""
            parts += [" · ", (status.context_label, style)]
        if status.tools:  # before the totals: the end of a long line is cut on a narrow pane
            parts += [" · ", f"{status.tools} tool{'s' if status.tools != 1 else ''}"]
        usage = status.usage
        tokens = tokens_text(usage, detail=False)
        if tokens and usage is not None and usage.total_tokens:
            parts += ["  │  conversation: ", tokens]
            cost = cost_text(usage)
            if cost:
                parts += [" · ", cost]
        if budget is not None and budget.level == "ok":
            parts += ["  │  ", budget_text(budget)]
        if status.writing:
            writing = status.writing
            parts += [" · ", (f"writing {writing} repl{'y' if writing == 1 else 'ies'}", "$accent")]
        self.update(Content.assemble(*parts))
