"""Which parts of a segmented document are mounted: those near the view; the others are parked.

A ``Parking`` belongs to one ``SegmentedMarkdown`` (its column). After every change of the text,
the view or the size, the column asks for a cull; the cull runs after the next refresh, when the
parts' regions are laid out: a placeholder in view is mounted again (in a worker: its Markdown is
parsed in a thread), a sealed segment far from the view is replaced by a placeholder of its
height. Mounting a part above the view moves the view by the change of height, so the text read
stays still.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from textual.geometry import Region
from textual.widget import MountError, Widget

from glm_tui.ui.markdown.blocks import Segment, SegmentPlaceholder
from glm_tui.ui.markdown.cuts import estimate_rows
from glm_tui.ui.textual_private import anchor_released, stop_watching

if TYPE_CHECKING:
    from glm_tui.ui.markdown.segmented import SegmentedMarkdown

SHOW_SCREENS = 1
"""Placeholders within this many screens of the view are mounted."""

CULL_WAITS = 10
"""Frames a cull waits for new parts to be laid out before it goes on without them."""

UNPLACED_RETRY = 0.05
"""Seconds before a cull that found parts not laid out yet looks again."""

PREFETCH_DELAY = 0.2
"""Seconds after a cull before the parts near the view (not in it) are mounted."""

PARK_SCREENS = 3
"""Sealed segments further than this many screens from the view are parked (more than
``SHOW_SCREENS``: a segment at the edge is not mounted and parked in turn while scrolling)."""


class Parking:
    """Mounts a column's parts in view and parks the ones far from it."""

    def __init__(self, column: SegmentedMarkdown) -> None:
        self.column = column
        self.scheduled = False
        """A cull is asked for and has not run: the regions are not laid out yet."""
        self.swaps = 0
        """Parked parts being mounted."""
        self.keeping = 0
        """Mounted parts above the view whose new height the view is still to follow."""
        self.prefetching = 0
        """Mounts of the parts near the view waiting for their moment."""
        self._watching: Widget | None = None
        self._cull_waits = 0

    @property
    def busy(self) -> bool:
        """Something is about to change what is mounted or where the view is."""
        return bool(self.scheduled or self.keeping)

    def scroller(self) -> Widget | None:
        for node in self.column.ancestors:
            if isinstance(node, Widget) and node.styles.overflow_y in ("auto", "scroll"):
                return node
        return None

    def view(self, screens: float = 0) -> Region | None:
        """The scroller's visible region (screen coordinates), grown by ``screens`` heights
        above and below."""
        scroller = self.scroller()
        if scroller is None:
            return None
        view = scroller.region
        if not view:
            return None
        grow = int(view.height * screens)
        return Region(view.x, view.y - grow, view.width, view.height + 2 * grow)

    def schedule(self) -> None:
        column = self.column
        if self.scheduled or not column.is_attached:
            return
        if self._watching is None and len(column.children) > 1:
            scroller = self.scroller()
            if scroller is not None:
                self._watching = scroller
                column.watch(scroller, "scroll_y", self._on_scroll, init=False)
        self.scheduled = True
        column.call_after_refresh(self._cull)

    def _on_scroll(self, _old: float, _new: float) -> None:
        self.schedule()

    def placed(self) -> bool:
        """Every part of the column is laid out (one just mounted has no width yet)."""
        return all(part.region.width for part in self.column.parts)

    def forget(self) -> None:
        """The column is gone: the scroller (which outlives it) no longer calls it."""
        if self._watching is not None:
            stop_watching(self.column, self._watching, "scroll_y")
            self._watching = None

    def _cull(self) -> None:
        """Mount the parked parts in view, park the mounted ones far from it.

        Parts near the view (``SHOW_SCREENS``), not in it, are mounted ahead of scrolling only
        when the text is not streaming, and a moment later: what is seen comes first.
        """
        self.scheduled = False
        column = self.column
        if not column.is_attached or self.swaps:
            return
        if column.writing:
            return  # the tail is changing: the writer asks again when it has rendered
        view = self.view()
        near = self.view(SHOW_SCREENS)
        far = self.view(PARK_SCREENS)
        if view is None or near is None or far is None:
            return
        parts = column.parts
        if not column.region:
            return  # hidden (a folded Thinking block)
        scroller = self.scroller()
        placed = self.placed()
        unsettled = not placed or (
            # Following the end, but not scrolled there yet: the view is about to move.
            scroller is not None
            and scroller.is_anchored
            and not anchor_released(scroller)
            and scroller.scroll_y < scroller.max_scroll_y
        )
        if unsettled and self._cull_waits < CULL_WAITS:
            # A part just mounted is not laid out (a new tail of height 0 would put the part
            # above it in view), or the view is about to follow the end: wait for a frame.
            self._cull_waits += 1
            self.schedule()
            return
        self._cull_waits = 0
        idle = not column.streaming
        tail = column.tail
        ahead: list[SegmentPlaceholder] = []
        for part in parts:
            region = part.region
            if not region:
                continue  # not laid out yet: looked at again below
            if isinstance(part, SegmentPlaceholder):
                if region.overlaps(view):
                    self.unpark(part)
                elif idle and region.overlaps(near):
                    ahead.append(part)
            elif part is not tail and part.children and not region.overlaps(far):
                self._park(part)
        if ahead and not self.swaps:
            self.prefetching += 1
            column.set_timer(PREFETCH_DELAY, self._prefetch)
        if not placed and not self.swaps:
            # A busy machine can take longer than CULL_WAITS frames to lay out new parts: one
            # left out now would stay parked in view, the column looking settled. Looked at
            # again a moment later, until they are laid out (a screen over this one, say).
            column.set_timer(UNPLACED_RETRY, self.schedule)

    def _prefetch(self) -> None:
        self.prefetching -= 1
        near = self.view(SHOW_SCREENS)
        column = self.column
        if near is None or self.swaps or not column.is_attached:
            return
        for part in column.parts:
            if isinstance(part, SegmentPlaceholder) and part.region.overlaps(near):
                self.unpark(part)

    def _park(self, segment: Segment) -> None:
        column = self.column
        rows = segment.outer_size.height
        placeholder = SegmentPlaceholder(segment.source, rows, column.measured_width)
        segment.retired = True
        column.mount(placeholder, before=segment)
        segment.remove()

    def unpark(self, placeholder: SegmentPlaceholder) -> None:
        if placeholder.unparking:
            return
        # Retired (left out of the column's parts) only once what replaces it is in the DOM:
        # meanwhile the column's text stays whole and what is in view is not yet "settled".
        placeholder.unparking = True
        self.swaps += 1
        if len(placeholder.parts) > 1:
            work = self._split(placeholder)
        else:
            work = self._mount_parked(placeholder)
        self.column.run_worker(work, group="segments", exit_on_error=True)

    async def _split(self, placeholder: SegmentPlaceholder) -> None:
        """Parts parked together, near the view: those near it get a placeholder each (the
        next cull mounts them), the others stay together above and below them."""
        column = self.column
        try:
            if column.removing:
                return
            pieces = split_around(placeholder, self.view(SHOW_SCREENS), column.measured_width)
            mounted = column.mount_all(pieces, before=placeholder)
            placeholder.retired = True
            await mounted
            await placeholder.remove()
        finally:
            self.swaps -= 1
            if not self.swaps:
                self.schedule()

    async def _mount_parked(self, placeholder: SegmentPlaceholder) -> None:
        """Mount a parked segment in place of its placeholder, keeping the text in view still."""
        column = self.column
        try:
            if column.removing:
                return
            scroller = self.scroller()
            segment = Segment(classes=column.segment_classes)
            segment.pending = placeholder.source  # the column's text stays whole meanwhile
            # As tall as the placeholder until its blocks are in: one change of height.
            rows = placeholder.shown_rows
            segment.styles.height = rows
            above = scroller is not None and placeholder.region.y < scroller.region.y
            mounted = column.mount(segment, before=placeholder)
            placeholder.retired = True
            await mounted
            await placeholder.remove()
            try:
                await segment.update(placeholder.source)
            except MountError:
                # The reply was removed while the text was parsed (another conversation
                # opened, the app closing): the segment is gone with it, nothing to show.
                if segment.is_attached:
                    raise
                return
            segment.styles.height = "auto"
            following = (
                scroller is not None and scroller.is_anchored and not anchor_released(scroller)
            )
            if above and scroller is not None and not following:
                # The part above the view grows or shrinks to its real height at the next
                # layout: move the view with it then (it cannot scroll past the old end now).
                self.keeping += 1
                column.call_after_refresh(self._keep_view, scroller, segment, rows)
        finally:
            self.swaps -= 1
            if not self.swaps:
                self.schedule()

    def _keep_view(self, scroller: Widget, segment: Segment, rows: int) -> None:
        try:
            delta = segment.outer_size.height - rows
            if delta and segment.is_attached:
                scroller.scroll_to(y=scroller.scroll_y + delta, animate=False, immediate=True)
        finally:
            self.keeping -= 1
            self.schedule()


