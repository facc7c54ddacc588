"""The "Thinking" block above a reply: the model's reasoning, folded or open."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.widgets import Collapsible

from glm_tui.ui.formatting import duration_text
from glm_tui.ui.textual_private import (
    QuietResize,
    SeeThrough,
    SteadyArrangement,
    collapsible_title,
    show_collapsed,
)

if TYPE_CHECKING:
    from glm_tui.ui.markdown.segmented import SegmentedMarkdown


_markdown_imported = threading.Event()


def import_markdown() -> None:
    """Import Textual's Markdown, markdown-it and Pygments (for a thread: 0.1-0.2 s)."""
    import glm_tui.ui.markdown.segmented  # noqa: F401

    _markdown_imported.set()


async def markdown_imported() -> None:
    """Return once ``import_markdown`` has run, the event loop going on meanwhile.

    The app imports them in a thread once its first screen is up; a prompt sent before that
    thread got there imported them on the event loop when its reply was made (and a key typed
    just after Enter waited 0.1-0.2 s for it). Awaited before a reply or a conversation is
    shown, the import is the thread's (or is waited for in one): keys go on being drawn."""
    if not _markdown_imported.is_set():
        await asyncio.to_thread(import_markdown)


def markdown(source: str | None, *, classes: str, lazy: bool = False) -> SegmentedMarkdown:
    """A Markdown widget (in segments, see ui/markdown/segmented.py). Textual's Markdown (and
    markdown-it, pygments) are imported when the first one is made: the first screen has none,
    and the import is a tenth of the start-up."""
    from glm_tui.ui.markdown.segmented import SegmentedMarkdown

    return SegmentedMarkdown(source, classes=classes, lazy=lazy)


def markdown_stream(widget: SegmentedMarkdown) -> SegmentedMarkdown:
    """The stream of a live Markdown: the widget itself (one MarkdownStream per segment)."""
    return widget


def restyle_shallow(node: DOMNode, animate: bool) -> None:
    from glm_tui.ui.markdown.segmented import restyle_shallow

    restyle_shallow(node, animate)


def thinking_title(seconds: float | None, *, live: bool, connecting: bool = False) -> str:
    """The Thinking row's title: "Connecting… 2s" until the provider answers, "Thinking… 5s"
    while the model thinks, then "Thinking (4.8s)" (the same format as the reply's time)."""
    if connecting:
        return f"Connecting… {int(seconds or 0)}s"
    if live:
        return f"Thinking… {int(seconds or 0)}s"
    if seconds is None:
        return "Thinking"
    return f"Thinking ({duration_text(seconds)})"


class ThinkingContents(QuietResize, SeeThrough, Collapsible.Contents):
    """The open block's body: growing with the reasoning, it asks for no second layout."""


class ThinkingBlock(SteadyArrangement, Collapsible):
    """A Collapsible holding the reasoning as Markdown, streamed while the model thinks.

    It folds itself when the answer starts; the user can open it again at any time.
    """

    Contents = ThinkingContents

    def __init__(
        self, reasoning: str = "", *, collapsed: bool, live: bool = False, connecting: bool = False
    ) -> None:
        # Folded, the reasoning is only built when it is first opened.
        lazy = collapsed and bool(reasoning)
        self._contents_made = not lazy
        """Folded with reasoning, its body (and the body's box) is made when first opened: a
        folded Thinking block is two widgets fewer to compose, style and lay out (most replies
        of a conversation one opens)."""
        self.body = markdown(reasoning or None, classes="thinking-body", lazy=lazy)
        super().__init__(
            self.body,
            title=thinking_title(0 if live else None, live=live, connecting=connecting),
            collapsed=collapsed,
            classes="thinking",
        )
        self._stream: SegmentedMarkdown | None = None
        self._auto_toggle = False

    def compose(self) -> ComposeResult:
        yield collapsible_title(self)
        if self._contents_made:
            yield self.Contents(self.body)

    def update_node_styles(self, animate: bool = True) -> None:
        # Folding toggles a class: restyle the title and frame, not every block of the body.
        restyle_shallow(self, animate)

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
        show_collapsed(self, collapsed)
        if not collapsed and not self._contents_made:
            self._contents_made = True
            self.mount(self.Contents(self.body))
        if not collapsed and not self.body.is_built:
            self.call_later(self.body.build)
        self.post_message(self.Collapsed(self) if collapsed else self.Expanded(self))
        if self.is_mounted and not self._auto_toggle and not collapsed:
            self.call_after_refresh(self.scroll_visible)
