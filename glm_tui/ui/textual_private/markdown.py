"""Textual's private API used by the virtualised Markdown (ui/markdown/), each with its reason.

Kept apart from the package's other private uses because Textual's Markdown widget imports
markdown-it and Pygments: the first screen (no reply on it) does without them.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from markdown_it.token import Token
from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Region
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Markdown, Static
from textual.widgets._markdown import (  # not exported by widgets.markdown
    MarkdownBulletList,
    MarkdownH1,
    MarkdownH2,
    MarkdownH3,
    MarkdownH4,
    MarkdownH5,
    MarkdownH6,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    MarkdownTable,
    MarkdownTableCellContents,
    MarkdownTableContent,
)
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from glm_tui.ui.textual_private import QuietResize, SteadyArrangement

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

PRIVATE_NAMES: Sequence[tuple[object, str, str]] = (
    (MarkdownParagraph, "__init__", "textual.widgets._markdown.MarkdownParagraph, subclassed"),
    (Markdown, "_initial_markdown", "the text given to a Markdown, read in compose"),
    (Markdown, "_parse_markdown", "the blocks of parsed tokens, overridden to mark the first"),
    (Markdown, "_on_mount", "Markdown's mount handler, skipped when compose made the blocks"),
    (Markdown, "_markdown", "the text shown, set when compose made the blocks"),
    (Markdown, "_last_parsed_line", "where Markdown.append parses from next"),
    (MarkdownBlock, "_update_from_block", "a block updated in place, overridden by fences"),
    (MarkdownBlock, "_token", "the token a block was made from"),
    (MarkdownBlock, "_content", "the content a block shows (set_content keeps it)"),
    (MarkdownFence, "_highlighted_code", "a fence's code as shown, set without highlighting"),
    (MarkdownBulletList, "compose", "textual.widgets._markdown.MarkdownBulletList, subclassed"),
    (MarkdownOrderedList, "compose", "textual.widgets._markdown.MarkdownOrderedList, subclassed"),
    (MarkdownListItem, "__init__", "textual.widgets._markdown.MarkdownListItem: an item's bullet"),
    (MarkdownBlock, "_blocks", "the blocks parsed inside a block (a list's items, an item's)"),
    (MarkdownBlock, "_copy_context", "a block takes the token of its next version"),
    (MarkdownTable, "_get_headers_and_rows", "a table's cells, to update the ones shown"),
    (MarkdownTable, "_rows", "the rows a table shows"),
    (MarkdownTable, "_headers", "the headers a table shows"),
    (MarkdownTableContent, "compose", "textual.widgets._markdown.MarkdownTableContent: cells"),
    (MarkdownTable, "compose", "a table's grid, made with quiet cells"),
    (MarkdownTableCellContents, "__init__", "textual.widgets._markdown: a table's cell"),
    (DOMNode, "_inherit_component_classes", "a block inherits no inline styles (lean_blocks)"),
)
"""(owner, name, why) of each private name used, as in the package's ``PRIVATE_NAMES``."""


INLINE_STYLES = frozenset({"em", "strong", "s", "code_inline"})
"""The component classes of inline Markdown (``*em*``, ``**strong**``, ``~~s~~``, a
``code`` span): a block's text refers to them as ``.em`` and so on."""


