"""Frames draw only what can show (SeeThroughCompositor): not the containers that draw nothing
of their own, nor widgets outside the part of the screen updated; each widget's colours are
worked out once (FrameColours), and a long list updates its scrollbar only when something of its
own changed (SteadyScrollView). The screen must be cell for cell what Textual's own compositor
draws, with those containers still found under the mouse, and a container that gains a
background, a border or a drawing of its own is drawn again."""

from __future__ import annotations

from typing import Any

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList, Static

from glm_tui.store import Store
from glm_tui.ui.textual_private import (
    FrameColours,
    MovesDrawn,
    PromptFrames,
    QuietVertical,
    SeeThrough,
    SeeThroughCompositor,
    SteadyScrollView,
    draws_nothing,
    textual_background_colors,
    textual_opacity,
)
from glm_tui.ui.textual_private.markdown import ItemRow
from glm_tui.ui.widgets.message_pane import MessagePane
from tests.app_fixture import Tui
from tests.ui_helpers import seed_conversation, shows


def _cells(line: Strip) -> list[tuple[str, Any]]:
    """Each cell of a drawn line with its style (however the line is cut into segments)."""
    return [(char, segment.style) for segment in line for char in segment.text]


def forget_drawn_lines(screen: Screen[Any]) -> None:
    # Each widget keeps the lines it drew: a comparison must draw them afresh each time.
    for widget in screen.walk_children(Widget, with_self=True):
        widget._styles_cache.clear()


def drawn(screen: Screen[Any]) -> list[list[tuple[str, Any]]]:
    """The screen as its own compositor draws it."""
    forget_drawn_lines(screen)
    return [_cells(line) for line in screen._compositor.render_strips()]


def drawn_by_textual(screen: Screen[Any]) -> list[list[tuple[str, Any]]]:
    """The screen as Textual's compositor, which draws every widget in view and walks its
    ancestors for its colours, draws it."""
    plain = Compositor()
    plain.reflow(screen, screen.size)
    forget_drawn_lines(screen)
    return [_cells(line) for line in plain.render_strips()]


def colours_as_textual_has_them(screen: Screen[Any]) -> None:
    frame = FrameColours()
    for widget in screen.walk_children(Widget, with_self=True):
        base, background, opacity = frame.of(widget)
        assert (base, background) == textual_background_colors.fget(widget), widget
        assert opacity == textual_opacity.fget(widget), widget


def never_drawn(widget: Widget) -> bool:
    return not widget._styles_cache._cache


class Nested(PromptFrames):
    CSS = """
    #bare { padding: 1 2; height: auto; }
    #inner { padding: 1; height: auto; }
    #tinted { background: $accent 40%; background-tint: $error 20%; padding: 1; height: auto; }
    #tinted Static { background: $success 50%; opacity: 70%; }
    #framed { border: round $primary; height: auto; }
    #bare.-lit { background: $error 30%; }
    """

    def compose(self) -> ComposeResult:
        with QuietVertical(id="bare"):
            with QuietVertical(id="inner"):
                yield Static("inside two bare containers")
            with QuietVertical(id="tinted"):
                yield Static("inside a tinted one")
            with QuietVertical(id="framed"):
                yield Static("inside a framed one")
            yield ItemRow("•", Static("a list item: its bullet is its own drawing"))


class NestedApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Nested())


async def test_bare_containers_are_left_out_and_the_screen_is_what_textual_draws() -> None:
    app = NestedApp()
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen._compositor, SeeThroughCompositor)
        bare, inner = screen.query_one("#bare"), screen.query_one("#inner")
        tinted, framed = screen.query_one("#tinted"), screen.query_one("#framed")
        row = screen.query_one(ItemRow)
        visible = screen._compositor.visible_widgets
        assert [draws_nothing(w, visible) for w in (bare, inner, tinted, framed, row)] == [
            True,
            True,
            False,  # its own background
            False,  # its border
            False,  # it draws its bullet
        ]
        assert never_drawn(bare) and never_drawn(inner)
        assert not never_drawn(tinted) and not never_drawn(framed) and not never_drawn(row)
        assert drawn(screen) == drawn_by_textual(screen)
        colours_as_textual_has_them(screen)
        # Still found where the mouse is: in the bare container's padding.
        region = bare.region
        assert screen.get_widget_at(region.x, region.y)[0] is bare

        # Given a background, it is drawn again, and the screen shows it.
        before = drawn(screen)
        bare.add_class("-lit")
        await pilot.pause()
        await pilot.pause()
        assert not draws_nothing(bare, screen._compositor.visible_widgets)
        assert not never_drawn(bare)
        assert drawn(screen) == drawn_by_textual(screen) != before


