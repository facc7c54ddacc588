"""Long Markdown as a column of Markdown widgets ("segments"), and the helpers that keep it cheap.

A reply of thousands of lines in one Markdown widget costs O(blocks) on every frame (the layout
re-arranges every block) and on every append (the stylesheet is applied again to blocks whose
place among their siblings may have changed): O(n²) over a streamed reply. Here the text is cut
at safe boundaries (a blank line outside a code fence, before a line that surely starts a new
top-level block) into segments of about ``SEAL_BLOCKS`` blocks. A sealed segment never changes,
so its arrangement stays cached; only the live tail segment is re-parsed and re-arranged.

Cutting there renders the same: every block's bottom margin (1) is at least every block's top
margin, so the gap between two segments (the last block's bottom margin) is the one a single
Markdown would show; the first block of each segment gets ``-first-block`` (top margin 0 in
app.tcss, set once, instead of a :first-child rule that restyles every block on each mount).

Code fences longer than ``FENCE_CHUNK`` lines are shown as labels of that many lines, each
highlighted on its own, so a growing fence re-highlights and re-renders only its last label.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from markdown_it.token import Token
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Vertical
from textual.content import Content
from textual.dom import DOMNode, NoScreen
from textual.widget import Widget
from textual.widgets import Label, Markdown
from textual.widgets._markdown import MarkdownBlock, MarkdownFence
from textual.widgets.markdown import MarkdownStream

SEAL_BLOCKS = 40
"""Blocks (paragraphs, list items, fences...) in a segment before it is sealed at a boundary."""

FENCE_CHUNK = 100
"""Lines of code per label in a long fence."""

_BLOCK_START = frozenset("#`~_") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
"""First characters of a line, after a blank one, that surely start a new top-level block (not a
list item, a continuation, a quote or a table row, whose split would change the rendering)."""


class BoundaryScanner:
    """Finds the safe places to cut Markdown, fed a piece at a time.

    ``feed`` returns the offsets (from the start of everything fed) of lines that start a new
    top-level block, each reported once, as soon as its first character has arrived, and
    ``weight`` counts the blocks seen (each non-blank line outside a fence, and each fence).
    """

    def __init__(self) -> None:
        self.pos = 0
        self.weight = 0
        self._line = ""
        self._checked = False
        self._after_break = False
        self._fence: tuple[str, int] | None = None

    def feed(self, text: str) -> list[int]:
        found: list[int] = []
        buf = self._line + text
        base = self.pos - len(self._line)
        start = 0
        while True:
            end = buf.find("\n", start)
            line = buf[start:] if end < 0 else buf[start:end]
            if line and not self._checked:
                self._checked = True
                if self._after_break and self._fence is None and line[0] in _BLOCK_START:
                    found.append(base + start)
            if end < 0:
                self._line = line
                break
            self._complete(line)
            self._checked = False
            start = end + 1
        self.pos += len(text)
        return found

    def _complete(self, line: str) -> None:
        stripped = line.strip()
        if self._fence is not None:
            char, size = self._fence
            if stripped.startswith(char * size) and not stripped.strip(char):
                self._fence = None
                self._after_break = True
            else:
                self._after_break = False
            return
        if stripped[:3] in ("```", "~~~"):
            char = stripped[0]
            self._fence = (char, len(stripped) - len(stripped.lstrip(char)))
            self.weight += 1
            self._after_break = False
        elif not stripped:
            self._after_break = True
        else:
            self.weight += 1
            self._after_break = False


def split_segments(text: str, seal_blocks: int = SEAL_BLOCKS) -> list[str]:
    """Cut a whole document as a stream of it would have been cut."""
    scanner = BoundaryScanner()
    parts: list[str] = []
    last = 0
    weight_at_cut = 0
    # Line by line, so the weight counts the blocks before each boundary, as when streaming.
    for line in text.splitlines(keepends=True):
        for boundary in scanner.feed(line):
            if scanner.weight - weight_at_cut >= seal_blocks:
                parts.append(text[last:boundary])
                last = boundary
                weight_at_cut = scanner.weight
    parts.append(text[last:])
    return parts


# -- code fences ------------------------------------------------------------------------------


def _chunks(code: str) -> list[str]:
    lines = code.split("\n")
    if len(lines) <= FENCE_CHUNK:
        return [code]
    return ["\n".join(lines[i : i + FENCE_CHUNK]) for i in range(0, len(lines), FENCE_CHUNK)]


class ChunkedFence(MarkdownFence):
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
        MarkdownBlock.__init__(self, markdown, token)  # not MarkdownFence's: it highlights
        self.code = code
        self.lexer = token.info
        self.auto_links = False
        self._texts: list[str] = []
        self._theme_key: tuple[bool, bool] | None = None
        self._highlighted_code = Content()

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
        self._theme_key = self._key()
        self._texts = _chunks(self.code)
        count = len(self._texts)
        for index, text in enumerate(self._texts):
            label = Label(
                self._highlight_chunk(text), expand=True, classes=self._chunk_classes(index, count)
            )
            if index == 0:
                label.id = "code-content"
            yield label

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        if not isinstance(block, MarkdownFence):
            await super()._update_from_block(block)
            return
        self._token = block._token
        self.code = block.code
        if block.lexer != self.lexer:
            self.lexer = block.lexer
            self._texts = []  # highlight everything again
        # In the fence's own queue: after its compose, and without holding the Markdown's lock.
        self.call_later(self._sync)

    async def _sync(self) -> None:
        """Show ``self.code``: update the labels whose text changed, add or remove labels."""
        texts = _chunks(self.code)
        labels = [child for child in self.children if isinstance(child, Label)]
        count = len(texts)
        new: list[Label] = []
        for index, text in enumerate(texts):
            classes = self._chunk_classes(index, count)
            if index < len(labels):
                label = labels[index]
                if index >= len(self._texts) or self._texts[index] != text:
                    label.update(self._highlight_chunk(text))
                if label.classes != frozenset(classes.split()):
                    label.set_classes(classes)
            else:
                new.append(Label(self._highlight_chunk(text), expand=True, classes=classes))
        self._texts = texts
        if len(labels) > count:
            await self.remove_children(labels[count:])
        if new:
            await self.mount_all(new)

    def notify_style_update(self) -> None:
        # MarkdownFence highlights its whole code again on every restyle; only a change of
        # theme (dark, ANSI) changes the highlighting.
        MarkdownBlock.notify_style_update(self)
        if self._theme_key is not None and self._theme_key != self._key():
            self._theme_key = self._key()
            self._texts = []
            self.call_later(self._sync)


# -- segments ---------------------------------------------------------------------------------


class Segment(Markdown):
    """One Markdown part of a SegmentedMarkdown; marks its first block ``-first-block``."""

    BLOCKS = {**Markdown.BLOCKS, "fence": ChunkedFence, "code_block": ChunkedFence}

    def __init__(self, markdown: str | None = None, *, classes: str = "") -> None:
        super().__init__(markdown, classes=classes)
        self._rebuilding = False

    def update(self, markdown: str) -> AwaitComplete:
        self._rebuilding = True
        return super().update(markdown)

    def _parse_markdown(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        first = self._rebuilding or sum(isinstance(c, MarkdownBlock) for c in self.children) <= 1
        self._rebuilding = False
        for block in super()._parse_markdown(tokens):
            if first:
                block.add_class("-first-block", update=False)
                first = False
            yield block


class SegmentedMarkdown(Vertical):
    """Markdown in segments; a whole document (``markdown``) or streamed with ``write``."""

    DEFAULT_CSS = """
    SegmentedMarkdown {
        height: auto;
    }
    """

    def __init__(
        self,
        markdown: str | None = None,
        *,
        classes: str = "",
        lazy: bool = False,
        seal_blocks: int = SEAL_BLOCKS,
    ) -> None:
        """``classes`` are given to the container and to each segment (app.tcss styles the
        blocks as children of ``.answer``); ``lazy``: build nothing until ``build()``."""
        super().__init__(classes=classes)
        self._segment_classes = classes
        self._initial = markdown or ""
        self._built = not lazy
        self.seal_blocks = seal_blocks
        self._sealed: list[Segment] = []
        self._tail: Segment | None = None
        self._stream: MarkdownStream | None = None
        self._scanner = BoundaryScanner()
        self._queue: list[str] = []
        self._writer: asyncio.Task[None] | None = None
        self._weight_at_cut = 0

    @property
    def source(self) -> str:
        """The text handed to the segments (all of it once built and written)."""
        if not self._built:
            return self._initial
        return "".join(segment.source for segment in self.segments)

    @property
    def segments(self) -> list[Segment]:
        return [child for child in self.children if isinstance(child, Segment)]

    @property
    def is_built(self) -> bool:
        return self._built

    def compose(self) -> ComposeResult:
        if self._built and self._initial:
            yield from self._make_segments(self._initial)

    def _make_segments(self, text: str) -> list[Segment]:
        return [
            Segment(part, classes=self._segment_classes)
            for part in split_segments(text, self.seal_blocks)
        ]

    async def build(self) -> None:
        """Mount the segments of a lazy document (once)."""
        if self._built:
            return
        self._built = True
        if self._initial:
            await self.mount_all(self._make_segments(self._initial))

    # -- streaming ---------------------------------------------------------------------------

    async def write(self, text: str) -> None:
        """Append text; a full tail segment is sealed at the next safe boundary.

        The text is queued at once and rendered by a task of this widget: a caller cancelled
        while a segment mounts (a flush timer stopped at the end of a reply) loses nothing.
        """
        if not text:
            return
        self._built = True
        self._queue.append(text)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="segmented markdown writer")
        await asyncio.sleep(0)

    async def _drain(self) -> None:
        while self._queue:
            text = "".join(self._queue)
            self._queue.clear()
            await self._render_text(text)

    async def _render_text(self, text: str) -> None:
        scanner = self._scanner
        offset = scanner.pos
        cut = 0
        for boundary in scanner.feed(text):
            if scanner.weight - self._weight_at_cut >= self.seal_blocks:
                await self._write_tail(text[cut : boundary - offset])
                await self._seal()
                cut = boundary - offset
                self._weight_at_cut = scanner.weight
        await self._write_tail(text[cut:])

    async def _write_tail(self, text: str) -> None:
        if not text:
            return
        if self._stream is None:
            tail = Segment(classes=self._segment_classes)
            await self.mount(tail)
            self._tail = tail
            self._stream = Markdown.get_stream(tail)
        await self._stream.write(text)

    async def _seal(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        if self._tail is not None:
            self._sealed.append(self._tail)
            self._tail = None

    async def stop(self) -> None:
        """The end of the stream: render what is pending."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)
        self._writer = None
        await self._seal()


# -- restyling ---------------------------------------------------------------------------------


def restyle_shallow(node: DOMNode, animate: bool = True) -> None:
    """Apply the stylesheet to ``node`` and its descendants, except inside Markdown.

    A class toggled on a message (state, selection, focus) changes its border or role line;
    Textual would apply the whole stylesheet again to every block of its Markdown (seconds for a
    long reply). Nothing in app.tcss under a Markdown depends on those classes, so the blocks
    only drop their cached styles (which fold in their ancestors' colours) and repaint.
    """
    try:
        app = node.app
    except Exception:  # NoActiveAppError: not running
        return
    nodes: list[DOMNode] = []
    heavy: list[Widget] = []
    stack = [node]
    while stack:
        current = stack.pop()
        nodes.append(current)
        for child in current._nodes:
            if isinstance(child, Markdown | SegmentedMarkdown):
                nodes.append(child)
                heavy.append(child)
            else:
                stack.append(child)
    app.stylesheet.update_nodes(nodes, animate=animate)
    for root in heavy:
        for child in root.walk_children(Widget):
            child._visual_style = None
            child._rich_style_cache.clear()
            child._visual_style_cache.clear()
            try:
                child.refresh()
            except NoScreen:
                pass
