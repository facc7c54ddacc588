"""Every use glm-tui makes of Textual's private API, in this package, each with its reason.

glm-tui is tested with the Textual range pinned in pyproject.toml. The names used here are not
Textual's public API and may change in any release: ``PRIVATE_NAMES`` (here, in
``markdown.py``, ``css_cache.py`` and ``style_cache.py``) lists each one, and
``tests/unit/test_textual_private.py`` fails naming the one that is gone. The rest of glm-tui
uses the adapters here and Textual's public API only.

Those of the Markdown widget are in ``markdown.py``, imported by the virtualised Markdown only:
Textual's Markdown brings markdown-it and Pygments, which the first screen need not load.

What for: the virtualised Markdown of long replies (ui/markdown/) needs a Markdown widget that
makes its blocks in ``compose`` when it is given its text, code fences updated in place, a
paragraph that repaints without a layout, a long fence's lines drawn a chunk at a time, and a
shallow restyle; the main screen skips one
restyle of every widget when it is first shown; the theme is chosen before the app runs; the
parsed stylesheet is kept between starts (``css_cache.py``); a node is styled from what an
earlier node in the same kind of place was given (``style_cache.py``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Self, cast

from textual import _time as textual_time  # the timers' clock and sleep
from textual import events
from textual._compositor import (
    Compositor,  # a screen's: SeeThroughCompositor leaves some out
    CompositorMap,  # its map: each widget's place on the screen
)
from textual._node_list import NodeList  # the type of DOMNode._nodes
from textual._styles_cache import StylesCache  # the type of Widget._styles_cache
from textual.app import App
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.styles import RenderStyles
from textual.dom import DOMNode
from textual.geometry import Region, Size
from textual.layout import DockArrangeResult
from textual.message_pump import MessagePump
from textual.messages import Update
from textual.screen import UPDATE_PERIOD, Screen
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style
from textual.timer import EventTargetGone, Timer
from textual.visual import RenderOptions
from textual.widget import Widget
from textual.widgets import Collapsible, Static

if TYPE_CHECKING:
    from textual.css.types import TextAlign, TextOverflow

PRIVATE_NAMES: Sequence[tuple[object, str, str]] = (
    (Widget, "_pruning", "a widget being removed: mounting into it does nothing"),
    (Widget, "_closing", "a widget closing: mounting into it does nothing"),
    (Widget, "_anchor_released", "the user scrolled away from an anchored view"),
    (Widget, "_vertical_scrollbar", "a widget's vertical scrollbar, made quiet by the pane"),
    (App, "_start_widget", "how Widget.vertical_scrollbar starts the scrollbar it makes"),
    (App, "_batch_count", "updates batched: App._display draws nothing (paint_now draws)"),
    (Timer, "_run", "a timer's loop, PromptTimer's with the count after an overrun fixed"),
    (Timer, "_tick", "a timer's tick, called by PromptTimer's loop"),
    (Timer, "_active", "set while a timer runs, clear while paused"),
    (Timer, "_reset", "a timer asked to start counting again"),
    (Timer, "_skip", "a timer that skips the ticks it missed"),
    (Timer, "_repeat", "how many ticks a timer makes (None: no end)"),
    (Timer, "_interval", "a timer's interval"),
    (Timer, "_start", "starts a timer's task, as MessagePump.set_interval does"),
    (MessagePump, "_timers", "a node's timers, stopped with it"),
    (Screen, "_update_timer", "the timer of a screen's updates, made a PromptTimer"),
    (Screen, "_on_timer_update", "a screen's update, the callback of that timer"),
    (App, "_display", "how a screen's update is written to the terminal (paint_now)"),
    (App, "_background_screens", "the screens under the top one, given to the compositor"),
    (Widget, "_layout_required", "a widget waiting for a layout: paint_now leaves it"),
    (Screen, "_layout_widgets", "the widgets a screen's next layout was asked by"),
    (Screen, "_compositor", "a screen's compositor: its map of regions and its renders"),
    (Widget, "_visual_style", "a widget's cached style, dropped by the shallow restyle"),
    (Widget, "_rich_style_cache", "likewise"),
    (Widget, "_visual_style_cache", "likewise"),
    (DOMNode, "_nodes", "a node's children, walked by the shallow restyle"),
    (Screen, "_on_screen_resume", "the screen's resume handler, told not to restyle once"),
    (App, "_refresh_truecolor_filter", "a theme chosen before the app runs takes effect"),
    (events.ScreenResume, "refresh_styles", "whether a resumed screen restyles its widgets"),
    (Content, "_wrap_and_format", "a long fence's chunk of lines, numbered from its first row"),
    (Widget, "_styles_cache", "the lines a widget has drawn, kept by Textual without a bound"),
    (StylesCache, "_cache", "those lines, counted before they are forgotten"),
    (Widget, "_arrangement_cache", "a container's arrangements, by size: one reused"),
    (Collapsible, "_title", "a Collapsible's title row, composed without its body (folded)"),
    (Collapsible, "_update_collapsed", "shows a Collapsible folded or open (title, class)"),
    (NodeList, "_updates", "a count of changes to the children, part of that cache's key"),
    (Widget, "_size_updated", "a widget's new size after a layout: told not to ask for another"),
    (Widget, "_layout_updates", "a count of a widget's layout requests, its size cache's key"),
    (Compositor, "_get_renders", "what each widget in view draws for a frame, some left out"),
    (Compositor, "_full_map", "each widget's place as last laid out (the map made lazily)"),
    (Compositor, "_full_map_invalidated", "that map is out of date: made again at a look-up"),
    (Compositor, "_dirty_regions", "the parts of the screen the next frame draws"),
    (RenderStyles, "_cache_key", "a count of a widget's style changes: draws_nothing's key"),
)
"""(owner, name, why) of each private name used; owners are classes, whose instances have the
name (set in ``__init__``) or whose class does."""


# -- widgets -----------------------------------------------------------------------------------


def is_being_removed(widget: Widget) -> bool:
    """Being removed or closed: Textual then silently skips a mount into it, so a widget made
    for it now would never be attached."""
    return widget._pruning or widget._closing or not widget.is_attached


def anchor_released(scroller: Widget) -> bool:
    """The user scrolled away from the end of an anchored view (it no longer follows)."""
    return scroller._anchor_released


WATCHERS = "__watchers"
"""The attribute in which Textual keeps the watchers other nodes set on an object's reactives
(``textual.reactive._watch``): {attribute: [(node, callback), ...]}."""


def stop_watching(node: DOMNode, obj: DOMNode, attribute: str) -> None:
    """Forget the watchers ``node`` set on ``obj``'s ``attribute`` (``node.watch(obj, ...)``).

    Textual drops a closed node's watchers only when the attribute next changes through its
    reactive. A reply watches the scroll position of the pane, which outlives it, and a pane
    that follows the end has its position set by the layout, not through the reactive: every
    reply ever shown stayed in the list, with all its widgets (150,000 objects and 19 MB after
    30 conversations opened).
    """
    watchers = getattr(obj, WATCHERS, {}).get(attribute)
    if watchers:
        watchers[:] = [(owner, callback) for owner, callback in watchers if owner is not node]


def child_nodes(node: DOMNode) -> Iterable[DOMNode]:
    """The node's children, in order (without building a list as ``children`` does)."""
    return node._nodes


