"""Frames leave out the containers that draw nothing of their own and work each widget's colours
out once (SeeThroughCompositor, FrameColours): the screen must be cell for cell what Textual's
own compositor draws, with those containers still found under the mouse, and a container that
gains a background, a border or a drawing of its own is drawn again."""

from __future__ import annotations

from typing import Any

from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from glm_tui.store import Store
from glm_tui.ui.textual_private import (
    FrameColours,
    PromptFrames,
    QuietVertical,
    SeeThrough,
    SeeThroughCompositor,
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