async def test_a_bare_container_beyond_its_parent_is_drawn() -> None:
    # Cells outside its parent would show what lies under it there, not its background.
    app = NestedApp()
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        inner = screen.query_one("#inner")
        inner.styles.overlay = "screen"
        inner.styles.offset = (0, 12)
        await pilot.pause()
        await pilot.pause()
        visible = screen._compositor.visible_widgets
        assert not draws_nothing(inner, visible)
        assert drawn(screen) == drawn_by_textual(screen)


REPLY = """Here is the plan.

- first, *measure* the slow part
- then fix it

| step | time |
|------|------|
| parse | 12 ms |
| draw | 30 ms |

```python
def measure(f):
    return f()
```

1. one
2. two

That is all."""


async def test_a_reply_on_screen_is_drawn_as_textual_draws_it(tui: Tui, store: Store) -> None:
    turns = [(f"Question {i}", REPLY, "Some thinking first.") for i in range(3)]
    cid = seed_conversation(store, "Plans", turns, updated_at="2024-03-14T10:00:00Z")
    async with tui(open=cid, size=(100, 40)) as (app, pilot):
        await shows(pilot, "That is all.")
        await pilot.pause()
        screen = app.screen
        visible = screen._compositor.visible_widgets
        left_out = {
            type(w).__name__
            for w in visible
            if isinstance(w, SeeThrough) and draws_nothing(w, visible)
        }
        assert {"MessagePane", "SegmentedMarkdown", "Segment"} <= left_out
        assert never_drawn(app.query_one(MessagePane))
        assert drawn(screen) == drawn_by_textual(screen)
        colours_as_textual_has_them(screen)


class CountedStatic(Static):
    """A Static that counts the frames that draw it."""

    draws = 0

    def render_lines(self, crop: Region) -> list[Strip]:
        self.draws += 1
        return super().render_lines(crop)


class SideBySide(PromptFrames):
    CSS = """
    Horizontal { height: 1fr; }
    #left, #right { width: 1fr; height: auto; }
    #below { dock: bottom; height: 2; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield CountedStatic("left\nstays", id="left")
            yield CountedStatic("right", id="right")
        yield CountedStatic("below, docked", id="below")


async def test_a_frame_draws_only_the_widgets_in_the_part_it_updates() -> None:
    # Textual draws every widget whose clip meets the part updated; most widgets' clip is
    # the whole screen, so a change on the right drew the left and the bottom too.
    app = App[None]()
    async with app.run_test(size=(60, 20)) as pilot:
        await app.push_screen(SideBySide())
        await pilot.pause()
        screen = app.screen
        left, right, below = (
            screen.query_one(f"#{name}", CountedStatic) for name in ("left", "right", "below")
        )
        assert left.draws and right.draws and below.draws
        drawn_before = (left.draws, right.draws, below.draws)
        right.update("right, again\nand taller")  # a layout: the right column grows a line
        await pilot.pause()
        await pilot.pause()
        assert right.draws > drawn_before[1]
        assert (left.draws, below.draws) == (drawn_before[0], drawn_before[2])
        assert drawn(screen) == drawn_by_textual(screen)

        screen.refresh()  # the whole screen: everything is drawn
        await pilot.pause()
        assert left.draws > drawn_before[0] and below.draws > drawn_before[2]


class LongList(SteadyScrollView, OptionList):
    pass


class ListBeside(PromptFrames):
    CSS = """
    LongList { width: 20; height: 1fr; }
    #grows { height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield LongList(*(f"Option {n}" for n in range(50)))
            yield Static("one line", id="grows")