def forget_styles(widget: Widget) -> None:
    """Drop the styles a widget cached (they fold in its ancestors' colours), so it paints with
    its ancestors' new ones: a shallow restyle, without the stylesheet applied to it again."""
    widget._visual_style = None
    widget._rich_style_cache.clear()
    widget._visual_style_cache.clear()


def skip_first_restyle(event: events.ScreenResume) -> None:
    """A screen shown the first time need not apply the stylesheet to its widgets again (they
    were just styled as they mounted): call from the screen's ``_on_screen_resume``."""
    event.refresh_styles = False


class PromptTimer(Timer):
    """Textual's Timer, but after a tick that overran its interval the next one comes at the
    next multiple of the interval, not the one after.

    Textual's skips to ``int(elapsed / interval + 1)`` intervals and then waits for the one
    after that: one interval more than it has to. For the screen's update timer (60 a second)
    every frame longer than 16.7 ms delayed the next by 17-33 ms: scrolling through a long
    fence a page at a time, each page's frame (30-45 ms of work) began 20-33 ms after the key.
    """

    async def _run(self) -> None:
        # Timer._run with the count fixed (the comment below marks the one change).
        count = 0
        repeat, interval = self._repeat, self._interval
        active: asyncio.Event = self._active  # made in this task, as Timer._run makes it
        await active.wait()
        start = textual_time.get_time()
        while repeat is None or count <= repeat:
            next_tick = start + (count + 1) * interval
            if self._skip and next_tick < textual_time.get_time():
                # The last whole interval passed: the next tick is the next multiple.
                count = int((textual_time.get_time() - start) / interval)
                continue
            await textual_time.sleep(max(0.0, next_tick - textual_time.get_time()))
            count += 1
            await active.wait()
            if self._reset:
                start = textual_time.get_time()
                count = 0
                self._reset = False
                continue
            try:
                await self._tick(next_timer=next_tick, count=count)
            except EventTargetGone:
                break


