"""Long Markdown in segments: cut only where the rendering stays the same, rendered in full."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Label, Markdown
from textual.widgets._markdown import MarkdownFence

from glm_tui.ui.markdown import parking
from glm_tui.ui.markdown.blocks import (
    FENCE_CHUNK,
    ChunkedFence,
    FenceLabel,
    Segment,
    SegmentPlaceholder,
    StreamedParagraph,
    _code_size,
)
from glm_tui.ui.markdown.code_lines import DRAWN_LINES, CodeLines
from glm_tui.ui.markdown.cuts import split_segments
from glm_tui.ui.markdown.segmented import LONGEST_PAUSE, SegmentedMarkdown, pause_after
from glm_tui.ui.widgets.thinking import ThinkingBlock
from tests.ui_helpers import count_reflows, screen_text, shows, wait_until


def long_document(blocks: int) -> str:
    parts = []
    for i in range(blocks):
        if i % 4 == 3:
            # A fence with blank lines and lines that would be safe boundaries outside it.
            parts.append(f"```python\ndef f{i}():\n\n    return {i}\n\nNot a paragraph {i}\n```")
        elif i % 4 == 2:
            parts.append(f"- item {i}\n- another {i}\n\n- loose {i}")
        else:
            parts.append(f"Paragraph {i} with **bold** and `code`.")
    return "\n\n".join(parts) + "\n"


def test_split_keeps_the_text_and_never_cuts_a_fence_or_a_list() -> None:
    text = long_document(200)
    parts = split_segments(text, seal_blocks=10)
    assert len(parts) > 5
    assert "".join(parts) == text
    for part in parts:
        assert part.count("```") % 2 == 0  # whole fences only
        # A new paragraph or a whole fence: never a list item or a fence's content.
        assert part[0].isalpha() or part.startswith("```python\n")


def test_split_of_a_fence_without_end() -> None:
    text = "Intro\n\n```\n" + "\n\n".join(f"line {i}" for i in range(500))
    assert split_segments(text, seal_blocks=5) == [text]


class MarkdownApp(App[None]):
    def __init__(self, widget: SegmentedMarkdown | ThinkingBlock) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def rendered_text(widget: SegmentedMarkdown) -> str:
    return "\n".join(
        str(block.render()) if not isinstance(block, MarkdownFence) else block.code
        for block in widget.query("MarkdownParagraph, MarkdownFence")
    )


def needle(i: int) -> str:
    return f"return {i}" if i % 4 == 3 else (f"item {i}" if i % 4 == 2 else f"Paragraph {i}")


def segment_texts(widget: SegmentedMarkdown) -> list[str]:
    """The text of every segment, mounted or parked (parts parked together counted apart)."""
    return [
        text
        for part in widget.parts
        for text in (part.parts if isinstance(part, SegmentPlaceholder) else [part.text])
    ]


def kinds(widget: SegmentedMarkdown) -> str:
    """The parts as letters: S mounted, p parked."""
    return "".join("p" if isinstance(part, SegmentPlaceholder) else "S" for part in widget.parts)


async def read_through(pilot: Pilot[None], widget: SegmentedMarkdown) -> str:
    """Scroll from the top to the end a screen at a time: everything the screen showed."""
    screen = pilot.app.screen
    screen.scroll_home(animate=False, immediate=True)
    seen = []
    while True:
        await wait_until(pilot, lambda: widget.settled)
        await pilot.pause()
        seen.append(screen_text(pilot.app))  # type: ignore[arg-type]
        if screen.scroll_y >= screen.max_scroll_y:
            return "\n".join(seen)
        screen.scroll_to(y=screen.scroll_y + screen.size.height - 2, animate=False, immediate=True)


async def test_a_long_stream_is_cut_in_segments_and_only_those_near_the_view_are_mounted() -> None:
    text = long_document(150)
    widget = SegmentedMarkdown(classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        step = 97
        most_mounted = 0
        for start in range(0, len(text), step):
            await widget.write(text[start : start + step])
            most_mounted = max(most_mounted, len(widget.segments))
        await widget.stop()
        await wait_until(pilot, lambda: widget.settled)
        assert widget.source == text
        assert segment_texts(widget) == split_segments(text, 10)
        assert len(segment_texts(widget)) > 10
        # The view is at the top: the parts far below it were parked while the text grew.
        assert kinds(widget).startswith("S") and "p" in kinds(widget)
        assert most_mounted < len(segment_texts(widget)) // 2
        # Only the first block of each mounted segment loses its top margin (counted per
        # segment: one just parked may still be on its way out of the DOM).
        for segment in widget.segments:
            firsts = [block for block in segment.children if block.has_class("-first-block")]
            assert firsts == list(segment.children[:1])
        # Every block is shown when scrolled to.
        seen = await read_through(pilot, widget)
        missing = [needle(i) for i in range(150) if needle(i) not in seen]
        assert not missing


async def test_text_arriving_all_at_once_is_parked_except_what_is_in_view() -> None:
    text = long_document(300)
    widget = SegmentedMarkdown(classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        app.screen.anchor()  # following the end, as the message pane does while a reply streams
        await widget.write(text[:100])
        await widget.write(text[100:])
        await widget.stop()
        await wait_until(pilot, lambda: widget.settled)
        assert widget.source == text
        assert kinds(widget).startswith("p") and kinds(widget).endswith("S"), kinds(widget)
        assert len(widget.segments) <= 5
        # The parts parked unseen are parked together: a few widgets, not one a part.
        assert len(segment_texts(widget)) > 25 and len(widget.parts) <= 8
        await pilot.pause()
        assert needle(299) in screen_text(app)  # type: ignore[arg-type]


async def test_a_whole_document_mounts_what_is_in_view() -> None:
    text = long_document(400)
    widget = SegmentedMarkdown(text, classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: widget.settled)
        assert widget.source == text
        assert segment_texts(widget) == split_segments(text, 10)
        # Opened at the top (the message pane opens at the end), the end is parked.
        assert kinds(widget).startswith("S") and kinds(widget).endswith("p")
        assert "Paragraph 0 with" in screen_text(app)  # type: ignore[arg-type]
        # End, as the message pane takes it: the view goes to the end and stays there while the
        # parts mounted near it take their real heights (estimated while parked).
        app.screen.anchor()
        await wait_until(
            pilot,
            lambda: widget.settled and needle(399) in screen_text(app),  # type: ignore[arg-type]
            what="the end of the document",
        )
        assert kinds(widget).startswith("p")  # the top, three screens away, is parked again


async def test_parts_laid_out_late_are_mounted_when_they_are(monkeypatch: Any) -> None:
    """A cull that waited its frames for new parts to be laid out goes on without them and
    looks again later: they are mounted once laid out, and until then nothing is "settled".
    (On a busy machine the parts in view stayed parked, and the column looked settled: no part
    it could see was in view.)"""
    monkeypatch.setattr(parking, "CULL_WAITS", 0)  # no frames waited for the layout
    text = long_document(400)
    widget = SegmentedMarkdown(text, classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: widget.settled)
        first = widget.parts[0]
        assert isinstance(first, Segment)
        # The top part parked again, as a cull would, and the cull running before the layout.
        placeholder = SegmentPlaceholder(first.source, first.outer_size.height, 100)
        first.retired = True
        mounted = widget.mount(placeholder, before=first)  # in the DOM, not laid out yet
        assert not placeholder.region.width and not widget.settled
        widget._parking._cull()
        await mounted
        await first.remove()
        await wait_until(pilot, lambda: widget.settled)
        assert kinds(widget).startswith("S"), kinds(widget)
        await pilot.pause()
        assert "Paragraph 0 with" in screen_text(app)  # type: ignore[arg-type]


async def test_parking_keeps_the_height_and_unparking_keeps_the_view_still() -> None:
    text = long_document(150)
    widget = SegmentedMarkdown(text, classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        screen.scroll_end(animate=False, immediate=True)
        await wait_until(pilot, lambda: widget.quiet)
        # Read upwards a screen at a time: each part is measured while mounted.
        heights: dict[int, int] = {}
        while screen.scroll_y > 0:
            for index, part in enumerate(widget.parts):
                if isinstance(part, Segment) and part.children:
                    heights[index] = part.outer_size.height
            first_in_view = next(
                part for part in widget.parts if part.region.overlaps(screen.region)
            )
            row = first_in_view.region.y
            screen.scroll_to(y=max(0, screen.scroll_y - 1), animate=False, immediate=True)
            await wait_until(pilot, lambda: widget.quiet)
            await pilot.pause()
            # One row up: what was in view moved down one row, however tall the part mounted
            # above it turned out to be.
            assert first_in_view.region.y == row + 1 or screen.scroll_y == 0
            screen.scroll_to(y=max(0, screen.scroll_y - 38), animate=False, immediate=True)
            await wait_until(pilot, lambda: widget.quiet)
        await pilot.pause()
        parked = [
            (index, part)
            for index, part in enumerate(widget.parts)
            if isinstance(part, SegmentPlaceholder) and index in heights
        ]
        assert parked
        for index, part in parked:
            assert part.rows == heights[index]


async def test_a_long_fence_is_one_widget_of_its_lines_after_a_label_while_short() -> None:
    lines = [f"x_{i} = {i}" for i in range(FENCE_CHUNK * 2 + 7)]
    widget = SegmentedMarkdown(classes="answer")
    async with MarkdownApp(widget).run_test(size=(100, 40)) as pilot:
        await widget.write("Code:\n\n```python\n")
        for line in lines[:3]:
            await widget.write(line + "\n")
        await wait_until(pilot, lambda: bool(widget.query(ChunkedFence)))
        await wait_until(pilot, lambda: "x_2 = 2" in screen_text(pilot.app))
        fence = widget.query_one(ChunkedFence)
        assert list(fence.query(Label)) and not list(fence.query(CodeLines))
        for line in lines[3:]:
            await widget.write(line + "\n")
        await widget.write("```\n")
        await widget.stop()
        await wait_until(pilot, lambda: bool(fence.query(CodeLines)))
        code = fence.query_one(CodeLines)
        assert not list(fence.query(Label))
        await wait_until(pilot, lambda: code.code == "\n".join(lines))
        assert fence.code == code.code
        await pilot.pause()
        assert code.size.height == len(lines)
        assert "x_0 = 0" in screen_text(pilot.app)


class CodeApp(App[None]):
    def __init__(self, code: CodeLines) -> None:
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.code


async def test_a_long_fence_highlights_only_the_lines_in_view_and_keeps_them() -> None:
    highlighted: list[str] = []

    def highlight(text: str) -> Content:
        highlighted.append(text)
        return MarkdownFence.highlight(text, "python")

    source = "\n".join(f"value_{i} = compute({i})" for i in range(10_000))
    code = CodeLines(source, highlight)
    app = CodeApp(code)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        assert code.size.height == 10_000
        assert "value_0 = compute(0)" in screen_text(app)
        assert len(highlighted) == 1  # the first chunk: 20 rows show lines 0-18
        scroller = app.query_one(VerticalScroll)
        scroller.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "value_9999 = compute(9999)" in screen_text(app)
        assert len(highlighted) <= 3  # the last chunks, not the 10,000 lines
        scroller.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "value_0 = compute(0)" in screen_text(app)
        assert len(highlighted) <= 3  # kept: not highlighted again
        # Streaming appends lines: the chunk that changed is highlighted again, no other.
        before = len(highlighted)
        code.set_code(source + "\nvalue_10000 = compute(10000)")
        scroller.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "value_10000 = compute(10000)" in screen_text(app)
        assert code.size.height == 10_001
        assert len(highlighted) == before + 1


class NestedCodeApp(App[None]):
    CSS = "#around { height: auto; }"

    def __init__(self, code: CodeLines) -> None:
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with VerticalScroll(), Vertical(id="around"):
            yield self.code


async def test_scrolling_through_a_long_fence_keeps_few_drawn_lines_alive() -> None:
    # Textual keeps every line a widget drew; as tall as 10,000 lines, the fence and the
    # containers around it kept a million objects for the garbage collector to walk.
    source = "\n".join(f"value_{i} = compute({i})" for i in range(10_000))
    app = NestedCodeApp(CodeLines(source, lambda text: MarkdownFence.highlight(text, "python")))
    async with app.run_test(size=(80, 40)) as pilot:
        scroller = app.query_one(VerticalScroll)
        around = app.query_one("#around")
        drawn = 0
        for _ in range(60):
            scroller.scroll_to(y=scroller.scroll_y + 38, animate=False, immediate=True)
            await pilot.pause()
            drawn = max(drawn, len(app.code._styles_cache._cache))
            drawn = max(drawn, len(around._styles_cache._cache))
        assert "value_2280 = compute(2280)" in screen_text(app)
        assert drawn <= DRAWN_LINES + 40


async def test_a_long_fence_looks_like_a_label_of_the_same_code() -> None:
    source = "\n".join(f"def f_{i}(x):  # {'long ' * (i % 5)}" for i in range(60))
    app = CodeApp(CodeLines(source, lambda text: MarkdownFence.highlight(text, "python")))
    async with app.run_test(size=(80, 70)) as pilot:
        await pilot.pause()
        lines_render = [list(strip.simplify()) for strip in app.screen._compositor.render_strips()]
    label_app = LabelApp(MarkdownFence.highlight(source, "python"))
    async with label_app.run_test(size=(80, 70)) as pilot:
        await pilot.pause()
        label_render = [list(s.simplify()) for s in label_app.screen._compositor.render_strips()]
    text = "\n".join("".join(segment.text for segment in line) for line in label_render)
    assert "def f_59(x):  # long long long long" in text
    assert lines_render == label_render


class LabelApp(App[None]):
    CSS = "Label { padding: 1 2; }"

    def __init__(self, content: Content) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(self.content, expand=True)


async def test_the_thinking_body_is_built_when_first_opened() -> None:
    block = ThinkingBlock("Some *reasoning* here.", collapsed=True)
    async with MarkdownApp(block).run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        assert not block.body.is_built
        assert not list(block.body.query(Markdown))
        assert block.body.source == "Some *reasoning* here."
        block.collapsed = False
        await wait_until(pilot, lambda: bool(block.body.query("MarkdownParagraph")))
        assert block.body.is_built


async def test_a_growing_paragraph_asks_for_a_layout_only_when_it_needs_a_new_line() -> None:
    widget = SegmentedMarkdown(classes="answer")
    app = MarkdownApp(widget)
    async with app.run_test(size=(40, 20)) as pilot:
        await widget.write("Some words")
        await wait_until(pilot, lambda: bool(widget.query(StreamedParagraph)))
        await pilot.pause()
        paragraph = widget.query_one(StreamedParagraph)
        assert paragraph.size.height == 1
        reflows = count_reflows(app)
        await widget.write(" and more")  # still one line of 40 cells
        await wait_until(pilot, lambda: "and more" in screen_text(app))  # type: ignore[arg-type]
        assert not reflows  # repainted, not laid out
        await widget.write(" words" * 10)  # three lines now: the screen is laid out again
        await wait_until(pilot, lambda: paragraph.size.height == 3)
        await widget.stop()
        await pilot.pause()
        assert screen_text(app).count("words") == 11  # type: ignore[arg-type]


class _AtOnce(concurrent.futures.ThreadPoolExecutor):
    """Runs what is submitted at once, in the caller's thread."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_result(fn(*args, **kwargs))
        return future