async def test_a_long_list_updates_its_scrollbar_only_when_something_of_its_own_changed() -> None:
    # Textual gives a ScrollView its region's size as its virtual size at every layout, never
    # equal to a long list's own: each layout anywhere refreshed the list's scrollbar.
    app = App[None]()
    async with app.run_test(size=(60, 20)) as pilot:
        await app.push_screen(ListBeside())
        await pilot.pause()
        screen = app.screen
        options = screen.query_one(LongList)
        bar = options.vertical_scrollbar
        refreshes = [0]
        original = bar.refresh

        def counted(*regions: Region, **options: Any) -> Any:
            refreshes[0] += 1
            return original(*regions, **options)

        bar.refresh = counted  # type: ignore[method-assign]
        grows = screen.query_one("#grows", Static)
        for lines in range(2, 6):
            grows.update("\n".join(["a line"] * lines))
            await pilot.pause()
            await pilot.pause()
        assert refreshes[0] == 0

        # Its own content grows: the scrollbar follows.
        options.add_options([f"More {n}" for n in range(50)])
        await pilot.pause()
        await pilot.pause()
        assert refreshes[0] > 0 and bar.window_virtual_size == 100
        # The terminal resized: it follows too.
        before = refreshes[0]
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        await pilot.pause()
        assert refreshes[0] > before and bar.window_size == options.scrollable_content_region.height
        assert drawn(screen) == drawn_by_textual(screen)


class Scrolled(PromptFrames):
    CSS = """
    VerticalScroll { height: 8; }
    VerticalScroll > Static { height: 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for n in range(12):
                yield Static(f"line {n}", id=f"line-{n}")


class ScrolledDialog(MovesDrawn, ModalScreen[None]):
    """A dialog that streams (the compare screen): Textual's compositor, but for that."""

    CSS = Scrolled.CSS
    compose = Scrolled.compose


class ScrolledApp(App[None]):
    def __init__(self, screen: Screen[None]) -> None:
        super().__init__()
        self.shown = screen

    def on_mount(self) -> None:
        self.push_screen(self.shown)


@pytest.mark.parametrize("make", [Scrolled, ScrolledDialog])
async def test_a_widget_placed_by_a_look_up_of_its_region_is_still_drawn(
    make: type[Screen[None]],
) -> None:
    # After a scroll, Textual makes its map of every widget again at the first look-up of a
    # widget's region (a reply's parts are looked up as they mount). A widget mounted since
    # the last layout got its place there, so the layout that followed found nothing moved and
    # drew nothing: a reply's text, laid out and never drawn (1 reply in 100-200 on a loaded
    # machine). The frames must draw it.
    app = ScrolledApp(make())
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = app.screen
        scroller = screen.query_one(VerticalScroll)
        scroller.scroll_to(y=2, animate=False, immediate=True)
        await pilot.pause()
        compositor = screen._compositor
        drawn_regions: list[Region] = []
        render_update = compositor.render_update

        def recording(*args: Any, **kwargs: Any) -> Any:
            drawn_regions.extend(compositor._dirty_regions)
            return render_update(*args, **kwargs)

        compositor.render_update = recording  # type: ignore[method-assign]
        new = Static("NEW LINE", id="new")
        await scroller.mount(new, before="#line-5")
        assert compositor._full_map_invalidated  # no layout yet since the scroll
        dirty = set(compositor._dirty_regions)
        assert new.region  # looked up before a layout placed it
        # What moved there is to be drawn, as a layout would have it: the new line and the
        # lines below it.
        marked = compositor._dirty_regions - dirty
        assert any(region.contains_region(new.region) for region in marked), marked
        below = screen.query_one("#line-5").region
        assert any(region.contains_region(below) for region in marked), marked
        for _ in range(3):
            await pilot.pause()
        assert new.region
        assert any(region.contains_region(new.region) for region in drawn_regions), (
            new.region,
            drawn_regions,
        )