class SeeThrough:
    """A container that may draw nothing of its own: where its children leave its rows bare,
    they show its parent's background. While ``draws_nothing`` holds, a frame leaves it out
    (``SeeThroughCompositor``).

    Textual draws every widget in view under its children, each row of it cut at every
    widget's edges and then mostly covered: a line of a streamed reply lay under seven
    containers (the message, its Markdown, the segment, the pane...), each drawn at every
    layout while the pane moved up a row (leaving them out: 7 % of the frames' drawing). Put
    it among the bases of a container whose ``render`` is Textual's (a blank background).
    """

    styles_key = -1
    """The styles' cache key (Textual's count of their changes) ``bare_styles`` was read at."""
    bare_styles = False
    """Its styles draw nothing: no background, tint, keyline, hatch, border or outline."""


def draws_nothing(widget: Widget, visible: dict[Widget, tuple[Region, Region]]) -> bool:
    """Whether ``widget`` (a SeeThrough) draws nothing its nearest drawn ancestor would not
    draw there anyway: Textual's blank render, styles that add nothing (read again only when
    they change: read at every frame, they cost 30 of the 170 us a frame leaving out saved),
    and inside its parent's region (nothing else is under it)."""
    holder = cast(SeeThrough, widget)
    styles = widget.styles
    key = styles._cache_key
    if holder.styles_key != key:
        holder.styles_key = key
        holder.bare_styles = renders_blank(type(widget)) and not (
            styles.background.a
            or styles.tint.a
            or styles.has_rule("keyline")
            or styles.has_rule("hatch")
            or any(edge_rows(kind) for kind, _ in (*styles.border, *styles.outline))
        )
    if not holder.bare_styles:
        return False
    parent = widget.parent
    if not isinstance(parent, Widget) or parent not in visible:
        return False
    region, clip = visible[widget]
    parent_region, parent_clip = visible[parent]
    return parent_region.intersection(parent_clip).contains_region(region.intersection(clip))


@functools.cache
def renders_blank(cls: type[Widget]) -> bool:
    """Whether a widget of this class draws Textual's blank background for a container (a list
    item's row, which draws its bullet, does not)."""
    return (
        cls.render is Widget.render
        and cls.render_line is Widget.render_line
        and cls.render_lines in (Widget.render_lines, UniformRows.render_lines)
    )


class FrameColours:
    """Each widget's background colours and opacity for one frame, each worked out from its
    parent's, as Textual's ``DOMNode.background_colors`` and ``Widget.opacity`` work them out
    from the app down (same order, same results).

    Textual walks every ancestor of each widget for both at each draw of it: with the lines of
    every widget in view already drawn, those walks were three fifths of a frame's renders (a
    reply's blocks sit ten deep). Styles do not change while a frame draws.
    """

    def __init__(self) -> None:
        self.known: dict[DOMNode, tuple[Color, Color, float]] = {}

    def of(self, node: DOMNode) -> tuple[Color, Color, float]:
        """(the colour under ``node``, its background, its opacity)."""
        known = self.known
        found = known.get(node)
        if found is not None:
            return found
        chain: list[DOMNode] = []
        current: DOMNode | None = node
        while current is not None and current not in known:
            chain.append(current)
            current = current.parent
        if current is None:
            background, opacity = TRANSPARENT, 1.0
        else:
            _, background, opacity = known[current]
        for item in reversed(chain):
            styles = item.styles
            base = background
            opacity *= styles.opacity
            tinted = styles.background.tint(styles.background_tint)
            background = background + tinted.multiply_alpha(opacity)
            known[item] = (base, background, opacity)
        return known[node]


TRANSPARENT = Color(0, 0, 0, 0)

drawing: FrameColours | None = None
"""The colours of the frame being drawn by a SeeThroughCompositor, or None between frames."""

textual_background_colors = cast(property, DOMNode.background_colors)
textual_opacity = cast(property, Widget.opacity)