async def test_a_parked_part_mounting_while_the_document_is_removed_does_not_fail() -> None:
    """The race of a reply removed (another conversation opened, the app closing) while one of
    its parked parts is being mounted: the new segment was never attached, and filling it
    raised MountError in a worker, which ended the app."""
    text = long_document(300)
    widget = SegmentedMarkdown(text, classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: widget.settled)
        placeholder = next(p for p in widget.parts if isinstance(p, SegmentPlaceholder))
        # Textual parses a Markdown update in a thread; parsed at once here, the mount comes
        # before the removal has unmounted the document, as when a big pane is cleared.
        asyncio.get_running_loop().set_default_executor(_AtOnce())
        widget._parking.unpark(placeholder)  # the worker starts at the next turn of the loop...
        removed = widget.remove()  # ...after the removal has begun
        await removed
        await pilot.pause()
        assert app.is_running
        assert app.return_code is None
        assert not [w for w in app.workers if w.error is not None]


async def test_text_written_while_the_document_is_removed_is_dropped_quietly() -> None:
    """The first text of a reply arriving as the reply is removed: its new tail segment is never
    attached, and appending to it raised MountError out of ``stop()`` (the end of the turn)."""
    widget = SegmentedMarkdown(classes="answer")
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        writing = asyncio.ensure_future(widget.write("The start of a reply.\n\n# Heading\n"))
        removed = widget.remove()
        await writing
        await removed
        await widget.stop()  # the end of the reply: raises nothing
        await pilot.pause()
        assert app.is_running


