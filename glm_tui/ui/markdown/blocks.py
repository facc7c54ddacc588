"""The Markdown widgets of a segment: a Markdown part, code fences (a long one draws only the
lines in view, code_lines.py), a paragraph that grows without a layout, and the placeholder of a
part that is not mounted."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import cell_len
from textual.app import ComposeResult, RenderResult
from textual.await_complete import AwaitComplete
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.geometry import Size

from glm_tui.ui.markdown.code_lines import CHUNK, CodeLines
from glm_tui.ui.markdown.cuts import estimate_rows
from glm_tui.ui.textual_private import QuietResize, SteadyArrangement
from glm_tui.ui.textual_private.markdown import (
    QUIET_HEADERS,
    ComposedMarkdown,
    RepaintingParagraph,
    UpdatableBulletList,
    UpdatableFence,
    UpdatableOrderedList,
    UpdatableTable,
    lean_blocks,
)

FENCE_CHUNK = CHUNK
"""A fence of more lines than this is drawn by a CodeLines (only its lines in view), a shorter
one by a label, as Textual's."""


UNNAMED_LANGUAGE = "text"
"""How a fence that names no language is highlighted: as plain text. Textual guesses the
language (Pygments' ``guess_lexer`` asks every lexer: 165 ms the first time, as it loads them
all, then 1.4-6.4 ms for 5-40 lines, again at every render of a fence that streams), and from a
few lines of a command's output or of prose the guess is mostly a wrong one."""


class FenceLabel(QuietResize, Label):
    """The code of a short fence."""


class ChunkedFence(SteadyArrangement, UpdatableFence):
    """A code fence: one label, as Textual's, up to ``FENCE_CHUNK`` lines; a ``CodeLines``
    beyond, which highlights and renders only the lines in view, a chunk at a time.

    A fence growing while it streams costs the lines that changed per update, not the whole
    code: the label is highlighted again only while it is short.
    """

    DEFAULT_CSS = """
    ChunkedFence > CodeLines { padding: 1 2; }
    ChunkedFence:ansi > CodeLines { padding: 1 0; }
    """

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        super().__init__(markdown, token, code)
        self.auto_links = False
        self._shown = ""
        self._theme_key: tuple[bool, bool] | None = None
        self._label_size = (0, 0)

    def _key(self) -> tuple[bool, bool]:
        return (self.app.native_ansi_color, self.app.current_theme.dark)

    def _highlight_chunk(self, text: str) -> Content:
        ansi, dark = self._theme_key or self._key()
        return self.highlight(text, self.lexer or UNNAMED_LANGUAGE, ansi=ansi, dark=dark)

    @staticmethod
    def _is_long(code: str) -> bool:
        return code.count("\n") >= FENCE_CHUNK

    def compose(self) -> ComposeResult:
        self._theme_key = self._key()
        self._shown = self.code
        self._label_size = _code_size(self.code)
        if self._is_long(self.code):
            yield CodeLines(self.code, self._highlight_chunk)
        else:
            yield FenceLabel(self._highlight_chunk(self.code), expand=True, id="code-content")

    async def update_from(self, block: MarkdownFence) -> None:
        self.code = block.code
        if block.lexer != self.lexer:
            self.lexer = block.lexer
            self._shown = ""  # highlight everything again
            for lines in self.query(CodeLines):
                lines.rehighlight()
        # In the fence's own queue: after its compose, and without holding the Markdown's lock.
        self.call_later(self._sync)

    async def _sync(self) -> None:
        """Show ``self.code``: a short fence's label updated, a long one's lines set; a label
        that grows past ``FENCE_CHUNK`` lines makes way for a CodeLines."""
        code = self.code
        if code == self._shown:
            return
        self._shown = code
        for lines in self.query(CodeLines):
            lines.set_code(code)
            return
        label = next((child for child in self.children if isinstance(child, Label)), None)
        if not self._is_long(code):
            if label is not None:
                # A line longer than the others, or one more line, changes the label's size;
                # else a repaint shows it without a layout of the screen.
                size = _code_size(code)
                label.update(self._highlight_chunk(code), layout=size != self._label_size)
                self._label_size = size
            return
        if label is not None:
            await label.remove()
        await self.mount(CodeLines(code, self._highlight_chunk))

    def restyled(self) -> None:
        # MarkdownFence highlights its whole code again on every restyle; only a change of
        # theme (dark, ANSI) changes the highlighting.
        if self._theme_key is not None and self._theme_key != self._key():
            self._theme_key = self._key()
            self._shown = ""
            for lines in self.query(CodeLines):
                lines.rehighlight()
            self.call_later(self._sync)