def frame_background_colors(node: DOMNode) -> tuple[Color, Color]:
    if drawing is None:
        return cast("tuple[Color, Color]", textual_background_colors.fget(node))  # type: ignore[misc]
    base, background, _ = drawing.of(node)
    return base, background


def frame_opacity(widget: Widget) -> float:
    if drawing is None:
        return cast(float, textual_opacity.fget(widget))  # type: ignore[misc]
    return drawing.of(widget)[2]


def use_frame_colours() -> None:
    """Have ``background_colors`` and ``opacity`` read a frame's FrameColours while one draws
    (Textual's own walk at any other time)."""
    if vars(DOMNode)["background_colors"] is not textual_background_colors:
        return  # already
    DOMNode.background_colors = property(  # type: ignore[method-assign,assignment]
        frame_background_colors, doc=textual_background_colors.__doc__
    )
    Widget.opacity = property(  # type: ignore[method-assign,assignment]
        frame_opacity, doc=textual_opacity.__doc__
    )


class MovesDrawnCompositor(Compositor):
    """A compositor that draws what moved when Textual makes its map of every widget again at a
    look-up (``full_map``); SeeThroughCompositor is one, and the compare screen has one."""

    @property
    def full_map(self) -> CompositorMap:
        """Textual's map of every widget's place, made again at the first look-up of a
        widget's region after a scroll (which lays out only what is in view) or after a frame
        found a widget not placed yet: there, what moved since the last layout is drawn.

        Textual makes it there without marking anything to draw, and the next layout compares
        itself with that map: a widget mounted meanwhile (a reply's paragraph, its parts looked
        up as they mount) was placed by the look-up, the layout found nothing moved, and it was
        never drawn. A reply's text stayed blank with its footer drawn below it, 1 reply in
        100-200 on a loaded machine. Marked as a layout marks it, and a frame asked for.
        """
        if self.root is None or not self._full_map_invalidated:
            return super().full_map
        old = self._full_map
        new: CompositorMap = super().full_map
        changes = old.items() ^ new.items()
        if changes:
            if self.size.region not in self._dirty_regions:
                self._dirty_regions.update(
                    region
                    for region in (
                        geometry.clip.intersection(geometry.region) for _, geometry in changes
                    )
                    if region
                )
            self.root.post_message(Update(self.root))
        return new


class MovesDrawn:
    """A screen whose compositor is a MovesDrawnCompositor, of ``compositor_class`` (the main
    screen's PromptFrames: a SeeThroughCompositor; a dialog that streams replies, the compare
    screen: the plain one). Put it first among the bases."""

    compositor_class: type[MovesDrawnCompositor] = MovesDrawnCompositor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Screen[Any], self)._compositor = self.compositor_class()


class SeeThroughCompositor(MovesDrawnCompositor):
    """A screen's compositor whose frames draw only what can show: not the containers that
    draw nothing (``SeeThrough`` and ``draws_nothing``: their parent draws the same bare
    background beneath), nor the widgets outside the part of the screen being drawn.

    Textual draws every widget whose clip (the region of the scrolling container it is in,
    the whole screen for most) meets that part, then keeps only the lines in it: at each new
    line of a streamed reply, the composer, the status line, the key footer and the sidebar
    were drawn and thrown away. Only the drawing leaves them out: the cuts of each line (edges
    of every widget in view, so still where a container would begin) and the widgets found
    under the mouse are Textual's. While it draws, colours come from a ``FrameColours``.
    """

    leaving_out = False
    """Set by ``_get_renders`` for the one read of ``visible_widgets`` it makes."""
    drawing_crop: Region | None = None
    """The part of the screen that read is for (None: all of it)."""

    def __init__(self) -> None:
        super().__init__()
        use_frame_colours()

    @property
    def visible_widgets(self) -> dict[Widget, tuple[Region, Region]]:
        visible: dict[Widget, tuple[Region, Region]] = super().visible_widgets
        if not self.leaving_out:
            return visible
        self.leaving_out = False
        crop = self.drawing_crop
        return {
            widget: (region, clip)
            for widget, (region, clip) in visible.items()
            if (crop is None or crop.overlaps(region.intersection(clip)))
            and not (isinstance(widget, SeeThrough) and draws_nothing(widget, visible))
        }

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        global drawing
        self.leaving_out = True
        self.drawing_crop = crop
        outer, drawing = drawing, FrameColours()  # outer: a screen drawing the one beneath it
        try:
            yield from super()._get_renders(crop)
        finally:
            self.leaving_out = False
            self.drawing_crop = None
            drawing = outer