async def stream_beside_whole(text: str, kept: str) -> tuple[str, str, bool]:
    """``text`` streamed in small pieces, then shown whole: both screens, and whether the
    first two widgets matching ``kept`` when they appeared were those shown at the end."""
    streamed = SegmentedMarkdown(classes="answer")
    whole = SegmentedMarkdown(text, classes="answer")
    async with MarkdownApp(streamed).run_test(size=(60, 80)) as pilot:
        first: list[Any] = []
        for index in range(0, len(text), 7):
            await streamed.write(text[index : index + 7])
            if len(found := list(streamed.query(kept))) >= 2 and not first:
                first = found[:2]
            await pilot.pause()
        await streamed.stop()
        await wait_until(pilot, lambda: streamed.settled)
        await pilot.pause()
        kept_all_along = bool(first) and first == list(streamed.query(kept))[:2]
        streamed_screen = screen_text(pilot.app)  # type: ignore[arg-type]
    async with MarkdownApp(whole).run_test(size=(60, 80)) as pilot:
        await wait_until(pilot, lambda: whole.settled)
        await pilot.pause()
        return streamed_screen, screen_text(pilot.app), kept_all_along  # type: ignore[arg-type]


async def test_a_streamed_list_keeps_its_rows_and_shows_what_the_whole_text_shows() -> None:
    items = [f"- item {i} " + "word " * (i * 3) for i in range(6)]
    numbered = [f"{i}. step {i}" for i in range(1, 12)]  # 10 and 11 widen every number
    text = "Intro\n\n" + "\n".join(items) + "\n  - nested one\n  - nested two\n\n"
    text += "\n".join(numbered) + "\n\nAfter.\n"
    streamed, whole, kept = await stream_beside_whole(text, "UpdatableBulletList > ItemRow")
    assert kept  # the rows made while the list streamed are those shown at its end
    assert streamed == whole
    assert " 10. step 10" in streamed and "  1. step 1" in streamed
    assert "nested two" in streamed and "After." in streamed


