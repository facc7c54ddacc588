"""Long Markdown in segments: cut only where the rendering stays the same, rendered in full."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label, Markdown
from textual.widgets._markdown import MarkdownFence

from glm_tui.ui.segmented_markdown import (
    FENCE_CHUNK,
    ChunkedFence,
    SegmentedMarkdown,
    split_segments,
)
from glm_tui.ui.thinking import ThinkingBlock
from tests.ui_helpers import wait_until


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


async def test_a_long_stream_fills_several_segments_and_renders_all_of_it() -> None:
    text = long_document(120)
    widget = SegmentedMarkdown(classes="answer", seal_blocks=10)
    app = MarkdownApp(widget)
    async with app.run_test(size=(100, 40)) as pilot:
        step = 37
        for start in range(0, len(text), step):
            await widget.write(text[start : start + step])
        await widget.stop()
        await wait_until(pilot, lambda: all(s.children for s in widget.segments))
        assert widget.source == text
        assert len(widget.segments) > 3
        for segment in widget.segments:
            assert segment.source.count("```") % 2 == 0
        shown = rendered_text(widget)
        for i in range(120):
            needle = (
                f"return {i}" if i % 4 == 3 else (f"item {i}" if i % 4 == 2 else f"Paragraph {i}")
            )
            assert needle in shown, needle
        # Only the first block of each segment loses its top margin.
        firsts = list(widget.query(".-first-block"))
        assert len(firsts) == len(widget.segments)


async def test_a_whole_document_is_built_in_segments() -> None:
    text = long_document(60)
    widget = SegmentedMarkdown(text, classes="answer", seal_blocks=10)
    async with MarkdownApp(widget).run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: all(s.children for s in widget.segments))
        assert widget.source == text
        assert len(widget.segments) == len(split_segments(text, 10))
        assert "Paragraph 56" in rendered_text(widget)


async def test_a_long_fence_is_shown_in_labels_of_fence_chunk_lines() -> None:
    lines = [f"x_{i} = {i}" for i in range(FENCE_CHUNK * 2 + 7)]
    widget = SegmentedMarkdown(classes="answer")
    async with MarkdownApp(widget).run_test(size=(100, 40)) as pilot:
        await widget.write("Code:\n\n```python\n")
        for line in lines:
            await widget.write(line + "\n")
        await widget.write("```\n")
        await widget.stop()

        def labels() -> list[Label]:
            fences = list(widget.query(ChunkedFence))
            return list(fences[0].query(Label)) if fences else []

        await wait_until(pilot, lambda: len(labels()) == 3)
        fence = widget.query_one(ChunkedFence)
        assert fence.code == "\n".join(lines)
        shown = "\n".join(str(label.render()) for label in labels())
        assert "x_0 = 0" in shown and f"x_{len(lines) - 1} = {len(lines) - 1}" in shown


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