class PromptFrames(MovesDrawn, Screen[None]):
    """A screen whose update timer is a PromptTimer (Screen makes its own on first use) and
    whose compositor draws only what can show (SeeThroughCompositor)."""

    compositor_class = SeeThroughCompositor
    _prompt_update_timer: Timer | None = None

    @property
    def _update_timer(self) -> Timer:
        timer = self._prompt_update_timer
        if timer is None:
            # What Screen._update_timer and MessagePump.set_interval do, with a PromptTimer.
            timer = PromptTimer(
                self,
                UPDATE_PERIOD,
                name="screen_update",
                callback=self._on_timer_update,
                pause=True,
            )
            timer._start()
            self._timers.add(timer)
            self._prompt_update_timer = timer
        return timer


class FirstResumeScreen(PromptFrames):
    """A screen that skips the restyle of every widget the first time it is shown."""

    _shown = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's handler. A screen restyles every widget when it is shown again,
        # in case the CSS changed while it was hidden; the first time, its widgets were just
        # styled as they mounted, and doing it again was a twentieth of the first screen.
        if not self._shown:
            self._shown = True
            skip_first_restyle(event)


def choose_theme(app: App[object], name: str) -> None:
    """What ``App._watch_theme`` does, minus the CSS refresh: before the app runs, nothing is
    parsed yet, and setting ``app.theme`` would parse all the CSS again and restyle every widget
    (about a tenth of the time to the first screen)."""
    app.set_reactive(App.theme, name)
    dark = app.current_theme.dark
    app.update_classes(
        {f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark}, update=False
    )
    app._refresh_truecolor_filter(app.ansi_theme)
    app.stylesheet.set_variables(app.get_css_variables())


def steady_arrangement(widget: Widget, size: Size, optimal: bool) -> DockArrangeResult | None:
    """The arrangement ``widget`` got when its height was measured, for placing it at ``size``:
    call from ``arrange`` in a container whose children's heights do not depend on its own
    (no ``fr`` or ``%`` heights, nothing docked), as a column of text blocks.

    Textual arranges an auto-height container twice in each layout, once at height 0 to
    measure it and once at the height found, to place its children: the same arrangement, made
    again at every level of nesting (a list in a segment in a reply), a third of Ctrl+B.
    """
    if not size.height:
        return None
    cache = widget._arrangement_cache
    updates = widget._nodes._updates
    measured = cache.get((Size(size.width, 0), updates, optimal))
    if measured is None or measured.total_region.height != size.height:
        return None
    cache[(size, updates, optimal)] = measured
    return measured


class QuietResize:
    """When a layout changes a widget's size, it does not ask for another layout of the screen.

    Textual gives each widget whose size a layout changed its new "virtual size" as a reactive
    that lays the screen out again: a second layout for nothing in a column of text. A resize
    (Ctrl+B) changed the size of every paragraph in view, and was two layouts of them. A
    scrollable container may have it too: its children are already placed, the virtual size
    only sets how far it scrolls, and a scrollbar that appears or goes still lays the screen
    out (``show_vertical_scrollbar`` is a reactive that does). The message pane grew at each
    new line of a streamed reply, and each was two layouts. Put it before the widget's class
    among the bases (Textual takes a widget's CSS from the first base that is a node).
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(  # type: ignore[misc,no-any-return]
            size, virtual_size, container_size, layout=False
        )

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Each layout asked for measures the widget again.

        Textual keys a widget's measured size by a count of the layouts it asked for, counted
        only when none is already pending: a layout of the screen in between (another widget
        asked) measured the widget at that count, and a second change before the first was
        carried out (a streamed paragraph grew another row) was served the first one's size.
        Where Textual lays the screen out a second time after a resize the count moves on; a
        quiet widget asks for no such layout, and the last paragraph of a streamed reply kept
        a row too few, the end of the reply below the pane's end (1 stream in 40).
        """
        widget = cast(Widget, self)
        if layout and widget._layout_required:
            widget._layout_updates += 1
        return super().refresh(  # type: ignore[misc,no-any-return]
            *regions, repaint=repaint, layout=layout, recompose=recompose
        )


