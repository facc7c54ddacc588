"""The status line: provider, model, thinking on/off, and the conversation's tokens and cost."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from glm_tui.api.events import Usage
from glm_tui.config import Settings
from glm_tui.ui.formatting import cost_text, tokens_text


class StatusLine(Static):
    def show(
        self,
        settings: Settings,
        *,
        model: str,
        thinking: bool,
        usage: Usage | None,
        writing: int = 0,
    ) -> None:
        """``model``: the one the next request goes to (the open conversation's own, perhaps)."""
        parts: list[Content | str | tuple[str, str]] = []
        if not settings.is_demo:
            parts += [(settings.provider_info.label, "bold"), " · "]
        parts += [
            (
                settings.model_label if settings.is_demo else model,
                "bold" if settings.is_demo else "",
            ),
            " · ",
            ("thinking on", "$text-success") if thinking else ("thinking off", "$text-warning"),
        ]
        tokens = tokens_text(usage, detail=False)
        if tokens and usage is not None and usage.total_tokens:
            parts += ["  │  conversation: ", tokens]
            cost = cost_text(usage)
            if cost:
                parts += [" · ", cost]
        if writing:
            parts += [" · ", (f"writing {writing} repl{'y' if writing == 1 else 'ies'}", "$accent")]
        self.update(Content.assemble(*parts))
