"""The status line: provider, model, thinking on/off, how full the model's window is, and the
conversation's tokens and cost."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from glm_tui.session import Status
from glm_tui.ui.formatting import cost_text, tokens_text


class StatusLine(Static):
    def show(self, status: Status) -> None:
        """What the session says: the model the next request goes to (the open conversation's
        own, perhaps), thinking, the conversation's tokens and cost, replies being written."""
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
        if status.context_label:
            # Past 80 % of the window the figure turns to the warning colour (issue 15).
            style = "bold $text-warning" if status.context_warning else ""
            parts += [" · ", (status.context_label, style)]
        usage = status.usage
        tokens = tokens_text(usage, detail=False)
        if tokens and usage is not None and usage.total_tokens:
            parts += ["  │  conversation: ", tokens]
            cost = cost_text(usage)
            if cost:
                parts += [" · ", cost]
        if status.tools:
            parts += [" · ", f"{status.tools} tool{'s' if status.tools != 1 else ''}"]
        if status.writing:
            writing = status.writing
            parts += [" · ", (f"writing {writing} repl{'y' if writing == 1 else 'ies'}", "$accent")]
        self.update(Content.assemble(*parts))