class QuietStatic(QuietResize, Static):
    """A Static resized by a layout without asking for another (a reply's footer, a prompt's
    text, the status line): at Ctrl+B every widget whose width changes must be quiet, or one
    asks for the second layout all the others were spared."""


class QuietHorizontal(QuietResize, SeeThrough, Horizontal):
    """A Horizontal resized by a layout without asking for another (see QuietStatic)."""


class QuietVertical(QuietResize, SeeThrough, Vertical):
    """A Vertical resized by a layout without asking for another (see QuietStatic)."""


class SteadyScrollView:
    """A ScrollView (the sidebar's list, the composer) that updates its scrollbars after a
    layout only when its size, its content's size or its styles changed since it last did.

    Textual gives a ScrollView the size of its region as its "virtual size" at each layout,
    and a ScrollView compares that with its own (its content's): never equal for a list
    longer than its region, so every layout of the screen, anywhere (a streamed reply's new
    line), refreshed the sidebar's scrollbar (1.4 ms to draw), and the frame then spanned from
    the sidebar to the reply and drew every widget between. Put it before the widget's class
    among the bases.
    """

    scrolled_for: tuple[object, ...] | None = None
    """(size, container size, virtual size, styles' key) at the last update of the scrollbars."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        widget = cast(Widget, self)
        key = (size, container_size, widget.virtual_size, widget.styles._cache_key)
        if key == self.scrolled_for:
            return False  # what the last update did stands
        self.scrolled_for = key
        return super()._size_updated(  # type: ignore[misc,no-any-return]
            size, virtual_size, container_size, layout
        )


class QuietScrollBar(QuietResize, ScrollBar):
    """A scrollbar resized by a layout without asking for another (see QuietStatic), whose
    thumb follows a view anchored to its end.

    Textual's layout scrolls an anchored view to its end by setting the scrollbar's position
    without a repaint; a repaint came with the next change of the view's size, and where none
    came (the view got shorter: the tool-approval panel opened under it) the thumb stayed where
    it had been drawn, above the end the view showed. After each layout of the screen, a
    position that moved since the last repaint asks for one.
    """

    painted_position: float | None = None

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self.follow_position)

    def follow_position(self, _screen: object = None) -> None:
        if self.position != self.painted_position and self.display:
            self.refresh()

    def refresh(self, *regions: Region, **options: bool) -> Self:
        if options.get("repaint", True):
            self.painted_position = self.position
        return super().refresh(*regions, **options)


def quiet_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """What ``Widget.vertical_scrollbar`` makes, a QuietScrollBar: a scrolling widget's
    property returns this (``_vertical_scrollbar`` holds it, made when first asked for)."""
    bar = widget._vertical_scrollbar
    if bar is None:
        thickness = widget.scrollbar_size_vertical
        bar = QuietScrollBar(vertical=True, name="vertical", thickness=thickness)
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return bar


def paint_now(widget: Widget) -> bool:
    """Draw what changed in ``widget`` at once, not at the screen's next update; whether it did.

    A key typed in the composer while a reply streams at full speed waited for the next frame,
    and that frame laid out and drew what the reply had mounted meanwhile (30-45 ms), after the
    render under way: 35-125 ms from the key to its echo where the key was handled in a few.
    The composer's region is drawn from the screen's last layout, so not when the widget waits
    for a layout itself (it grew a line); a layout another widget waits for does not move the
    composer (docked under the pane) but for a resize or the sidebar's key, whose next frame
    draws everything again. Not for a screen not on top, nor when a widget the last layout
    placed over or under it has been removed since.
    """
    app = widget.app
    if app.is_inline or not widget.is_attached or widget._layout_required:
        return False
    screen = widget.screen
    if screen is not app.screen or any(
        widget in asked for asked in screen._layout_widgets.values()
    ):
        return False
    compositor = screen._compositor
    visible = compositor.visible_widgets
    if widget not in visible:
        return False
    # What the last layout placed over or under it is still there (nothing removed since).
    region = visible[widget][0]
    if any(not other.is_attached for other, (at, _) in visible.items() if at.overlaps(region)):
        return False
    compositor.update_widgets({widget})
    # Drawn in a batch too (App._display draws nothing then): the composer is not among what
    # is batched, and Textual's Markdown holds one while a render's blocks mount (100-170 ms).
    batched, app._batch_count = app._batch_count, 0
    try:
        update = compositor.render_update(screen_stack=app._background_screens)
        app._display(screen, update)
    except Exception:
        # Drawing early is an optimisation: the next frame draws what this did not, and
        # reports what fails there too.
        widget.refresh()
        return False
    finally:
        app._batch_count = batched
    return True


class UniformRows:
    """For a tall container (a reply, a segment of it, a long fence): its rows between the top
    and bottom borders are drawn once per frame, not once each.

    A container draws its background under its children, every row in view, and Textual keeps
    only so many of the rows it drew (``bound_drawn_lines``): scrolling through a 10,000-line
    fence, the five containers around it drew 200 rows a page, as much as the code itself.
    Rows without a border are the same row (background, padding, a left or right border): one
    is drawn and repeated. Put it before the widget's class among the bases.
    """

    def render_lines(self, crop: Region) -> list[Strip]:
        widget = cast(Widget, self)
        draw = super().render_lines  # type: ignore[misc]
        styles = widget.styles
        if styles.hatch not in (None, "none") or crop.height < 3:
            return cast("list[Strip]", draw(crop))
        height = widget.outer_size.height
        first = edge_rows(styles.border_top[0]) + edge_rows(styles.outline_top[0])
        last = height - edge_rows(styles.border_bottom[0]) - edge_rows(styles.outline_bottom[0])
        top, bottom = max(crop.y, first), min(crop.bottom, last)
        if bottom - top < 2:
            return cast("list[Strip]", draw(crop))
        lines: list[Strip] = []
        if top > crop.y:
            lines += draw(Region(crop.x, crop.y, crop.width, top - crop.y))
        lines += draw(Region(crop.x, top, crop.width, 1)) * (bottom - top)
        if crop.bottom > bottom:
            lines += draw(Region(crop.x, bottom, crop.width, crop.bottom - bottom))
        return lines


def edge_rows(kind: str) -> int:
    """Rows a border or outline of this kind takes at an edge."""
    return 0 if kind in ("", "none") else 1


class SteadyArrangement(UniformRows, QuietResize, SeeThrough):
    """For a container whose children's heights do not depend on its own (a column of text
    blocks): each layout arranges it once, not twice (``steady_arrangement``), a change of its
    size asks for no other (``QuietResize``), and its plain rows are drawn once a frame
    (``UniformRows``). Put it first among the bases: Textual takes a
    widget's CSS from the first base that is a node."""

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        steady = steady_arrangement(cast(Widget, self), size, optimal)
        if steady is not None:
            return steady
        return super().arrange(size, optimal)  # type: ignore[misc,no-any-return]


