"""Textual's private API used by the virtualised Markdown (ui/markdown/), each with its reason.

Kept apart from the package's other private uses because Textual's Markdown widget imports
markdown-it and Pygments: the first screen (no reply on it) does without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markdown_it.token import Token
from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownParagraph  # not exported by widgets.markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

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
)
"""(owner, name, why) of each private name used, as in the package's ``PRIVATE_NAMES``."""


class ComposedMarkdown(Markdown):
    """A Markdown that, given its text, makes its blocks in ``compose`` (mounted with it: no
    trip to a thread and back, no second layout), and tells each block it makes to
    ``block_made`` (a public hook for subclasses)."""

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
