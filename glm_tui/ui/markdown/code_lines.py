"""The code of a long fence as one widget that renders only the lines in view.

A fence of 10,000 lines as labels was 200 widgets to mount, style and lay out, and all of its
code highlighted, before its end could be seen (3-6 s). Here the code is one widget as tall as
its lines (Textual's Line API): the screen asks for the lines it shows, and those are
highlighted then, ``CHUNK`` lines at a time (a block comment or a docstring keeps its colours
within a chunk, as it did within a label), and kept in a small cache. Appending lines while a
fence streams costs the lines that changed, not the code before them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Offset, Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions
from textual.widget import Widget

from glm_tui.ui.textual_private import bound_drawn_lines, chunk_strips

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

CHUNK = 50
"""Lines highlighted together (the same cut as the labels of a shorter fence's updates)."""

CACHED_CHUNKS = 16
"""Highlighted chunks kept: several screens of code, whatever the length."""

DRAWN_CHUNKS = 4
"""Chunks kept drawn at the widget's width (a screen's worth: each line drawn keeps caches of
its own, dozens of objects for the garbage collector to walk)."""

DRAWN_LINES = 200
"""Lines of what it drew that Textual may keep (it would keep every line ever seen)."""


class CodeLines(Widget):
    """Lines of code, highlighted by ``highlight`` a chunk at a time, as they come into view."""

    DEFAULT_CSS = """
    CodeLines {
        width: auto;
        height: auto;
        padding: 1 2;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    ALLOW_SELECT = True

    def __init__(self, code: str, highlight: Callable[[str], Content]) -> None:
        super().__init__()
        self._highlight = highlight
        self._lines: list[str] = []
        self._width = 0
        # Highlighted chunks, and their lines drawn at a width (kept apart: a wider line makes
        # the widget wider and every chunk is drawn again, not highlighted again).
        self._contents: OrderedDict[int, Content] = OrderedDict()
        self._chunks: OrderedDict[tuple[int, int], list[Strip]] = OrderedDict()
        self.set_code(code)

    @property
    def code(self) -> str:
        return "\n".join(self._lines)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def set_code(self, code: str) -> None:
        """Show ``code``: only the chunks whose lines changed are highlighted again."""
        lines = code.split("\n")
        old = self._lines
        first_changed = next(
            (i for i, (a, b) in enumerate(zip(old, lines, strict=False)) if a != b),
            min(len(old), len(lines)),
        )
        if first_changed == len(old) == len(lines):
            return
        self._lines = lines
        if first_changed < len(old):
            # A line changed or went (not only added): the widest may be gone.
            self._width = max((cell_len(line.expandtabs(8)) for line in lines), default=0)
        else:
            added = lines[first_changed:]
            self._width = max(self._width, *(cell_len(line.expandtabs(8)) for line in added))
        stale = first_changed // CHUNK
        for key in [key for key in self._chunks if key[0] >= stale]:
            del self._chunks[key]
        for index in [index for index in self._contents if index >= stale]:
            del self._contents[index]
        self.refresh(layout=len(lines) != len(old) or self._width != self.size.width)

    def rehighlight(self) -> None:
        """Highlight again (the theme changed): every chunk, as it is next seen."""
        self._contents.clear()
        self._chunks.clear()
        self.refresh()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def _chunk_strips(self, index: int, width: int) -> list[Strip]:
        key = (index, width)
        strips = self._chunks.get(key)
        if strips is not None:
            self._chunks.move_to_end(key)
            return strips
        selection = self.text_selection
        selection_style: Style | None = None
        if selection is not None:
            # The selection's rows count from the first line of the code, not of the chunk.
            shift = Offset(0, index * CHUNK)
            start, end = selection
            selection = Selection(
                None if start is None else start - shift, None if end is None else end - shift
            )
            selection_style = Style.from_styles(
                self.screen.get_component_styles("screen--selection")
            )
        # Textual types the rules as RulesMap and passes a widget's styles, as here.
        rules = cast("RulesMap", self.styles)
        options = RenderOptions(self._get_style, rules, selection, selection_style)
        style = self.visual_style
        # Text selection reads each cell's place in the code from the strips: rows of the code.
        strips = chunk_strips(self._content(index), width, style, options, index * CHUNK)
        if selection is None:  # a selection is drawn into the strips: not kept
            self._chunks[key] = strips
            while len(self._chunks) > DRAWN_CHUNKS:
                self._chunks.popitem(last=False)
        return strips

    def _content(self, index: int) -> Content:
        content = self._contents.get(index)
        if content is None:
            content = self._highlight("\n".join(self._lines[index * CHUNK : (index + 1) * CHUNK]))
            self._contents[index] = content
            while len(self._contents) > CACHED_CHUNKS:
                self._contents.popitem(last=False)
        else:
            self._contents.move_to_end(index)
        return content

    def render_lines(self, crop: Region) -> list[Strip]:
        # This widget and the ones around it, up to what scrolls, are as tall as the code:
        # Textual keeps every line of each that was ever drawn (blank rows of a container too).
        node: DOMNode | None = self
        while isinstance(node, Widget) and node.styles.overflow_y not in ("auto", "scroll"):
            bound_drawn_lines(node, DRAWN_LINES)
            node = node.parent
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not 0 <= y < len(self._lines) or not width:
            return Strip.blank(width, self.visual_style.rich_style)
        index, row = divmod(y, CHUNK)
        strips = self._chunk_strips(index, width)
        if row >= len(strips):
            return Strip.blank(width, self.visual_style.rich_style)
        return strips[row]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._chunks.clear()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self.code), "\n"