async def test_a_streamed_table_keeps_its_cells_and_shows_what_the_whole_text_shows() -> None:
    rows = [
        f"| `name_{i}` | kind {i} | {i * 37} | " + "note " * (i % 3 + 1) + "|" for i in range(7)
    ]
    text = "Costs:\n\n| name | kind | cost | note |\n|---|---|---:|---|\n"
    text += "\n".join(rows) + "\n\nAfter the table.\n"
    streamed, whole, kept = await stream_beside_whole(text, "MarkdownTableContent > .cell")
    assert kept  # the first row's cells, made while it streamed, are those shown at the end
    assert streamed == whole
    assert "name_6" in streamed and "222" in streamed and "After the table." in streamed


async def test_a_streamed_table_whose_columns_change_draws_its_lines_where_they_are() -> None:
    # The last row's note grows wider than the others: the table shares its width anew, and
    # the lines between the columns move (they stayed where the columns had been).
    text = "| name | note |\n|---|---|\n| a | a longer note |\n"
    text += "| b | this note becomes the widest of the table |\n\nAfter.\n"
    streamed, whole, _ = await stream_beside_whole(text, "MarkdownTableContent > .cell")
    assert streamed == whole
    assert "│ b" in streamed and "widest" in streamed


async def layouts_of_growth(
    start: tuple[str, str], within: str, beyond: str
) -> tuple[int, int, str]:
    """``start`` (a text, and what shows it is on the screen) streamed, then ``within`` (text
    that keeps the last block's size), then ``beyond`` (text that does not): the layouts of the
    screen each took, and the screen at the end. Each piece is waited for on the screen."""
    widget = SegmentedMarkdown(classes="answer")
    app = MarkdownApp(widget)
    async with app.run_test(size=(60, 20)) as pilot:
        await widget.write(start[0])
        await shows(pilot, start[1])
        await pilot.pause()
        reflows = count_reflows(app)
        await widget.write(within)
        await shows(pilot, within.strip())
        laid_out_within = len(reflows)
        await widget.write(beyond)
        await shows(pilot, beyond.strip())
        laid_out_beyond = len(reflows) - laid_out_within
        await widget.stop()
        await pilot.pause()
        return laid_out_within, laid_out_beyond, screen_text(app)  # type: ignore[arg-type]