def bound_drawn_lines(widget: Widget, most: int) -> None:
    """Forget the lines Textual keeps of what ``widget`` drew (with padding and colours) when
    there are more than ``most``: it keeps every line ever drawn, and scrolling through a
    10,000-line fence kept a million objects alive, for garbage collections of 0.4 s."""
    cache = widget._styles_cache
    if len(cache._cache) > most:
        cache.clear()


def chunk_strips(
    content: Content, width: int, style: Style, options: RenderOptions, first_row: int
) -> list[Strip]:
    """``content.render_strips`` for lines that start at row ``first_row`` of a longer text (a
    chunk of a long fence): text selection reads each cell's row from the strips. Setting the
    rows while the lines are formatted costs nothing; ``Strip.apply_offsets`` afterwards costs
    a third of drawing the chunk."""
    get_rule = options.rules.get
    lines = content._wrap_and_format(
        width,
        # As render_strips reads them (RulesMap's values are typed as object).
        align=cast("TextAlign", get_rule("text_align", "left")),
        overflow=cast("TextOverflow", get_rule("text_overflow", "fold")),
        no_wrap=get_rule("text_wrap", "wrap") == "nowrap",
        line_pad=cast(int, get_rule("line_pad", 0)),
        tab_size=8,
        selection=options.selection,
        selection_style=options.selection_style,
        post_style=options.post_style,
        get_style=options.get_style,
    )
    strips = []
    for line in lines:
        line.y += first_row
        strips.append(Strip(*line.to_strip(style)))
    return strips


def collapsible_title(collapsible: Collapsible) -> Widget:
    """The title row a Collapsible made in its ``__init__`` (its compose yields it first)."""
    return collapsible._title


def show_collapsed(collapsible: Collapsible, collapsed: bool) -> None:
    """Show a Collapsible folded or open (its title's symbol, its ``-collapsed`` class)."""
    collapsible._update_collapsed(collapsed)