def _code_size(code: str) -> tuple[int, int]:
    """The lines of ``code`` and the cells of the longest, as its label shows it: highlighted,
    a newline at its very end is no line of its own (Pygments adds one and Textual drops it).
    Counted as one, a fence streamed to ``...\n`` and then to ``...\nx = 1`` kept its size and
    was repainted without a layout while its label grew a row."""
    lines = code.removesuffix("\n").split("\n")
    return len(lines), max(cell_len(line.expandtabs(8)) for line in lines)


class StreamedParagraph(QuietResize, RepaintingParagraph):
    """A paragraph that asks for a layout of the screen only when its height changes.

    The last paragraph of a streaming reply is updated at every flush; its height changes once
    a line, not once a token. Textual lays the whole screen out again on every update of a
    Static (a tenth of the CPU of a 60 tokens/s reply); a repaint of the paragraph is enough.
    """

    def set_content(self, content: Content) -> None:
        shown = self.shown
        if self.is_mounted and content.plain == shown.plain and content.spans == shown.spans:
            return  # the paragraph before the one growing, or an item of a list above
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


class Segment(SteadyArrangement, ComposedMarkdown):
    """One Markdown part of a SegmentedMarkdown; marks its first block ``-first-block``.

    Given its text, it makes its blocks in compose and mounts with them: Textual parses the
    text in a thread once mounted, then mounts the blocks, one more trip through the event loop
    and one more layout before they are seen (opening a conversation).
    """

    BLOCKS = lean_blocks(
        {
            **Markdown.BLOCKS,
            "fence": ChunkedFence,
            "code_block": ChunkedFence,
            "paragraph_open": StreamedParagraph,
            "bullet_list_open": UpdatableBulletList,
            "ordered_list_open": UpdatableOrderedList,
            "table_open": UpdatableTable,
            **QUIET_HEADERS,
        }
    )

    def __init__(self, markdown: str | None = None, *, classes: str = "") -> None:
        super().__init__(markdown, classes=classes, parser_factory=_parser)
        self._rebuilding = False
        self.retired = False
        self.pending = ""
        """The text it is about to show (a parked part mounted again), until ``update`` has it."""

    @property
    def text(self) -> str:
        """What it shows, or is about to show."""
        return self.source or self.pending

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


class SegmentPlaceholder(QuietResize, Widget):
    """A sealed segment that is not mounted, or several in a row: blank rows of their height.

    ``rows`` were measured while the segment was shown at ``width``, or estimated from the
    text (``width`` 0) when it never was. At any other width the height is estimated from the
    text, in the layout that gives the new width: a resize of the pane lays it out once.

    Segments parked together (``parts``: a whole document opened, text streamed faster than
    it is shown) are one placeholder until the view comes near them: a widget each would be
    hundreds to mount for a 1 MB reply. ``Parking`` then splits them around the view.
    """

    DEFAULT_CSS = """
    SegmentPlaceholder {
        height: auto;
    }
    """

    def __init__(
        self, source: str, rows: int, width: int = 0, parts: Sequence[str] | None = None
    ) -> None:
        super().__init__()
        self.source = source
        self.rows = max(1, rows)
        self.width = width
        self.parts: Sequence[str] = parts or (source,)
        """The segments' texts it stands for, in order (they make ``source``)."""
        self.retired = False
        self.unparking = False
        """Being replaced by what it stands for (mounted, or split around the view)."""
        self._estimates: dict[int, int] = {}

    @classmethod
    def of(cls, parts: Sequence[str], width: int) -> SegmentPlaceholder:
        """One placeholder for segments in a row, as tall as their estimates at ``width``."""
        rows = sum(max(1, estimate_rows(part, width)) for part in parts)
        return cls("".join(parts), rows, width, parts)

    def rows_at(self, width: int) -> int:
        """Its height at ``width`` (0: not laid out yet)."""
        if not width or width == self.width:
            return self.rows
        rows = self._estimates.get(width)
        if rows is None:
            rows = self._estimates[width] = max(1, estimate_rows(self.source, width))
        return rows

    @property
    def text(self) -> str:
        return self.source

    @property
    def shown_rows(self) -> int:
        """Its height now."""
        return self.rows_at(self.content_size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.rows_at(width)

    def render(self) -> RenderResult:
        return ""