async def test_a_table_cell_growing_within_its_column_is_repainted_not_laid_out() -> None:
    # Each cell's update laid the screen out; a cell within its column's width and its row's
    # height changes neither, and is repainted. "x" grows to "xyz", narrower than the column's
    # widest, then wider than it.
    start = ("| name | note |\n|---|---|\n| a | a longer note |\n| b | x", "a longer note")
    within, beyond, screen = await layouts_of_growth(start, "yz", " is now the widest note")
    assert within == 0 and beyond > 0
    assert "xyz is now the widest note" in screen


async def test_a_short_fence_growing_within_its_size_is_repainted_not_laid_out() -> None:
    # The last line, still shorter than the first, then one more line.
    start = ("```python\nlong_name = 1\nx", "long_name")
    within, beyond, screen = await layouts_of_growth(start, " = 2", "\ny = 3")
    assert within == 0 and beyond > 0
    assert "x = 2" in screen and "y = 3" in screen


@given(st.lists(st.sampled_from(["x = 1", "", "    y", "\t", "long_name_here = 2"]), max_size=8))
def test_a_fence_is_as_many_rows_as_its_highlighted_code(lines: list[str]) -> None:
    """The size a short fence's label is compared by (a new size lays the screen out, the same
    size only repaints it) is the size of what the label shows: a code ending in a newline
    (a fence streamed to the end of a line) has no row for it. Counted as a row, the next
    line's text only repainted the label while it grew a row past the fence's bottom."""
    for code in ("\n".join(lines), "\n".join(lines) + "\n"):
        shown = MarkdownFence.highlight(code, "python")
        assert _code_size(code)[0] == shown.get_height({}, 1000)


