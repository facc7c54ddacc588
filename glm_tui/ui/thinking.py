"""The "Thinking" block above a reply: the model's reasoning, folded or open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Collapsible

if TYPE_CHECKING:
    from textual.widgets import Markdown
    from textual.widgets.markdown import MarkdownStream


def markdown(source: str | None, *, classes: str) -> Markdown:
    """A Markdown widget. Textual's Markdown (and markdown-it, pygments) are imported when the
    first one is made: the first screen has none, and the import is a tenth of the start-up."""
    from textual.widgets import Markdown

    return Markdown(source, classes=classes)


def markdown_stream(widget: Markdown) -> MarkdownStream:
    from textual.widgets import Markdown

    return Markdown.get_stream(widget)


def thinking_title(seconds: float | None, *, live: bool) -> str:
    if live:
        return f"Thinking… {int(seconds or 0)}s"
    if seconds is None:
        return "Thinking"
    return f"Thinking ({max(1, round(seconds))}s)"


class ThinkingBlock(Collapsible):
    """A Collapsible holding the reasoning as Markdown, streamed while the model thinks.

    It folds itself when the answer starts; the user can open it again at any time.
    """

    def __init__(self, reasoning: str = "", *, collapsed: bool, live: bool = False) -> None:
        self.body = markdown(reasoning or None, classes="thinking-body")
        super().__init__(
            self.body,
            title=thinking_title(0 if live else None, live=live),
            collapsed=collapsed,
            classes="thinking",
        )
        self._stream: MarkdownStream | None = None
        self._auto_toggle = False

    async def write(self, text: str) -> None:
        """Append reasoning (the caller batches; one stream per Markdown widget)."""
        if self._stream is None:
            self._stream = markdown_stream(self.body)
        await self._stream.write(text)

    async def stop(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    def fold(self) -> None:
        """Fold without scrolling: the answer just started and the view may be pinned."""
        self._auto_toggle = True
        try:
            self.collapsed = True
        finally:
            self._auto_toggle = False

    def _watch_collapsed(self, collapsed: bool) -> None:
        # Collapsible scrolls itself into view on every toggle, which would unpin a view
        # following a reply; only a toggle by the user should move the view.
        self._update_collapsed(collapsed)
        self.post_message(self.Collapsed(self) if collapsed else self.Expanded(self))
        if self.is_mounted and not self._auto_toggle and not collapsed:
            self.call_after_refresh(self.scroll_visible)
