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

Only the segments near the view are mounted. A sealed segment far from it is "parked": replaced by
a blank placeholder of its height (measured while it was shown, or estimated from its text when
it never was), so the widget count, the layout's cost and the memory stay those of a few screens
whatever the length; a placeholder scrolled near the view is mounted again. A reply that arrives
faster than it can be shown only ever renders the segments the user can see.

The cutting is in cuts.py, the widgets of a part in blocks.py, the mounting and parking in
parking.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode, NoScreen
from textual.widget import Widget
from textual.widgets import Markdown

from glm_tui.ui.markdown.blocks import Segment, SegmentPlaceholder
from glm_tui.ui.markdown.cuts import SEAL_BLOCKS, BoundaryScanner, estimate_rows, split_segments
from glm_tui.ui.markdown.parking import Parking
from glm_tui.ui.textual_private import (
    SteadyArrangement,
    child_nodes,
    forget_styles,
    is_being_removed,
)

SLOW_RENDER = 0.05
"""Seconds: a render of streamed text slower than this is followed by a pause..."""

RENDER_PAUSE = 2.0
"""...this many times as long (the text is then rendered at most a third of the time)..."""

LONGEST_PAUSE = 0.2
"""...but no longer than this many seconds: the screen shows new text at least 4 times a second.
A render's time is the wall time until its blocks are mounted, which counts whatever else ran
meanwhile (reading the stream, frames): at full speed a 1 MB reply had renders of 160-240 ms,
then pauses of twice that, and the screen went 330-500 ms without new text."""


def pause_after(render: float) -> float:
    """Seconds the rendering of streamed text pauses after a render that took ``render``."""
    return min(render * RENDER_PAUSE, LONGEST_PAUSE) if render > SLOW_RENDER else 0.0