def test_a_slow_render_pauses_the_stream_twice_as_long_but_never_long() -> None:
    assert pause_after(0.01) == 0.0  # quick: the next text at once
    assert pause_after(0.06) == pytest.approx(0.12)  # slow: twice as long, reading goes on
    assert pause_after(0.16) == LONGEST_PAUSE == 0.2  # the screen gets text 4 times a second


async def test_a_fence_that_names_no_language_is_plain_text_not_a_guess() -> None:
    # Textual would guess the language (every Pygments lexer asked: 165 ms the first time, then
    # a few ms at every render of a streaming fence), and guess wrong from output or prose.
    code = "def handle(items):\n    return {item: 1 for item in items}"
    widget = SegmentedMarkdown(f"```\n{code}\n```\n\n```python\n{code}\n```\n", classes="answer")
    app = MarkdownApp(widget)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_until(pilot, lambda: len(widget.query(FenceLabel)) == 2, what="the fences")
        unnamed, python = (label.content for label in widget.query(FenceLabel))
        assert isinstance(unnamed, Content) and isinstance(python, Content)
        assert unnamed.plain == python.plain == code
        assert {str(span.style) for span in unnamed.spans} <= {"$text"}  # plain
        assert {str(span.style) for span in python.spans} - {"$text"}  # highlighted


INLINE = (
    "# A *heading* with `code`\n\nA paragraph: *em*, **strong**, ~~struck~~, `code`.\n\n"
    "- an item with **strong** and `code`\n- and *em*\n\n"
    "| a | `b` |\n|---|---|\n| *c* | **d** |\n\n> quoted ~~s~~ and `code`\n"
)


class InlineApp(App[None]):
    def __init__(self, theme: str, widget: Markdown) -> None:
        super().__init__(ansi_color=theme == "ansi")
        self.theme = "textual-dark" if theme == "ansi" else theme
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi"])
async def test_inline_styles_held_by_the_segment_look_as_textuals_own(theme: str) -> None:
    # A segment's blocks have no inline styles of their own (lean_blocks): `.em` and the others
    # are the segment's. Drawn as Textual's Markdown draws the same text, in each kind of theme.
    def segment() -> Markdown:
        return Segment(INLINE)

    async def render(widget: Markdown) -> list[list[Any]]:
        app = InlineApp(theme, widget)
        async with app.run_test(size=(60, 24)) as pilot:
            await wait_until(pilot, lambda: "quoted" in screen_text(app), what="the text")
            await pilot.pause()
            assert not any(block._component_styles for block in app.query(StreamedParagraph))
            return [list(s.simplify()) for s in app.screen._compositor.render_strips()]

    renders = [await render(segment()), await render(Markdown(INLINE))]
    # Where the blocks are drawn alike (heading, paragraph, quote), alike; in lists and tables
    # (ours draw them differently), each styled word as Textual styles it.
    ours, textuals = renders
    assert ours[:6] == textuals[:6]
    assert ours[-4:] == textuals[-4:]

    def styled(render: list[list[Any]]) -> list[tuple[str, Any]]:
        words = {"heading", "code", "em", "strong", "struck", "s", "b", "c", "d"}
        found = [(seg.text, seg.style) for line in render for seg in line if seg.text in words]
        return [(text, (style.color, style.bgcolor, style.italic, style.bold, style.strike))
                for text, style in found]  # fmt: skip

    assert styled(ours) == styled(textuals)
    assert len(styled(ours)) == 14
    styles = dict(styled(ours))
    assert styles["em"][2] and styles["strong"][3] and styles["struck"][4]
    assert styles["code"][1] != styles["em"][1] or theme == "ansi"