def split_around(
    placeholder: SegmentPlaceholder, near: Region | None, width: int
) -> list[SegmentPlaceholder]:
    """``placeholder``'s parts as placeholders: one each for those within ``near`` (at least
    the one closest to it), the runs of others one together; as tall as it is, in all."""
    width = placeholder.content_size.width or width
    rows = [max(1, estimate_rows(text, width)) for text in placeholder.parts]
    tops = list(itertools.accumulate(rows, initial=placeholder.region.y))
    if near is None:
        near = placeholder.region
    chosen = {i for i, top in enumerate(tops[:-1]) if top < near.bottom and top + rows[i] > near.y}
    if not chosen:
        middle = near.y + near.height // 2
        chosen = {min(range(len(rows)), key=lambda i: abs(tops[i] + rows[i] // 2 - middle))}
    pieces: list[SegmentPlaceholder] = []
    run: list[str] = []
    for index, text in enumerate(placeholder.parts):
        if index not in chosen:
            run.append(text)
            continue
        if run:
            pieces.append(SegmentPlaceholder.of(run, width))
            run = []
        pieces.append(SegmentPlaceholder(text, rows[index], width))
    if run:
        pieces.append(SegmentPlaceholder.of(run, width))
    # Estimates of the parts may not add up to the height shown: the first piece takes the
    # difference, so the text below does not move.
    first = pieces[0]
    first.rows = max(1, first.rows + placeholder.shown_rows - sum(piece.rows for piece in pieces))
    return pieces