class SegmentedMarkdown(SteadyArrangement, Vertical):
    """Markdown in segments; a whole document (``markdown``) or streamed with ``write``.

    Children: sealed parts (``Segment`` when mounted, ``SegmentPlaceholder`` when parked), then
    the live tail segment while streaming.
    """

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
        self._tail: Segment | None = None
        self._scanner = BoundaryScanner()
        self._queue: list[str] = []
        self._writer: asyncio.Task[None] | None = None
        self._weight_at_cut = 0
        self._parking = Parking(self)
        self._stopping = asyncio.Event()
        self._width = 0

    @property
    def source(self) -> str:
        """The text handed to the segments (all of it once built and written)."""
        if not self._built:
            return self._initial
        return "".join(part.text for part in self.parts)

    @property
    def parts(self) -> list[Segment | SegmentPlaceholder]:
        """Every part, mounted or parked, in order."""
        return [
            child
            for child in self.children
            if isinstance(child, Segment | SegmentPlaceholder) and not _retired(child)
        ]

    @property
    def segments(self) -> list[Segment]:
        """The mounted parts."""
        return [part for part in self.parts if isinstance(part, Segment)]

    @property
    def is_built(self) -> bool:
        return self._built

    @property
    def settled(self) -> bool:
        """Not streaming, and every part in view is mounted with its blocks."""
        if self._tail is not None or self._queue:
            return False
        if self.writing or self._parking.busy:
            return False  # the view moved or the text changed: regions are not laid out yet
        view = self._parking.view()
        if view is None:
            return True
        if self.region and not self._parking.placed():
            return False  # a part just mounted (a placeholder split, say) is not laid out
        return all(
            isinstance(part, Segment) and (part.children or not part.text)
            for part in self.parts
            if part.region.overlaps(view)
        )

    @property
    def quiet(self) -> bool:
        """Settled, and no part being mounted ahead of scrolling either."""
        return self.settled and not self._parking.swaps and not self._parking.prefetching

    def on_unmount(self) -> None:
        self._parking.forget()

    def compose(self) -> ComposeResult:
        if self._built and self._initial:
            yield from self._make_parts(self._initial)

    def _make_parts(self, text: str) -> list[Segment | SegmentPlaceholder]:
        """The last parts, about two screens of them, mounted (a document opens at its end),
        the others parked until seen."""
        texts = split_segments(text, self.seal_blocks)
        width = self._width or (self.app.size.width if self.is_attached else 80)
        budget = 2 * (self.app.size.height if self.is_attached else 40)
        shown: list[Segment | SegmentPlaceholder] = []
        while texts and budget > 0:
            part = texts.pop()
            shown.append(Segment(part, classes=self._segment_classes))
            budget -= estimate_rows(part, width)
        shown.reverse()
        if not texts:
            return shown
        # The parts above, parked together until the view comes near them.
        self.call_after_refresh(self._parking.schedule)
        return [SegmentPlaceholder.of(texts, width), *shown]

    async def build(self) -> None:
        """Mount the segments of a lazy document (once)."""
        if self._built:
            return
        self._built = True
        if self._initial:
            await self.mount_all(self._make_parts(self._initial))

    # -- streaming ---------------------------------------------------------------------------

    async def write(self, text: str) -> None:
        """Append text; a full tail segment is sealed at the next safe boundary.

        The text is queued at once and rendered by a task of this widget: a caller cancelled
        while a segment mounts (a flush timer stopped at the end of a reply) loses nothing.
        """
        if not text:
            return
        self._built = True
        self._stopping.clear()
        self._queue.append(text)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="segmented markdown writer")
        await asyncio.sleep(0)

    async def _drain(self) -> None:
        while self._queue:
            text = "".join(self._queue)
            self._queue.clear()
            started = time.perf_counter()
            await self._render_text(text)
            pause = pause_after(time.perf_counter() - started)
            if pause and not self._stopping.is_set():
                # Text comes faster than it is shown: leave the event loop to the rest (reading
                # the stream first) for a while, then render all that came meanwhile at once.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)

    async def _render_text(self, text: str) -> None:
        scanner = self._scanner
        offset = scanner.pos
        # The ends of the segments this text completes: the first one ends the tail (a whole
        # segment when there is none), the others are whole segments.
        ends: list[str] = []
        cut = 0
        for boundary, weight in scanner.feed(text):
            if weight - self._weight_at_cut >= self.seal_blocks:
                ends.append(text[cut : boundary - offset])
                cut = boundary - offset
                self._weight_at_cut = weight
        if ends and self._tail is not None and len(ends) == 1:
            await self._append_tail(ends.pop())
            self._tail = None
        if ends:
            # Text arriving faster than it is shown: the segments it completes are parked
            # unseen (the first with the tail's text); the cull mounts those in view.
            tail, self._tail = self._tail, None
            if tail is not None:
                ends[0] = tail.source + ends[0]
            placeholder = SegmentPlaceholder.of(ends, self._width)
            if tail is None:
                await self.mount(placeholder)
            else:
                tail.retired = True
                await self.mount(placeholder, before=tail)
                await tail.remove()
        await self._append_tail(text[cut:])
        self._parking.schedule()

    async def _append_tail(self, text: str) -> None:
        if not text or self.removing:
            return
        if self._tail is None:
            self._tail = Segment(classes=self._segment_classes)
            await self.mount(self._tail)
        if self._tail.is_attached:
            await self._tail.append(text)
        # else: the reply is being removed (another conversation opened, the app closing)
        # and the new tail was never mounted: appending to it would raise MountError.

    @property
    def removing(self) -> bool:
        """Being removed: nothing mounts into it any more (Textual silently skips the mount, and
        a part made now is never attached)."""
        return is_being_removed(self)

    async def stop(self) -> None:
        """The end of the stream: render what is pending (a failure of the writer is raised
        here, not lost with its task)."""
        self._stopping.set()
        writer = self._writer
        while writer is not None and not writer.done():
            await asyncio.shield(writer)
        self._writer = None
        self._tail = None
        self._parking.schedule()
        if writer is not None and not writer.cancelled():
            writer.result()

    # -- what is in view -------------------------------------------------------------------

    @property
    def writing(self) -> bool:
        """Streamed text is being rendered (the tail is changing)."""
        return self._writer is not None and not self._writer.done()

    @property
    def streaming(self) -> bool:
        """Text is still coming: a tail segment, or text not rendered yet."""
        return self._tail is not None or bool(self._queue)

    @property
    def tail(self) -> Segment | None:
        return self._tail

    @property
    def measured_width(self) -> int:
        """The width the parts were last laid out at (0 before the first layout)."""
        return self._width

    @property
    def segment_classes(self) -> str:
        return self._segment_classes

    def on_resize(self) -> None:
        width = self.size.width
        if width and width != self._width:
            self._width = width
            # The placeholders' heights follow in the same layout (SegmentPlaceholder).
            self._parking.schedule()


def _retired(widget: Widget) -> bool:
    return getattr(widget, "retired", False)


# -- restyling ---------------------------------------------------------------------------------


def restyle_shallow(node: DOMNode, animate: bool = True) -> None:
    """Apply the stylesheet to ``node`` and its descendants, except inside Markdown.

    A class toggled on a message (state, selection, focus) changes its border or role line;
    Textual would apply the whole stylesheet again to every block of its Markdown (seconds for a
    long reply). Nothing in app.tcss under a Markdown depends on those classes, so the blocks
    only drop their cached styles (which fold in their ancestors' colours) and repaint.
    """
    if not node.is_attached:
        return  # styled when it is mounted (GLMApp.update_styles)
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
        for child in child_nodes(current):
            if isinstance(child, Markdown | SegmentedMarkdown):
                nodes.append(child)
                heavy.append(child)
            else:
                stack.append(child)
    app.stylesheet.update_nodes(nodes, animate=animate)
    for root in heavy:
        for child in root.walk_children(Widget):
            forget_styles(child)
            try:
                child.refresh()
            except NoScreen:
                pass