class ComposedMarkdown(Markdown):
    """A Markdown that, given its text, makes its blocks in ``compose`` (mounted with it: no
    trip to a thread and back, no second layout), and tells each block it makes to
    ``block_made`` (a public hook for subclasses).

    It holds the styles of inline Markdown for its blocks (``lean_blocks``): Textual gives
    each block its own, four nodes styled by the whole stylesheet at every mount. The rules are
    Textual's (its Markdown's ``MarkdownBlock > .em`` and so on), set on this widget instead.
    """

    COMPONENT_CLASSES = set(INLINE_STYLES)
    DEFAULT_CSS = """
    ComposedMarkdown {
        &:dark > .code_inline { background: $warning 10%; color: $text-warning 95%; }
        &:light > .code_inline { background: $error 5%; color: $text-error 95%; }
        &:ansi > .code_inline { background: ansi_default !important; }
        & > .em { text-style: italic; }
        & > .strong { text-style: bold; }
        & > .s { text-style: strike; }
    }
    """

    _composed = False

    def compose(self) -> ComposeResult:
        text = self._initial_markdown
        if not text:
            return
        self._initial_markdown = None
        self.composing()
        yield from self._parse_markdown(self.parse(text))
        self.set_parsed_source(text)
        self._composed = True

    def composing(self) -> None:
        """Called before the blocks of the initial text are made."""

    def parse(self, text: str) -> list[Token]:
        """The tokens of ``text`` (subclasses give their own parser)."""
        raise NotImplementedError

    def set_parsed_source(self, text: str) -> None:
        """The whole text is parsed and shown: later appends go after it."""
        self._markdown = text
        lines = text.splitlines()
        self._last_parsed_line = len(lines) - (1 if lines and lines[-1] else 0)

    # Markdown's handler is async where Widget's is not: Textual's own override disagrees.
    async def _on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        # Textual calls each class's handler in turn, this one first: stopping the default
        # skips Markdown's, which would parse and mount the text again.
        if self._composed:
            event.prevent_default()

    def _parse_markdown(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        for index, block in enumerate(super()._parse_markdown(tokens)):
            self.block_made(block, index)
            yield block

    def block_made(self, block: MarkdownBlock, index: int) -> None:
        """Each block made from parsed tokens, in order (``index`` from 0 for each parse)."""


def lean_blocks(
    blocks: Mapping[str, type[MarkdownBlock]],
) -> dict[str, type[MarkdownBlock]]:
    """``blocks`` (a Markdown's ``BLOCKS``) without inline styles of their own: each looks
    ``.em`` and the others up in its ancestors (Textual's ``Widget._get_style`` does) and finds
    them in the ComposedMarkdown that made it.

    Textual styles the component classes of every node it mounts, four nodes more for each
    block, each matched against the whole stylesheet: opening a conversation was a quarter
    styling, and the four nodes half of the objects a full garbage collection frees after it.
    Each block class becomes a subclass of the same name (CSS selects it as before) that
    does not inherit them; other component classes (a list's bullets) it keeps.
    """
    made: dict[type[MarkdownBlock], type[MarkdownBlock]] = {}

    def lean(block: type[MarkdownBlock]) -> type[MarkdownBlock]:
        if block not in made:
            own = set(block.COMPONENT_CLASSES) - INLINE_STYLES
            namespace = {
                "COMPONENT_CLASSES": own,
                "__module__": block.__module__,
                "__doc__": block.__doc__,
            }
            subclass = cast(
                type[MarkdownBlock],
                types.new_class(block.__name__, (block,), {}, lambda body: body.update(namespace)),
            )
            # What DOMNode's ``inherit_component_classes=False`` sets; Widget's subclass hook
            # does not take that argument.
            subclass._inherit_component_classes = False
            made[block] = subclass
        return made[block]

    return {name: lean(block) for name, block in blocks.items()}


class UpdatableFence(MarkdownFence):
    """A fence updated in place by the next version of itself (``update_from``), made without
    MarkdownFence's highlighting of its whole code (``highlight_later``)."""

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        MarkdownBlock.__init__(self, markdown, token)  # not MarkdownFence's: it highlights
        self.code = code
        self.lexer = token.info
        self._highlighted_code = Content()

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        if not isinstance(block, MarkdownFence):
            await super()._update_from_block(block)
            return
        self._token = block._token
        await self.update_from(block)

    async def update_from(self, fence: MarkdownFence) -> None:
        """Show ``fence``'s code (the next version of this fence while it streams)."""

    def restyled(self) -> None:
        """Called for each restyle (MarkdownFence would highlight its whole code again)."""

    def notify_style_update(self) -> None:
        MarkdownBlock.notify_style_update(self)
        self.restyled()


class RepaintingParagraph(MarkdownParagraph):
    """A paragraph whose new content repaints it, with a layout of the screen only when asked."""

    def show_content(self, content: Content, *, layout: bool) -> None:
        self._content = content
        self.update(content, layout=layout)

    @property
    def shown(self) -> Content:
        """The content it shows."""
        return self._content


def bullet_symbols(items: Sequence[MarkdownListItem]) -> list[str]:
    """The bullet of each item of a bullet list."""
    return [item.bullet for item in items]


def number_symbols(items: Sequence[MarkdownListItem]) -> list[str]:
    """The numbers of a numbered list's items, right-aligned, as Textual's list shows them."""
    start = 1
    if items:
        try:
            start = int(items[0].bullet)
        except ValueError:
            pass
    numbers = [f"{number}. " for number in range(start, start + len(items))]
    width = max((len(number) for number in numbers), default=0) + 1
    return [number.rjust(width) for number in numbers]


Symbols = Callable[[Sequence[MarkdownListItem]], list[str]]


BULLET = "list--bullet"
"""The component class of a list's bullets (Textual's MarkdownBullet colours)."""


class ItemRow(SteadyArrangement, Vertical):
    """A list item: its blocks, its bullet drawn in its left padding.

    Textual's lists make three widgets of each item (a row, the bullet, a column for the
    blocks), each composed, styled, laid out and mounted: here one, drawn the same. Opening a
    conversation made and styled 36 of those widgets for 9 items (of 87 in the pane).
    """

    DEFAULT_CSS = """
    ItemRow {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, symbol: str, *blocks: MarkdownBlock) -> None:
        super().__init__(*blocks)
        self.symbol = ""
        self.set_symbol(symbol)

    def set_symbol(self, symbol: str) -> bool:
        """Show ``symbol`` as the bullet; whether its width changed (the blocks moved)."""
        if symbol == self.symbol:
            return False
        wider = cell_len(symbol) != cell_len(self.symbol)
        self.symbol = symbol
        self.styles.padding = (0, 0, 0, cell_len(symbol))
        if self.is_mounted:
            self.refresh()
        return wider

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = super().render_lines(crop)
        width = cell_len(self.symbol)
        if crop.y > 0 or not strips or crop.x >= width or not isinstance(self.parent, Widget):
            return strips
        style = self.parent.get_component_rich_style(BULLET, default=self.rich_style)
        bullet = Strip([Segment(self.symbol, style)], width).crop(crop.x, min(width, crop.right))
        first = strips[0]
        strips[0] = Strip.join([bullet, first.crop(bullet.cell_length, first.cell_length)])
        return strips

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return self.symbol, " "  # as Textual's bullet: copied text keeps the items' bullets


def list_row(symbol: str, blocks: Sequence[MarkdownBlock]) -> ItemRow:
    """An item's row: the item's blocks, with its bullet."""
    return ItemRow(symbol, *blocks)


def list_items(block: MarkdownBlock) -> list[MarkdownListItem]:
    return [child for child in block._blocks if isinstance(child, MarkdownListItem)]


def list_rows(block: MarkdownBlock, symbols: Symbols) -> ComposeResult:
    """A list's rows (what Textual's lists compose)."""
    items = list_items(block)
    block._blocks.clear()
    for symbol, item in zip(symbols(items), items, strict=True):
        yield list_row(symbol, item._blocks)


async def update_list(current: MarkdownBlock, block: MarkdownBlock, symbols: Symbols) -> None:
    """Show ``block``, the next version of the list ``current``, in ``current``: its rows kept,
    each item's blocks updated in place (``update_blocks``), new items' rows mounted."""
    current._copy_context(block)
    items = list_items(block)
    rows = [child for child in current.children if isinstance(child, ItemRow)]
    marks = symbols(items)
    for row, symbol, item in zip(rows, marks, items, strict=False):
        if row.set_symbol(symbol):  # 9 items to 10: every number is a cell wider
            row.refresh(layout=True)
        await update_blocks(row, item._blocks)
    if len(items) > len(rows):
        new = zip(marks[len(rows) :], items[len(rows) :], strict=True)
        await current.mount_all([list_row(symbol, item._blocks) for symbol, item in new])
    for row in rows[len(items) :]:
        await row.remove()


class InPlaceList:
    """A bullet or numbered list updated in place by the next version of itself.

    Textual's list removes itself and mounts its next version, every item's widgets, at each
    update: eight times a second while a reply streams a list. Here the rows stay; each item's
    blocks are updated in place (a paragraph's content, a nested list's rows, a fence's code),
    and only new items are mounted (``update_list``). Put it before the list's class among the
    bases (Textual takes a widget's CSS from the first base that is a node).
    """

    symbols: Symbols
    """The bullets of the list's items."""

    def compose(self) -> ComposeResult:
        return list_rows(cast(MarkdownBlock, self), self.symbols)

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        current = cast(MarkdownBlock, self)
        if type(block) is type(current) and current.is_mounted:
            await update_list(current, block, self.symbols)
        else:
            await super()._update_from_block(block)  # type: ignore[misc]


# The bullets' colours, as Textual's MarkdownBullet has them.
_BULLET_CSS = """
& > .list--bullet {
    color: $text-primary;
}
&:light > .list--bullet {
    color: $text-secondary;
}
"""


class UpdatableBulletList(SteadyArrangement, InPlaceList, MarkdownBulletList):
    """A bullet list updated in place (``InPlaceList``)."""

    COMPONENT_CLASSES = {BULLET}
    DEFAULT_CSS = f"UpdatableBulletList {{ {_BULLET_CSS} }}"
    symbols = staticmethod(bullet_symbols)


class UpdatableOrderedList(SteadyArrangement, InPlaceList, MarkdownOrderedList):
    """A numbered list updated in place (``InPlaceList``), numbered as Textual's."""

    COMPONENT_CLASSES = {BULLET}
    DEFAULT_CSS = f"UpdatableOrderedList {{ {_BULLET_CSS} }}"
    symbols = staticmethod(number_symbols)


class QuietTableCell(QuietResize, MarkdownTableCellContents):
    """A table's cell, asking for no second layout when a layout resizes it."""

    def show(self, content: Content, *, columns_kept: bool) -> None:
        """Show ``content``: repainted where the table's columns are as they were and the cell
        keeps its height, else laid out again.

        A streamed table's last row grows a word at each render; each cell's update laid the
        whole screen out (Textual's Static does), 1.8 of the 6.5 layouts a second at 60 tokens
        a second. The table shares its width among its columns by their widest cell's width
        (``columns_kept``: none of those changed), and a row is as tall as its tallest cell.
        """
        size = self.content_size
        rules = cast("RulesMap", self.styles)  # Textual passes a widget's styles as its rules
        fits = (
            columns_kept
            and self.is_mounted
            and size.width > 0
            and content.get_height(rules, size.width) == size.height
        )
        self.update(content, layout=not fits)
        self.tooltip = content.plain


class QuietTableContent(QuietResize, MarkdownTableContent):
    """A table's grid of cells (QuietResize): at Ctrl+B, the 52 cells of a reply's tables in
    view each asked for a second layout of the screen (17-30 ms, after the first's 37-73)."""

    def compose(self) -> ComposeResult:
        # MarkdownTableContent's, with quiet cells.
        for header in self.headers:
            yield QuietTableCell(header, classes="header").with_tooltip(header)
        for row_index, row in enumerate(self.rows, 1):
            for cell_index, cell in enumerate(row, 1):
                yield table_cell(cell, row_index, cell_index)
            self.last_row = row_index


def column_widths(cells: Sequence[Content], columns: int) -> list[int]:
    """The width of each column's widest cell (``cells`` row by row, the headers first)."""
    widths = [0] * columns
    for index, cell in enumerate(cells):
        longest = max(cell_len(line) for line in cell.plain.split("\n"))
        widths[index % columns] = max(widths[index % columns], longest)
    return widths


def table_cell(cell: Content, row: int, column: int) -> QuietTableCell:
    """A body cell, as Textual makes it (its classes, name and tooltip); from 1, 1."""
    return QuietTableCell(cell, classes=f"row{row} cell", name=f"cell{row}.{column}").with_tooltip(
        cell.plain
    )


class UpdatableTable(SteadyArrangement, MarkdownTable):
    """A table updated in place by the next version of itself: the cells that changed get
    their new content, new rows' cells are mounted. Textual's removes the last row's cells and
    mounts them again at each update (each cell a widget to style and lay out)."""

    def compose(self) -> ComposeResult:
        headers, rows = self._get_headers_and_rows()  # as MarkdownTable's, with quiet cells
        self._headers, self._rows = headers, rows
        yield QuietTableContent(headers, rows)

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        content = next(iter(self.query_children(MarkdownTableContent)), None)
        if type(block) is not type(self) or content is None or not self.is_mounted:
            await super()._update_from_block(block)
            return
        assert isinstance(block, MarkdownTable)  # as type(self)
        headers, rows = block._get_headers_and_rows()
        columns = len(headers)
        if columns != len(self._headers) or any(len(row) != columns for row in rows):
            await super()._update_from_block(block)
            return
        self._copy_context(block)
        shown = [*self._headers, *(cell for row in self._rows for cell in row)]
        wanted = [*headers, *(cell for row in rows for cell in row)]
        cells = [child for child in content.children if isinstance(child, Static)]
        columns_kept = column_widths(shown, columns) == column_widths(wanted, columns)
        for widget, old, new in zip(cells, shown, wanted, strict=False):
            if old.plain != new.plain or old.spans != new.spans:
                if isinstance(widget, QuietTableCell):
                    widget.show(new, columns_kept=columns_kept)
                else:
                    widget.update(new)
                    widget.tooltip = new.plain
        if not columns_kept:
            # The table draws the lines between its cells (a keyline) where the layout puts
            # them; its size kept, nothing repainted them, and they stayed where the columns
            # were.
            content.refresh()
        if len(wanted) > len(cells):
            first = len(cells) - columns  # cells of rows, counted from the first row's first
            new_cells = [
                table_cell(cell, index // columns + 1, index % columns + 1)
                for index, cell in enumerate(wanted[len(cells) :], start=first)
            ]
            await content.mount_all(new_cells)
        for widget in cells[len(wanted) :]:
            await widget.remove()
        self._headers, self._rows = headers, rows
        content.headers, content.rows, content.last_row = headers, rows, len(rows)


QUIET_HEADERS: dict[str, type[MarkdownBlock]] = {
    name: type(f"Quiet{header.__name__}", (QuietResize, header), {})
    for name, header in (
        ("h1", MarkdownH1),
        ("h2", MarkdownH2),
        ("h3", MarkdownH3),
        ("h4", MarkdownH4),
        ("h5", MarkdownH5),
        ("h6", MarkdownH6),
    )
}
"""Textual's headings, asking for no second layout when a layout resizes them (QuietResize)."""


_IN_PLACE = (MarkdownParagraph, UpdatableBulletList, UpdatableOrderedList, UpdatableFence)
"""Blocks inside a list item whose ``_update_from_block`` always updates them where they are
(the others', a table's when its columns change, remove them and mount their next version at
the end of the document: right for a top-level block only)."""


async def update_blocks(container: Widget, blocks: Sequence[MarkdownBlock]) -> None:
    """Make ``container``'s blocks those of ``blocks`` (the next version of them), updating in
    place those of the same kind, replacing the others, mounting the new ones."""
    old = [child for child in container.children if isinstance(child, MarkdownBlock)]
    for current, new in zip(old, blocks, strict=False):
        if type(current) is type(new) and isinstance(current, _IN_PLACE):
            await current._update_from_block(new)
        else:
            await container.mount(new, before=current)
            await current.remove()
    if len(blocks) > len(old):
        await container.mount_all(blocks[len(old) :])
    for current in old[len(blocks) :]:
        await current.remove()
