"""The Markdown widgets of a segment: a Markdown part, long code fences drawn in labels, a
paragraph that grows without a layout, and the placeholder of a part that is not mounted."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, cast

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.app import ComposeResult, RenderResult
from textual.await_complete import AwaitComplete
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

from glm_tui.ui.textual_private import (
    ComposedMarkdown,
    RepaintingParagraph,
    UpdatableFence,
)

FENCE_CHUNK = 50
"""Lines of code per label in a long fence."""


def _chunks(code: str) -> list[str]:
    lines = code.split("\n")
    if len(lines) <= FENCE_CHUNK:
        return [code]
    return ["\n".join(lines[i : i + FENCE_CHUNK]) for i in range(0, len(lines), FENCE_CHUNK)]


class ChunkedFence(UpdatableFence):
    """A code fence shown as labels of ``FENCE_CHUNK`` lines (one label, as Textual's, if shorter).

    Highlighting is per label and done when the label's text changes: a fence growing while it
    streams costs its last label, not the whole code, per update.
    """

    DEFAULT_CSS = """
    ChunkedFence > Label.-chunk-first { padding: 1 2 0 2; }
    ChunkedFence > Label.-chunk-middle { padding: 0 2; }
    ChunkedFence > Label.-chunk-last { padding: 0 2 1 2; }
    ChunkedFence:ansi > Label.-chunk-first { padding: 1 0 0 0; }
    ChunkedFence:ansi > Label.-chunk-middle { padding: 0; }
    ChunkedFence:ansi > Label.-chunk-last { padding: 0 0 1 0; }
    """

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        super().__init__(markdown, token, code)
        self.auto_links = False
        self._texts: list[str] = []
        self._theme_key: tuple[bool, bool] | None = None

    def _key(self) -> tuple[bool, bool]:
        return (self.app.native_ansi_color, self.app.current_theme.dark)

    def _highlight_chunk(self, text: str) -> Content:
        ansi, dark = self._theme_key or self._key()
        return self.highlight(text, self.lexer, ansi=ansi, dark=dark)

    @staticmethod
    def _chunk_classes(index: int, count: int) -> str:
        if count == 1:
            return ""
        if index == 0:
            return "-chunk-first"
        return "-chunk-last" if index == count - 1 else "-chunk-middle"

    def compose(self) -> ComposeResult:
        # The first label now, the others one at a time after (see _sync).
        self._theme_key = self._key()
        texts = _chunks(self.code)
        self._texts = texts[:1]
        yield Label(
            self._highlight_chunk(texts[0]),
            expand=True,
            classes=self._chunk_classes(0, len(texts)),
            id="code-content",
        )
        if len(texts) > 1:
            self.call_later(self._sync)

    async def update_from(self, block: MarkdownFence) -> None:
        self.code = block.code
        if block.lexer != self.lexer:
            self.lexer = block.lexer
            self._texts = []  # highlight everything again
        # In the fence's own queue: after its compose, and without holding the Markdown's lock.
        self.call_later(self._sync)

    async def _sync(self) -> None:
        """Show ``self.code``: update the labels whose text changed, add or remove labels.

        New labels are highlighted and mounted one at a time: a long fence arriving at once
        (hundreds of lines in one update) would otherwise hold a frame for all of them.
        """
        texts = _chunks(self.code)
        labels = [child for child in self.children if isinstance(child, Label)]
        count = len(texts)
        for index, label in enumerate(labels[:count]):
            text = texts[index]
            if index >= len(self._texts) or self._texts[index] != text:
                label.update(self._highlight_chunk(text))
            classes = self._chunk_classes(index, count)
            if label.classes != frozenset(classes.split()):
                label.set_classes(classes)
        self._texts = texts
        if len(labels) > count:
            await self.remove_children(labels[count:])
        for index in range(len(labels), count):
            label = Label(
                self._highlight_chunk(texts[index]),
                expand=True,
                classes=self._chunk_classes(index, count),
            )
            await self.mount(label)

    def restyled(self) -> None:
        # MarkdownFence highlights its whole code again on every restyle; only a change of
        # theme (dark, ANSI) changes the highlighting.
        if self._theme_key is not None and self._theme_key != self._key():
            self._theme_key = self._key()
            self._texts = []
            self.call_later(self._sync)


class StreamedParagraph(RepaintingParagraph):
    """A paragraph that asks for a layout of the screen only when its height changes.

    The last paragraph of a streaming reply is updated at every flush; its height changes once
    a line, not once a token. Textual lays the whole screen out again on every update of a
    Static (a tenth of the CPU of a 60 tokens/s reply); a repaint of the paragraph is enough.
    """

    def set_content(self, content: Content) -> None:
        width = self.content_size.width
        same_height = bool(width) and (
            # Textual types the rules as RulesMap and passes a widget's styles, as here.
            content.get_height(cast("RulesMap", self.styles), width) == self.content_size.height
        )
        self.show_content(content, layout=not same_height)


# -- segments ---------------------------------------------------------------------------------


_parsers = threading.local()


def _parser() -> MarkdownIt:
    """One parser per thread for every segment: Textual's Markdown makes a new one (its rules
    compiled again) for each update, and a streaming reply updates eight times a second. Per
    thread: whole documents are parsed in a pool, and linkify's matcher keeps state."""
    parser: MarkdownIt | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = MarkdownIt("gfm-like")
    return parser


class Segment(ComposedMarkdown):
    """One Markdown part of a SegmentedMarkdown; marks its first block ``-first-block``.

    Given its text, it makes its blocks in compose and mounts with them: Textual parses the
    text in a thread once mounted, then mounts the blocks, one more trip through the event loop
    and one more layout before they are seen (opening a conversation).
    """

    BLOCKS = {
        **Markdown.BLOCKS,
        "fence": ChunkedFence,
        "code_block": ChunkedFence,
        "paragraph_open": StreamedParagraph,
    }

    def __init__(self, markdown: str | None = None, *, classes: str = "") -> None:
        super().__init__(markdown, classes=classes, parser_factory=_parser)
        self._rebuilding = False
        self.retired = False

    def parse(self, text: str) -> list[Token]:
        return _parser().parse(text)

    def composing(self) -> None:
        self._rebuilding = True

    def update(self, markdown: str) -> AwaitComplete:
        self._rebuilding = True
        return super().update(markdown)

    def block_made(self, block: MarkdownBlock, index: int) -> None:
        # The first block of the whole segment, not of each appended piece.
        if index:
            return
        first = self._rebuilding or sum(isinstance(c, MarkdownBlock) for c in self.children) <= 1
        self._rebuilding = False
        if first:
            block.add_class("-first-block", update=False)


class SegmentPlaceholder(Widget):
    """A sealed segment that is not mounted: blank rows of its height.

    ``rows`` were measured while the segment was shown at ``width``, or estimated from the
    text (``width`` 0) when it never was.
    """

    DEFAULT_CSS = """
    SegmentPlaceholder {
        height: 1;
    }
    """

    def __init__(self, source: str, rows: int, width: int = 0) -> None:
        super().__init__()
        self.source = source
        self.rows = max(1, rows)
        self.width = width
        self.retired = False
        self.styles.height = self.rows

    def set_rows(self, rows: int, width: int = 0) -> None:
        self.rows = max(1, rows)
        self.width = width
        self.styles.height = self.rows

    def render(self) -> RenderResult:
        return ""
